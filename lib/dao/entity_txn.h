// EntityTxn: Kong's rules applied inside one store transaction (key lookup, foreign-key
// resolution and existence, unique conflicts, restrict/cascade deletes), keeping the first
// failure as a DaoError so the caller can send Kong's body after the rollback.
#ifndef KONG_DAO_ENTITY_TXN_H_
#define KONG_DAO_ENTITY_TXN_H_

#include <optional>
#include <string>
#include <string_view>

#include "dao/dao_error.h"
#include "json/value.h"
#include "schema/catalog.h"
#include "store/txn.h"

namespace kong::dao {

class EntityTxn {
 public:
  EntityTxn(store::Txn& txn, const schema::Catalog& catalog) : txn_(txn), catalog_(catalog) {}

  // Records `error` and returns a non-OK Status, so that returning it from the store
  // callback rolls the transaction back.
  Status Fail(DaoError error);
  // The recorded failure, else the store's Status as a 500.
  DaoError ErrorFor(const Status& status) const;

  // The row for `key`: an id when it is a UUID, else the endpoint key. nullopt when missing
  // (also for a schema without an endpoint key indexed on its own, e.g. targets).
  Result<std::optional<store::Row>> Find(const schema::EntitySchema& schema, std::string_view key);
  // Replaces foreign keys given by the parent's endpoint key ({"name":"x"}) with {"id":...};
  // code 13 when no such parent exists.
  Status ResolveForeignKeys(const schema::EntitySchema& schema, json::Value& input);
  // Code 4 when a foreign key's id names no existing parent.
  Status CheckForeignKeys(const schema::EntitySchema& schema, const json::Value& entity);
  // Stores a validated entity (insert or replace): code 3 for a taken id on insert, 409 code 5
  // for a taken unique key.
  Status Write(const schema::EntitySchema& schema, const json::Value& entity, bool insert);
  // Deletes the row and, first, its cascading children; code 4 when a restricting child
  // exists. A row already gone is no error.
  Status Delete(const schema::EntitySchema& schema, const std::string& id);

  store::Txn& txn() { return txn_; }

 private:
  store::Txn& txn_;
  const schema::Catalog& catalog_;
  std::optional<DaoError> error_;
};

}  // namespace kong::dao

#endif  // KONG_DAO_ENTITY_TXN_H_
