// Kong's DAO rules inside one store transaction (kong/db/dao/init.lua, §1.11).
#include "dao/entity_txn.h"

#include <algorithm>
#include <utility>

#include "base/macros.h"
#include "dao/entity_rows.h"
#include "schema/errors.h"
#include "schema/uuid.h"

namespace kong::dao {

using schema::ErrorCode;

Status EntityTxn::Fail(DaoError error) {
  if (!error_) error_ = std::move(error);
  // Never seen by clients: the recorded DaoError is what the caller reports.
  return Status::InvalidArgument("dao operation refused");
}

DaoError EntityTxn::ErrorFor(const Status& status) const {
  return error_ ? *error_ : DaoError::FromStatus(status);
}

Result<std::optional<store::Row>> EntityTxn::Find(const schema::EntitySchema& schema,
                                                  std::string_view key) {
  if (schema::IsUuid(key)) return txn_.Get(schema.name, std::string(key));
  const std::vector<std::string> unique = StoredUniqueFields(schema);
  if (schema.endpoint_key.empty() ||
      std::find(unique.begin(), unique.end(), schema.endpoint_key) == unique.end()) {
    return std::optional<store::Row>();
  }
  return txn_.GetByKey(schema.name, schema.endpoint_key, std::string(key));
}

Status EntityTxn::ResolveForeignKeys(const schema::EntitySchema& schema, json::Value& input) {
  if (!input.is_object()) return Status::Ok();  // validation reports the shape
  for (const auto& [field, parent_name] : ForeignFields(schema)) {
    json::Value* fk = input.Find(field);
    if (!fk || !fk->is_object() || fk->Find("id")) continue;
    const schema::EntitySchema* parent = catalog_.Find(parent_name);
    if (!parent || parent->endpoint_key.empty()) continue;
    const json::Value* key = fk->Find(parent->endpoint_key);
    if (!key || !key->is_string()) continue;
    KONG_ASSIGN_OR_RETURN(std::optional<store::Row> row,
                          txn_.GetByKey(parent_name, parent->endpoint_key, key->as_string()));
    if (!row) {
      return Fail(DaoError::FromBody(
          ErrorCode::kForeignKeysUnresolved,
          schema::ForeignKeyUnresolvedBody(field, parent->endpoint_key, *key, parent_name)));
    }
    json::Value resolved = json::Value::EmptyObject();
    resolved.Set("id", row->id);
    *fk = std::move(resolved);
  }
  return Status::Ok();
}

Status EntityTxn::CheckForeignKeys(const schema::EntitySchema& schema, const json::Value& entity) {
  for (const auto& [field, parent_name] : ForeignFields(schema)) {
    const json::Value* fk = entity.Find(field);
    const json::Value* id = fk && fk->is_object() ? fk->Find("id") : nullptr;
    if (!id || !id->is_string()) continue;
    KONG_ASSIGN_OR_RETURN(std::optional<store::Row> row, txn_.Get(parent_name, id->as_string()));
    if (!row) {
      json::Value key = json::Value::EmptyObject();
      key.Set("id", *id);
      return Fail(DaoError::FromBody(
          ErrorCode::kForeignKeyViolation,
          schema::ForeignKeyInvalidReferenceBody(key, field, parent_name)));
    }
  }
  return Status::Ok();
}

Status EntityTxn::Write(const schema::EntitySchema& schema, const json::Value& entity,
                        bool insert) {
  store::Row row = RowFromEntity(schema, entity);
  KONG_ASSIGN_OR_RETURN(std::optional<store::Conflict> conflict,
                        txn_.FindConflict(schema.name, row, insert));
  if (conflict) {
    if (conflict->field == "id") {
      json::Value key = json::Value::EmptyObject();
      key.Set("id", conflict->value);
      return Fail(DaoError::FromBody(ErrorCode::kPrimaryKeyViolation,
                                     schema::PrimaryKeyViolationBody(key)));
    }
    return Fail(DaoError::FromBody(
        ErrorCode::kUniqueViolation,
        schema::UniqueViolationBody(UniqueKeyObject(schema, entity, conflict->field))));
  }
  return insert ? txn_.Insert(schema.name, row) : txn_.Update(schema.name, row);
}

Status EntityTxn::Delete(const schema::EntitySchema& schema, const std::string& id) {
  KONG_ASSIGN_OR_RETURN(std::optional<store::Row> row, txn_.Get(schema.name, id));
  if (!row) return Status::Ok();  // already gone, e.g. reached twice through cascades
  KONG_ASSIGN_OR_RETURN(std::vector<store::Referencing> children,
                        txn_.ListReferencing(schema.name, id));
  const std::vector<schema::ForeignKeyRef> rules = catalog_.ReferencesTo(schema.name);
  auto cascades = [&rules](const store::Referencing& child) {
    for (const schema::ForeignKeyRef& r : rules) {
      if (r.child == child.entity && r.field == child.field) return r.cascade;
    }
    return false;  // a reference the catalog does not know: keep it intact
  };
  // Kong checks every restricting reference before deleting anything.
  for (const store::Referencing& child : children) {
    if (!cascades(child)) {
      return Fail(DaoError::FromBody(ErrorCode::kForeignKeyViolation,
                                     schema::ForeignKeyRestrictedBody(schema.name, child.entity)));
    }
  }
  for (const store::Referencing& child : children) {
    const schema::EntitySchema* child_schema = catalog_.Find(child.entity);
    if (!child_schema) continue;
    KONG_RETURN_IF_ERROR(Delete(*child_schema, child.id));
  }
  return txn_.Delete(schema.name, id);
}

}  // namespace kong::dao
