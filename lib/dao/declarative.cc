// Dao::Export and Dao::Import: the whole configuration as Kong's declarative format
// (kong/db/declarative/export.lua: _format_version "3.0", foreign keys as bare ids, no nulls).
#include <string>
#include <utility>
#include <vector>

#include "base/macros.h"
#include "dao/dao.h"
#include "dao/entity_rows.h"
#include "dao/entity_txn.h"
#include "schema/errors.h"

namespace kong::dao {
namespace {

using schema::ErrorCode;

constexpr const char* kFormatVersion = "3.0";

// A stored entity as export.lua writes it: nulls dropped, {"id":x} foreign keys as x.
json::Value ExportForm(const schema::EntitySchema& schema, const json::Value& body) {
  json::Value out = json::Value::EmptyObject();
  if (!body.is_object()) return out;
  for (const auto& [name, value] : body.as_object()) {
    if (value.is_null()) continue;
    out.Set(name, value);
  }
  for (const auto& [field, parent] : ForeignFields(schema)) {
    json::Value* fk = out.Find(field);
    const json::Value* id = fk && fk->is_object() ? fk->Find("id") : nullptr;
    if (id) *fk = json::Value(*id);
  }
  return out;
}

// The inverse for input: a bare foreign id becomes {"id": x}.
json::Value ImportForm(const schema::EntitySchema& schema, json::Value item) {
  if (!item.is_object()) return item;
  for (const auto& [field, parent] : ForeignFields(schema)) {
    json::Value* fk = item.Find(field);
    if (fk && fk->is_string()) {
      json::Value ref = json::Value::EmptyObject();
      ref.Set("id", *fk);
      *fk = std::move(ref);
    }
  }
  return item;
}

DaoError DeclarativeError(json::Value fields) {
  return DaoError::FromBody(ErrorCode::kDeclarativeConfig,
                            schema::DeclarativeConfigBody(std::move(fields)));
}

// Sets errors[entity][index] = error, padding the array with nulls (valid entries).
void AddItemError(json::Value& errors, const std::string& entity, size_t index,
                  json::Value error) {
  json::Value* list = errors.Find(entity);
  if (!list) list = &errors.Set(entity, json::Value::EmptyArray());
  while (list->as_array().size() <= index) list->as_array().emplace_back();
  list->as_array()[index] = std::move(error);
}

}  // namespace

DaoResult<json::Value> Dao::Export() {
  std::vector<std::string> names;
  for (const schema::EntitySchema* s : catalog_.All()) names.push_back(s->name);
  json::Value out = json::Value::EmptyObject();
  out.Set("_format_version", kFormatVersion);
  out.Set("_transform", false);
  Status s = store_.Read([&](store::Txn& txn) {
    return txn.ExportAll(names, [&](const std::string& entity, const store::Row& row) {
      const schema::EntitySchema* schema = catalog_.Find(entity);
      json::Value* list = out.Find(entity);
      if (!list) list = &out.Set(entity, json::Value::EmptyArray());
      list->as_array().push_back(ExportForm(*schema, row.body));
      return Status::Ok();
    });
  });
  if (!s.ok()) return DaoError::FromStatus(s);
  return out;
}

DaoResult<int64_t> Dao::Import(const json::Value& config) {
  if (!config.is_object()) {
    json::Value fields = json::Value::EmptyObject();
    fields.Set("@entity", json::Value(json::Array{json::Value("expected a table")}));
    return DeclarativeError(std::move(fields));
  }
  // Shape checks first: nothing is touched unless the document names only known things.
  json::Value errors = json::Value::EmptyObject();
  const json::Value* format = config.Find("_format_version");
  if (!format) {
    errors.Set("_format_version", "required field missing");
  } else if (!format->is_string() || format->as_string() != kFormatVersion) {
    errors.Set("_format_version", "expected one of: 3.0");
  }
  for (const auto& [name, value] : config.as_object()) {
    if (name == "_format_version" || name == "_transform" || name == "_comment") continue;
    if (!catalog_.Find(name)) {
      errors.Set(name, "unknown field");
    } else if (!value.is_array()) {
      errors.Set(name, "expected an array");
    }
  }
  if (!errors.as_object().empty()) return DeclarativeError(std::move(errors));

  const std::vector<const schema::EntitySchema*> order = catalog_.All();
  std::optional<DaoError> failure;
  Result<int64_t> version = store_.Write([&](store::Txn& txn) -> Status {
    // Replace, not merge: children first so no restrict rule is in the way.
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      std::vector<std::string> ids;
      KONG_RETURN_IF_ERROR(txn.ExportAll({(*it)->name},
                                         [&ids](const std::string&, const store::Row& row) {
                                           ids.push_back(row.id);
                                           return Status::Ok();
                                         }));
      for (const std::string& id : ids) KONG_RETURN_IF_ERROR(txn.Delete((*it)->name, id));
    }
    schema::ValidateOptions options;
    options.declarative = true;
    for (const schema::EntitySchema* schema : order) {
      const json::Value* items = config.Find(schema->name);
      if (!items) continue;
      const json::Array& list = items->as_array();
      for (size_t i = 0; i < list.size(); ++i) {
        schema::EntityResult r =
            catalog_.ValidateUpsert(*schema, ImportForm(*schema, list[i]), options);
        if (!r.ok()) {
          AddItemError(errors, schema->name, i, r.error().fields);
          continue;
        }
        // A fresh EntityTxn per item so that every refused item is reported.
        EntityTxn et(txn, catalog_);
        Status s = et.CheckForeignKeys(*schema, r.entity());
        if (s.ok()) s = et.Write(*schema, r.entity(), /*insert=*/true);
        if (!s.ok()) {
          DaoError e = et.ErrorFor(s);
          if (e.http_status >= 500) {
            failure = std::move(e);
            return s;
          }
          const json::Value* message = e.body.Find("message");
          AddItemError(errors, schema->name, i, message ? *message : json::Value());
        }
      }
    }
    if (!errors.as_object().empty()) {
      failure = DeclarativeError(errors);
      return Status::InvalidArgument("declarative config refused");
    }
    return Status::Ok();
  });
  if (!version.ok()) return failure ? *failure : DaoError::FromStatus(version.status());
  return version.value();
}

}  // namespace kong::dao
