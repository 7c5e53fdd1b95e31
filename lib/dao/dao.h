// kong::dao::Dao: Kong's entity operations (insert, get, list, update, upsert, delete,
// declarative export/import) over the generic store, each one store transaction, with
// Kong's validation and error bodies. The Admin API calls it on the store's thread.
#ifndef KONG_DAO_DAO_H_
#define KONG_DAO_DAO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dao/dao_error.h"
#include "json/value.h"
#include "schema/catalog.h"
#include "store/store.h"

namespace kong::dao {

struct ListOptions {
  int size = 100;      // Kong's default; 1..1000 else code 9
  std::string offset;  // "" for the first page, else ListPage::offset
  // The raw ?tags= value: "a,b" (all of them) or "a/b" (any of them), at most 5; none when
  // unset. Errors are Kong's code 11 bodies.
  std::optional<std::string> tags;
};

struct ListPage {
  json::Value data = json::Value::EmptyArray();  // entities in id order
  std::optional<std::string> offset;             // none on the last page
};

// A parent given by id or endpoint key, e.g. ("services", "my-service").
struct ParentKey {
  std::string entity;
  std::string field;  // the child's foreign field: "service"
  std::string key;
};

// Blocking and not thread-safe, like the Store it uses (one thread at a time). `store` and
// `catalog` must outlive the Dao. `key` arguments are an id when they parse as a UUID, else
// the entity's endpoint key (Kong's query_entity).
class Dao {
 public:
  Dao(store::Store& store, const schema::Catalog& catalog) : store_(store), catalog_(catalog) {}
  Dao(const Dao&) = delete;
  Dao& operator=(const Dao&) = delete;

  // POST /{entity}: the created entity. Foreign keys may be given by endpoint key.
  DaoResult<json::Value> Insert(std::string_view entity, const json::Value& input,
                                const schema::ValidateOptions& options = {});
  // GET /{entity}/{key}: 404 {"message":"Not found"} when missing.
  DaoResult<json::Value> Get(std::string_view entity, std::string_view key);
  // The entity whose unique `field` is `value` (consumers by custom_id), 404 when missing.
  DaoResult<json::Value> GetByField(std::string_view entity, std::string_view field,
                                    std::string_view value);
  // GET /{entity}, or /{parent}/{key}/{entity} when `parent` is set (404 when the parent is
  // missing).
  DaoResult<ListPage> List(std::string_view entity, const ListOptions& options,
                           const std::optional<ParentKey>& parent = std::nullopt);
  // PATCH: merged onto the stored entity, created_at kept, updated_at bumped. 404 with
  // Kong's code 6 body when missing.
  DaoResult<json::Value> Update(std::string_view entity, std::string_view key,
                                const json::Value& patch,
                                const schema::ValidateOptions& options = {});
  // PUT: creates, or fully replaces keeping id and created_at. The key from the URL is
  // forced onto the entity.
  DaoResult<json::Value> Upsert(std::string_view entity, std::string_view key,
                                const json::Value& input,
                                const schema::ValidateOptions& options = {});
  // DELETE: true when a row was deleted, false when there was none (still a success, 204).
  // Restricted children refuse (400 code 4); cascading children go in the same transaction.
  DaoResult<bool> Delete(std::string_view entity, std::string_view key);

  // The whole configuration as Kong's declarative format (_format_version "3.0").
  DaoResult<json::Value> Export();
  // Replaces the whole configuration with `config` in one transaction, all or nothing.
  // Errors: 400 code 14 (declarative config is invalid) naming the failing entities.
  DaoResult<int64_t> Import(const json::Value& config);

 private:
  struct Context;
  const schema::EntitySchema* Schema(std::string_view entity, DaoError* error) const;

  store::Store& store_;
  const schema::Catalog& catalog_;
};

}  // namespace kong::dao

#endif  // KONG_DAO_DAO_H_
