// Txn: the operations on entity rows inside one store transaction (Store::Write/Read).
#ifndef KONG_STORE_TXN_H_
#define KONG_STORE_TXN_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kong/status.h"
#include "store/row.h"
#include "store/sql_connection.h"

namespace kong::store {

// Valid only inside the callback given to Store::Write or Store::Read, on the thread that
// called it; never keep it. Errors name the entity and the key. In a Read transaction the
// writing calls fail with kInternal. A statement that fails inside the database makes every
// later call fail with the same Status and the whole transaction roll back, even if the
// callback ignores it (PostgreSQL cannot continue such a transaction anyway).
class Txn {
 public:
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  // nullopt when there is no such row.
  Result<std::optional<Row>> Get(const std::string& entity, const std::string& id);
  // The row holding unique key field=value, or nullopt.
  Result<std::optional<Row>> GetByKey(const std::string& entity, const std::string& field,
                                      const std::string& value);
  // One page in id order. kInvalidArgument "size must be an integer between 1 and 1000",
  // or "'<offset>' is not a valid offset: bad base64 encoding".
  Result<Page> List(const std::string& entity, const ListQuery& query);
  // Rows whose refs point at (parent_entity, parent_id), ordered by entity, id, field.
  Result<std::vector<Referencing>> ListReferencing(const std::string& parent_entity,
                                                   const std::string& parent_id);
  Result<int64_t> Count(const std::string& entity);
  // Calls fn for every row of each entity in `entities` (in that order), rows in id order,
  // reading 1000 at a time. Stops at, and returns, the first non-OK Status of fn.
  Status ExportAll(const std::vector<std::string>& entities,
                   const std::function<Status(const std::string& entity, const Row& row)>& fn);
  // The committed config_version as this transaction sees it.
  Result<int64_t> ConfigVersion();
  // Changes of writes after `after_version`, oldest first, at most `limit`.
  Result<std::vector<Change>> ListChanges(int64_t after_version, int limit);

  // The first key of `row` held by another row of `entity`: the id (field "id"), only when
  // `for_insert`, then each unique key in order. Lets the DAO build Kong's error bodies.
  Result<std::optional<Conflict>> FindConflict(const std::string& entity, const Row& row,
                                               bool for_insert);

  // kConflict when the id exists ("primary key violation on key '{id=\"<id>\"}'") or a unique
  // key is held by another row ("UNIQUE violation detected on '{<field>=\"<value>\"}'"): Kong's
  // own wording, which the DAO maps to 400 and 409. kInvalidArgument for an empty id or a
  // field given twice in unique_keys or refs. Nothing is written on error.
  Status Insert(const std::string& entity, const Row& row);
  // Replaces the row with the same id (body, timestamps, keys, refs, tags). kNotFound
  // "could not find the entity with primary key '{id=\"<id>\"}'", kConflict as Insert.
  Status Update(const std::string& entity, const Row& row);
  // kNotFound as Update. Deletes the row's keys, refs and tags, not its children.
  Status Delete(const std::string& entity, const std::string& id);

 private:
  friend class Store;
  Txn(SqlConnection& conn, bool writable) : conn_(conn), writable_(writable) {}

  bool changed() const { return changed_; }
  // The first database failure seen, or OK.
  const Status& failure() const { return failure_; }
  // Net change per row ((entity, id), op) of this transaction, in first-touched order.
  const std::vector<std::pair<std::pair<std::string, std::string>, std::string>>& changes()
      const {
    return changes_;
  }

  Result<SqlResult> Run(std::string_view sql, const SqlParams& params, std::string_view what);
  Status CheckWritable(const std::string& entity, std::string_view op);
  Status ValidateRow(const std::string& entity, const Row& row);
  Status WriteSideTables(const std::string& entity, const Row& row);
  Result<std::vector<Row>> LoadRows(const std::string& entity, const SqlResult& main);
  void RecordChange(const std::string& entity, const std::string& id, const std::string& op);

  SqlConnection& conn_;
  bool writable_;
  bool changed_ = false;
  Status failure_;
  std::vector<std::pair<std::pair<std::string, std::string>, std::string>> changes_;
};

}  // namespace kong::store

#endif  // KONG_STORE_TXN_H_
