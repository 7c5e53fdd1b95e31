// Entity <-> Row mapping for the DAO.
#include "dao/entity_rows.h"

#include <algorithm>
#include <cmath>

namespace kong::dao {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

const json::Value& FieldOf(const json::Value& entity, std::string_view name) {
  static const json::Value kNull;
  const json::Value* v = entity.Find(name);
  return v ? *v : kNull;
}

int64_t Timestamp(const json::Value& v) {
  // Targets keep float seconds (auto_timestamp_ms); the Row column holds whole seconds.
  if (v.is_int()) return v.as_int();
  if (v.is_number()) return static_cast<int64_t>(std::floor(v.as_double()));
  return 0;
}

}  // namespace

std::vector<std::string> StoredUniqueFields(const schema::EntitySchema& schema) {
  std::vector<std::string> out;
  for (const std::string& f : schema.UniqueFields()) {
    if (!Contains(schema.cache_key, f)) out.push_back(f);
  }
  if (!schema.cache_key.empty()) out.emplace_back(kCacheKeyField);
  return out;
}

std::vector<std::pair<std::string, std::string>> ForeignFields(
    const schema::EntitySchema& schema) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const schema::NamedField& f : schema.fields) {
    if (f.field.type == schema::FieldType::kForeign) out.emplace_back(f.name, f.field.reference);
  }
  return out;
}

std::string UniqueKeyText(const json::Value& value) {
  if (value.is_string()) return value.as_string();
  json::SerializeOptions o;
  o.sort_keys = true;
  return json::Serialize(value, o);
}

json::Value UniqueKeyObject(const schema::EntitySchema& schema, const json::Value& entity,
                            const std::string& field) {
  json::Value key = json::Value::EmptyObject();
  if (field == kCacheKeyField) {
    for (const std::string& f : schema.cache_key) key.Set(f, FieldOf(entity, f));
  } else {
    key.Set(field, FieldOf(entity, field));
  }
  return key;
}

store::Row RowFromEntity(const schema::EntitySchema& schema, const json::Value& entity) {
  store::Row row;
  const json::Value& id = FieldOf(entity, "id");
  if (id.is_string()) row.id = id.as_string();
  row.body = entity;
  row.created_at = Timestamp(FieldOf(entity, "created_at"));
  row.updated_at = Timestamp(FieldOf(entity, "updated_at"));
  for (const std::string& f : StoredUniqueFields(schema)) {
    if (f == kCacheKeyField) {
      // Nulls are part of a cache key (a global plugin differs from a service's).
      json::Value parts = json::Value::EmptyArray();
      for (const std::string& k : schema.cache_key) parts.as_array().push_back(FieldOf(entity, k));
      row.unique_keys.emplace_back(f, UniqueKeyText(parts));
      continue;
    }
    const json::Value& v = FieldOf(entity, f);
    if (!v.is_null()) row.unique_keys.emplace_back(f, UniqueKeyText(v));
  }
  for (const auto& [field, parent] : ForeignFields(schema)) {
    const json::Value& fk = FieldOf(entity, field);
    const json::Value* fk_id = fk.is_object() ? fk.Find("id") : nullptr;
    if (fk_id && fk_id->is_string()) row.refs.push_back({field, parent, fk_id->as_string()});
  }
  const json::Value& tags = FieldOf(entity, "tags");
  if (tags.is_array()) {
    for (const json::Value& t : tags.as_array()) {
      if (t.is_string()) row.tags.push_back(t.as_string());
    }
  }
  return row;
}

}  // namespace kong::dao
