// Dao operations: each is one store transaction (Kong's endpoints.lua + dao/init.lua).
#include "dao/dao.h"

#include <utility>

#include "base/macros.h"
#include "dao/entity_rows.h"
#include "dao/entity_txn.h"
#include "schema/errors.h"
#include "schema/uuid.h"

namespace kong::dao {
namespace {

using schema::ErrorCode;

DaoError SchemaViolation(const schema::ValidationError& error) {
  return DaoError::FromBody(ErrorCode::kSchemaViolation, error.ToBody());
}

// Code 6 for PATCH of a missing entity: by primary key, or by the endpoint key used.
DaoError NotFoundFor(const schema::EntitySchema& schema, std::string_view key) {
  json::Value filter = json::Value::EmptyObject();
  if (schema::IsUuid(key) || schema.endpoint_key.empty()) {
    filter.Set("id", key);
    return DaoError::FromBody(ErrorCode::kNotFound, schema::NotFoundBody(filter));
  }
  filter.Set(schema.endpoint_key, key);
  return DaoError::FromBody(ErrorCode::kNotFound, schema::NotFoundByFieldBody(filter));
}

DaoError InvalidTags(std::string_view why) {
  json::Value options = json::Value::EmptyObject();
  options.Set("tags", why);
  return DaoError::FromBody(ErrorCode::kInvalidOptions, schema::InvalidOptionsBody(options));
}

// Kong's ?tags= syntax: "a,b" (and) or "a/b" (or), never both, at most 5 tags.
std::optional<DaoError> ParseTags(const std::string& text, store::ListQuery* query) {
  if (text.empty()) return InvalidTags("cannot be null");
  const bool has_and = text.find(',') != std::string::npos;
  const bool has_or = text.find('/') != std::string::npos;
  if (has_and && has_or) return InvalidTags("invalid filter syntax");
  const char sep = has_or ? '/' : ',';
  query->tag_mode = has_or ? store::TagMode::kOr : store::TagMode::kAnd;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    std::string tag = text.substr(start, end == std::string::npos ? end : end - start);
    if (tag.empty()) return InvalidTags("invalid filter syntax");
    query->tags.push_back(std::move(tag));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (query->tags.size() > 5) return InvalidTags("cannot query more than 5 tags");
  return std::nullopt;
}

// Runs fn in one write transaction and turns its failure into the DaoError to send.
template <typename T>
DaoResult<T> WriteTxn(store::Store& store, const schema::Catalog& catalog,
                      const std::function<Status(EntityTxn&, T&)>& fn) {
  T out{};
  std::optional<DaoError> error;
  Result<int64_t> version = store.Write([&](store::Txn& txn) {
    EntityTxn et(txn, catalog);
    Status s = fn(et, out);
    if (!s.ok()) error = et.ErrorFor(s);
    return s;
  });
  if (!version.ok()) return error ? *error : DaoError::FromStatus(version.status());
  return out;
}

template <typename T>
DaoResult<T> ReadTxn(store::Store& store, const schema::Catalog& catalog,
                     const std::function<Status(EntityTxn&, T&)>& fn) {
  T out{};
  std::optional<DaoError> error;
  Status s = store.Read([&](store::Txn& txn) {
    EntityTxn et(txn, catalog);
    Status inner = fn(et, out);
    if (!inner.ok()) error = et.ErrorFor(inner);
    return inner;
  });
  if (!s.ok()) return error ? *error : DaoError::FromStatus(s);
  return out;
}

}  // namespace

const schema::EntitySchema* Dao::Schema(std::string_view entity, DaoError* error) const {
  const schema::EntitySchema* s = catalog_.Find(entity);
  if (!s) *error = DaoError::NotFound();
  return s;
}

DaoResult<json::Value> Dao::Insert(std::string_view entity, const json::Value& input,
                                   const schema::ValidateOptions& options) {
  DaoError unknown;
  const schema::EntitySchema* schema = Schema(entity, &unknown);
  if (!schema) return unknown;
  return WriteTxn<json::Value>(store_, catalog_, [&](EntityTxn& et, json::Value& out) {
    json::Value in = input;
    KONG_RETURN_IF_ERROR(et.ResolveForeignKeys(*schema, in));
    schema::EntityResult r = catalog_.ValidateInsert(*schema, in, options);
    if (!r.ok()) return et.Fail(SchemaViolation(r.error()));
    KONG_RETURN_IF_ERROR(et.CheckForeignKeys(*schema, r.entity()));
    KONG_RETURN_IF_ERROR(et.Write(*schema, r.entity(), /*insert=*/true));
    out = std::move(r).entity();
    return Status::Ok();
  });
}

DaoResult<json::Value> Dao::Get(std::string_view entity, std::string_view key) {
  DaoError unknown;
  const schema::EntitySchema* schema = Schema(entity, &unknown);
  if (!schema) return unknown;
  return ReadTxn<json::Value>(store_, catalog_, [&](EntityTxn& et, json::Value& out) {
    KONG_ASSIGN_OR_RETURN(std::optional<store::Row> row, et.Find(*schema, key));
    if (!row) return et.Fail(DaoError::NotFound());
    out = std::move(row->body);
    return Status::Ok();
  });
}

DaoResult<json::Value> Dao::GetByField(std::string_view entity, std::string_view field,
                                       std::string_view value) {
  DaoError unknown;
  const schema::EntitySchema* schema = Schema(entity, &unknown);
  if (!schema) return unknown;
  return ReadTxn<json::Value>(store_, catalog_, [&](EntityTxn& et, json::Value& out) {
    KONG_ASSIGN_OR_RETURN(
        std::optional<store::Row> row,
        et.txn().GetByKey(schema->name, std::string(field), std::string(value)));
    if (!row) return et.Fail(DaoError::NotFound());
    out = std::move(row->body);
    return Status::Ok();
  });
}

DaoResult<ListPage> Dao::List(std::string_view entity, const ListOptions& options,
                              const std::optional<ParentKey>& parent) {
  DaoError unknown;
  const schema::EntitySchema* schema = Schema(entity, &unknown);
  if (!schema) return unknown;
  const schema::EntitySchema* parent_schema = nullptr;
  if (parent && !(parent_schema = Schema(parent->entity, &unknown))) return unknown;
  if (options.size < 1 || options.size > 1000) {
    return DaoError::FromBody(ErrorCode::kInvalidSize,
                              schema::InvalidSizeBody("size must be an integer between 1 and 1000"));
  }
  store::ListQuery query;
  query.size = options.size;
  query.offset = options.offset;
  if (options.tags) {
    if (auto bad = ParseTags(*options.tags, &query)) return *bad;
  }
  return ReadTxn<ListPage>(store_, catalog_, [&](EntityTxn& et, ListPage& out) {
    if (parent) {
      KONG_ASSIGN_OR_RETURN(std::optional<store::Row> row, et.Find(*parent_schema, parent->key));
      if (!row) return et.Fail(DaoError::NotFound());
      query.parent = store::ParentFilter{parent->field, row->id};
    }
    Result<store::Page> page = et.txn().List(schema->name, query);
    if (!page.ok()) {
      const Status failed = page.status();
      const std::string& msg = failed.message();
      const size_t colon = msg.find("is not a valid offset: ");
      if (failed.code() == StatusCode::kInvalidArgument && colon != std::string::npos) {
        return et.Fail(DaoError::FromBody(
            ErrorCode::kInvalidOffset,
            schema::InvalidOffsetBody(options.offset, msg.substr(colon + 23))));
      }
      return failed;
    }
    for (store::Row& row : page->rows) out.data.as_array().push_back(std::move(row.body));
    out.offset = page->next_offset;
    return Status::Ok();
  });
}

DaoResult<json::Value> Dao::Update(std::string_view entity, std::string_view key,
                                   const json::Value& patch,
                                   const schema::ValidateOptions& options) {
  DaoError unknown;
  const schema::EntitySchema* schema = Schema(entity, &unknown);
  if (!schema) return unknown;
  return WriteTxn<json::Value>(store_, catalog_, [&](EntityTxn& et, json::Value& out) {
    KONG_ASSIGN_OR_RETURN(std::optional<store::Row> existing, et.Find(*schema, key));
    if (!existing) return et.Fail(NotFoundFor(*schema, key));
    json::Value in = patch;
    KONG_RETURN_IF_ERROR(et.ResolveForeignKeys(*schema, in));
    schema::EntityResult r = catalog_.ValidateUpdate(*schema, existing->body, in, options);
    if (!r.ok()) return et.Fail(SchemaViolation(r.error()));
    json::Value updated = std::move(r).entity();
    // The primary key and creation time are the stored row's, whatever the patch said.
    updated.Set("id", existing->id);
    if (const json::Value* created = existing->body.Find("created_at")) {
      updated.Set("created_at", *created);
    }
    KONG_RETURN_IF_ERROR(et.CheckForeignKeys(*schema, updated));
    KONG_RETURN_IF_ERROR(et.Write(*schema, updated, /*insert=*/false));
    out = std::move(updated);
    return Status::Ok();
  });
}

DaoResult<json::Value> Dao::Upsert(std::string_view entity, std::string_view key,
                                   const json::Value& input,
                                   const schema::ValidateOptions& options) {
  DaoError unknown;
  const schema::EntitySchema* schema = Schema(entity, &unknown);
  if (!schema) return unknown;
  const bool by_id = schema::IsUuid(key);
  if (!by_id && schema->endpoint_key.empty()) return DaoError::NotFound();
  return WriteTxn<json::Value>(store_, catalog_, [&](EntityTxn& et, json::Value& out) {
    json::Value in = input;
    if (!in.is_object()) {
      schema::EntityResult r = catalog_.ValidateUpsert(*schema, in, options);
      return et.Fail(r.ok() ? DaoError::FromStatus(Status::Internal("non-object accepted"))
                            : SchemaViolation(r.error()));
    }
    // The URL's key wins over the body's (endpoints.lua forces it).
    in.Set(by_id ? "id" : schema->endpoint_key, key);
    KONG_ASSIGN_OR_RETURN(std::optional<store::Row> existing, et.Find(*schema, key));
    if (existing && !by_id) in.Set("id", existing->id);
    KONG_RETURN_IF_ERROR(et.ResolveForeignKeys(*schema, in));
    schema::EntityResult r = catalog_.ValidateUpsert(*schema, in, options);
    if (!r.ok()) return et.Fail(SchemaViolation(r.error()));
    json::Value replaced = std::move(r).entity();
    if (existing) {
      if (const json::Value* created = existing->body.Find("created_at")) {
        replaced.Set("created_at", *created);
      }
    }
    KONG_RETURN_IF_ERROR(et.CheckForeignKeys(*schema, replaced));
    KONG_RETURN_IF_ERROR(et.Write(*schema, replaced, /*insert=*/!existing));
    out = std::move(replaced);
    return Status::Ok();
  });
}

DaoResult<bool> Dao::Delete(std::string_view entity, std::string_view key) {
  DaoError unknown;
  const schema::EntitySchema* schema = Schema(entity, &unknown);
  if (!schema) return unknown;
  return WriteTxn<bool>(store_, catalog_, [&](EntityTxn& et, bool& deleted) {
    KONG_ASSIGN_OR_RETURN(std::optional<store::Row> row, et.Find(*schema, key));
    deleted = row.has_value();
    return row ? et.Delete(*schema, row->id) : Status::Ok();
  });
}

}  // namespace kong::dao
