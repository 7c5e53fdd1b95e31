// Flatten: a nested declarative document (kong.yml) to the flat, id-complete form Dao::Import
// takes, following kong/db/schema/others/declarative_config.lua (generate_ids, flatten,
// validate_references).
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "declarative/declarative.h"
#include "declarative/entity_id.h"
#include "schema/errors.h"
#include "schema/uuid.h"

namespace kong::declarative {
namespace {

using schema::EntitySchema;
using schema::FieldType;

// Stands in for an unresolved reference while the entity itself is validated; the reference
// error is reported afterwards, as Kong reports it.
constexpr char kUnresolvedId[] = "00000000-0000-0000-0000-000000000000";

struct Step {
  std::string entity;
  size_t index;
};
using Path = std::vector<Step>;

struct Entry {
  const EntitySchema* schema;
  Path path;
  json::Value item;       // children removed, id set; nested: the parent's FK set (bare id)
  bool nested = false;
  std::string child_key;  // nested: the field holding the parent's id
};

std::vector<std::pair<std::string, std::string>> ForeignFieldsOf(const EntitySchema& s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& nf : s.fields) {
    if (nf.field.type == FieldType::kForeign) out.emplace_back(nf.name, nf.field.reference);
  }
  return out;
}

// The slot of the entry at `path` in Kong's error tree, created (arrays padded with null).
json::Value& ErrorSlot(json::Value& root, const Path& path) {
  json::Value* cur = &root;
  json::Value* slot = nullptr;
  for (size_t i = 0; i < path.size(); ++i) {
    if (!cur->is_object()) {
      json::Value keep = std::move(*cur);
      *cur = json::Value::EmptyObject();
      if (!keep.is_null()) cur->Set("@entity", json::Value(json::Array{std::move(keep)}));
    }
    json::Value* list = cur->Find(path[i].entity);
    if (!list || !list->is_array()) list = &cur->Set(path[i].entity, json::Value::EmptyArray());
    while (list->as_array().size() <= path[i].index) list->as_array().emplace_back();
    slot = &list->as_array()[path[i].index];
    cur = slot;
  }
  return *slot;
}

void MergeErrors(json::Value& slot, const json::Value& fields) {
  if (!slot.is_object()) {
    json::Value keep = std::move(slot);
    slot = json::Value::EmptyObject();
    if (!keep.is_null()) slot.Set("@entity", json::Value(json::Array{std::move(keep)}));
  }
  for (const auto& [k, v] : fields.as_object()) slot.Set(k, v);
}

// 1.1/2.1 files: a route path that is not plain (characters outside [a-zA-Z0-9.-_~/%]) was a
// regex; 3.0 marks regexes with "~" (kong/db/migrations/migrate_path_280_300.lua).
void UpgradeRoutePaths(json::Value& route) {
  json::Value* paths = route.Find("paths");
  if (!paths || !paths->is_array()) return;
  for (json::Value& p : paths->as_array()) {
    if (!p.is_string()) continue;
    const std::string& s = p.as_string();
    bool plain = true;
    for (char c : s) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '_' || c == '~' || c == '/' || c == '%';
      if (!ok) plain = false;
    }
    if (!plain) p = json::Value("~" + s);
  }
}

std::string KeyText(const json::Value& v) {
  return v.is_string() ? v.as_string() : json::Serialize(v);
}

class Flattener {
 public:
  Flattener(const schema::Catalog& catalog, bool legacy_paths)
      : catalog_(catalog), order_(catalog.All()), legacy_paths_(legacy_paths) {}

  void Walk(const json::Value& node, const EntitySchema* parent, const std::string& parent_id,
            const Path& path) {
    for (const EntitySchema* schema : order_) {
      std::string child_key;
      if (parent) {
        child_key = ChildKey(*schema, parent->name);
        if (child_key.empty()) continue;
      }
      const json::Value* list = node.Find(schema->name);
      if (!list || (parent && !IsNestedCollection(*parent, schema->name, *list))) continue;
      if (!list->is_array()) {
        json::Value e = json::Value::EmptyObject();
        e.Set(schema->name, "expected an array");
        MergeErrors(path.empty() ? errors_ : ErrorSlot(errors_, path), e);
        continue;
      }
      const json::Array& items = list->as_array();
      for (size_t i = 0; i < items.size(); ++i) {
        Path p = path;
        p.push_back({schema->name, i});
        if (!items[i].is_object()) {
          ErrorSlot(errors_, p) = json::Value("expected a record");
          continue;
        }
        Entry entry{schema, p, StripChildren(*schema, items[i]), parent != nullptr, child_key};
        if (schema->name == "routes" && legacy_paths_) UpgradeRoutePaths(entry.item);
        json::Value* id = entry.item.Find("id");
        if (!id || id->is_null()) {
          std::optional<std::string> key =
              DeterministicIdKey(*schema, entry.item, parent_id, child_key);
          entry.item.Set("id", key ? DeterministicId(schema->name, *key) : schema::NewUuidV4());
        }
        if (parent) {
          json::Value must_be_null = json::Value::EmptyObject();
          for (const auto& [field, ref] : ForeignFieldsOf(*schema)) {
            const json::Value* v = entry.item.Find(field);
            if (v && !v->is_null()) must_be_null.Set(field, "value must be null");
          }
          if (!must_be_null.as_object().empty()) MergeErrors(ErrorSlot(errors_, p), must_be_null);
          entry.item.Set(child_key, parent_id);
        }
        const json::Value* item_id = entry.item.Find("id");
        std::string own_id = item_id->is_string() ? item_id->as_string() : KeyText(*item_id);
        entries_.push_back(std::move(entry));
        Walk(items[i], schema, own_id, p);
      }
    }
  }

  // Validation of every entry, then duplicate ids and endpoint keys.
  void Validate() {
    IndexEntries();
    schema::ValidateOptions options;
    options.declarative = true;
    std::map<std::pair<std::string, std::string>, size_t> seen_ids, seen_keys;
    for (size_t n = 0; n < entries_.size(); ++n) {
      const Entry& e = entries_[n];
      schema::EntityResult r = catalog_.ValidateUpsert(*e.schema, ForValidation(e), options);
      if (!r.ok()) MergeErrors(ErrorSlot(errors_, e.path), r.error().fields);
      // The endpoint key first: equal names also give equal derived ids, and the name is
      // what the user wrote twice.
      std::optional<std::string> dup;
      const std::string& ek = e.schema->endpoint_key;
      const json::Value* key = ek.empty() ? nullptr : e.item.Find(ek);
      if (EndpointKeyUnique(*e.schema) && key && !key->is_null() &&
          !seen_keys.emplace(std::pair(e.schema->name, KeyText(*key)), n).second) {
        dup = "uniqueness violation: '" + e.schema->name + "' entity with " + ek + " set to '" +
              KeyText(*key) + "' already declared";
      }
      const json::Value* id = e.item.Find("id");
      if (!dup && id && !seen_ids.emplace(std::pair(e.schema->name, KeyText(*id)), n).second) {
        dup = "uniqueness violation: '" + e.schema->name + "' entity with primary key set to '" +
              KeyText(*id) + "' already declared";
      }
      if (dup) {
        json::Value& slot = ErrorSlot(errors_, e.path);
        if (slot.is_null()) slot = json::Value(*dup);
      }
    }
  }

  // Top-level foreign keys to bare ids; Kong's reference errors for misses.
  void ResolveReferences() {
    for (Entry& e : entries_) {
      for (const auto& [field, ref] : ForeignFieldsOf(*e.schema)) {
        if (e.nested && field == e.child_key) continue;
        json::Value* v = e.item.Find(field);
        if (!v || v->is_null()) continue;
        const json::Value* key = v->is_object() ? v->Find("id") : v;
        std::optional<std::string> found = key && key->is_string() ? Find(ref, key->as_string())
                                                                  : std::nullopt;
        if (found) {
          *v = json::Value(*found);
          continue;
        }
        std::string at = AtKey(e);
        json::Value* by_entity = errors_.Find(e.schema->name);
        if (!by_entity) by_entity = &errors_.Set(e.schema->name, json::Value::EmptyObject());
        json::Value* list = by_entity->Find(at);
        if (!list) list = &by_entity->Set(at, json::Value::EmptyArray());
        list->as_array().emplace_back("invalid reference '" + field + ": " +
                                      (v->is_string() ? v->as_string() : json::Serialize(*v)) +
                                      "' (no such entry in '" + ref + "')");
      }
    }
  }

  json::Value Output(bool transform) const {
    json::Value out = json::Value::EmptyObject();
    out.Set("_format_version", "3.0");
    out.Set("_transform", transform);
    for (const EntitySchema* schema : order_) {
      json::Value list = json::Value::EmptyArray();
      for (const Entry& e : entries_) {
        if (e.schema == schema) list.as_array().push_back(e.item);
      }
      if (!list.as_array().empty()) out.Set(schema->name, std::move(list));
    }
    return out;
  }

  json::Value& errors() { return errors_; }

 private:
  // The field of `child` that references `parent`, or "".
  static std::string ChildKey(const EntitySchema& child, const std::string& parent) {
    for (const auto& [field, ref] : ForeignFieldsOf(child)) {
      if (ref == parent) return field;
    }
    return "";
  }

  // A key of an entry names nested children when it is an entity that references the entry's
  // entity, unless the entity has its own field of that name (certificates' transient `snis`
  // list of names), in which case only a list of records counts as nested entities.
  bool IsNestedCollection(const EntitySchema& parent, const std::string& key,
                          const json::Value& value) const {
    const EntitySchema* child = catalog_.Find(key);
    if (!child || ChildKey(*child, parent.name).empty()) return false;
    if (!parent.Find(key)) return true;
    if (!value.is_array()) return false;
    for (const json::Value& v : value.as_array()) {
      if (v.is_object()) return true;
    }
    return false;
  }

  json::Value StripChildren(const EntitySchema& schema, const json::Value& raw) const {
    json::Value item = json::Value::EmptyObject();
    for (const auto& [k, v] : raw.as_object()) {
      if (!IsNestedCollection(schema, k, v)) item.Set(k, v);
    }
    return item;
  }

  void IndexEntries() {
    for (const Entry& e : entries_) {
      const json::Value* id = e.item.Find("id");
      if (id && id->is_string()) by_id_[{e.schema->name, id->as_string()}] = id->as_string();
      const json::Value* key =
          e.schema->endpoint_key.empty() ? nullptr : e.item.Find(e.schema->endpoint_key);
      if (key && key->is_string() && id && id->is_string()) {
        by_key_.emplace(std::pair(e.schema->name, key->as_string()), id->as_string());
      }
    }
  }

  // Kong's find_entity: by endpoint key first, then by id.
  std::optional<std::string> Find(const std::string& entity, const std::string& key) const {
    if (auto it = by_key_.find({entity, key}); it != by_key_.end()) return it->second;
    if (auto it = by_id_.find({entity, key}); it != by_id_.end()) return it->second;
    return std::nullopt;
  }

  // The entity as Dao validation sees it: every foreign key as {"id": <uuid>}.
  json::Value ForValidation(const Entry& e) const {
    json::Value v = e.item;
    for (const auto& [field, ref] : ForeignFieldsOf(*e.schema)) {
      json::Value* fk = v.Find(field);
      if (!fk || fk->is_null()) continue;
      const json::Value* key = fk->is_object() ? fk->Find("id") : fk;
      if (!key || !key->is_string()) continue;  // the validator names the wrong type
      std::optional<std::string> found = Find(ref, key->as_string());
      std::string id = found ? *found
                             : (schema::IsUuid(key->as_string()) ? key->as_string() : kUnresolvedId);
      json::Value obj = json::Value::EmptyObject();
      obj.Set("id", id);
      *fk = std::move(obj);
    }
    return v;
  }

  // Where validate_references files an entry's errors: its endpoint key, else its id.
  static std::string AtKey(const Entry& e) {
    const json::Value* key =
        e.schema->endpoint_key.empty() ? nullptr : e.item.Find(e.schema->endpoint_key);
    if (key && !key->is_null()) return KeyText(*key);
    return KeyText(*e.item.Find("id"));
  }

  const schema::Catalog& catalog_;
  std::vector<const EntitySchema*> order_;
  bool legacy_paths_;
  std::vector<Entry> entries_;
  std::map<std::pair<std::string, std::string>, std::string> by_id_, by_key_;
  json::Value errors_ = json::Value::EmptyObject();
};

// The document-level fields (declarative_config.lua build_fields).
json::Value CheckTopLevel(const json::Value& doc, const schema::Catalog& catalog) {
  json::Value errors = json::Value::EmptyObject();
  const json::Value* format = doc.Find("_format_version");
  if (!format) {
    errors.Set("_format_version", "required field missing");
  } else if (!format->is_string()) {
    errors.Set("_format_version", "expected a string");
  } else if (format->as_string() != "1.1" && format->as_string() != "2.1" &&
             format->as_string() != "3.0") {
    errors.Set("_format_version", "expected one of: 1.1, 2.1, 3.0");
  }
  for (const auto& [name, value] : doc.as_object()) {
    if (name == "_format_version") continue;
    if (name == "_transform") {
      if (!value.is_bool()) errors.Set(name, "expected a boolean");
    } else if (name == "_comment") {
      if (!value.is_string()) errors.Set(name, "expected a string");
    } else if (name == "_ignore") {
      if (!value.is_array()) errors.Set(name, "expected an array");
    } else if (!catalog.Find(name)) {
      errors.Set(name, "unknown field");
    } else if (!value.is_array()) {
      errors.Set(name, "expected an array");
    }
  }
  return errors;
}

Status Fail(json::Value fields, DeclarativeError* error) {
  json::Value body = schema::DeclarativeConfigBody(fields);
  std::string message = body.Find("message")->as_string();
  if (error) {
    error->message = message;
    error->fields = std::move(fields);
    error->parse_failure = false;
  }
  return Status::InvalidArgument(message);
}

}  // namespace

Result<json::Value> Flatten(const json::Value& document, const schema::Catalog& catalog,
                            DeclarativeError* error) {
  if (!document.is_object()) {
    std::string message = "failed parsing declarative configuration: expected an object";
    if (error) {
      error->message = message;
      error->fields = json::Value::EmptyObject();
      error->fields.Set("error", message);
      error->parse_failure = true;
    }
    return Status::InvalidArgument(message);
  }
  json::Value top = CheckTopLevel(document, catalog);
  if (!top.as_object().empty()) return Fail(std::move(top), error);

  const std::string& version = document.Find("_format_version")->as_string();
  Flattener flattener(catalog, version != "3.0");
  flattener.Walk(document, nullptr, "", {});
  flattener.Validate();
  if (!flattener.errors().as_object().empty()) return Fail(flattener.errors(), error);
  flattener.ResolveReferences();
  if (!flattener.errors().as_object().empty()) return Fail(flattener.errors(), error);
  const json::Value* transform = document.Find("_transform");
  return flattener.Output(transform ? transform->as_bool() : true);
}

}  // namespace kong::declarative
