// process_auto_fields, merge_values and the read-path completion (Kong's "select" context).
#include <cmath>

#include "schema/engine.h"
#include "schema/uuid.h"

namespace kong::schema::internal {
namespace {

bool IsEmptyContainer(const json::Value& v) {
  return (v.is_array() && v.as_array().empty()) || (v.is_object() && v.as_object().empty());
}

// Integral doubles become integers for integer fields, so output reads "80", not "80.0".
void NormalizeNumber(const Field& f, json::Value& v) {
  if (f.type == FieldType::kInteger && v.type() == json::Value::Type::kDouble) {
    double d = v.as_double();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e15) {
      v = json::Value(static_cast<int64_t>(d));
    }
  }
}

// Rebuilds `data` with schema fields first, in schema order, then any other keys.
void ReorderLike(const Record& rec, json::Value& data) {
  json::Object out;
  json::Object& in = data.as_object();
  std::vector<bool> used(in.size(), false);
  for (const NamedField& nf : rec.fields) {
    for (size_t i = 0; i < in.size(); ++i) {
      if (!used[i] && in[i].first == nf.name) {
        out.push_back(std::move(in[i]));
        used[i] = true;
        break;
      }
    }
  }
  for (size_t i = 0; i < in.size(); ++i) {
    if (!used[i]) out.push_back(std::move(in[i]));
  }
  data = json::Value(std::move(out));
}

}  // namespace

std::shared_ptr<const Subschema> Engine::SubschemaFor(const EntitySchema& e,
                                                      const json::Value& data) const {
  if (e.subschema_key.empty() || !e.find_subschema || !data.is_object()) return nullptr;
  const json::Value* key = data.Find(e.subschema_key);
  if (key == nullptr) return nullptr;
  if (key->is_string()) return e.find_subschema(key->as_string());
  if (key->is_array()) {
    for (const json::Value& k : key->as_array()) {
      if (!k.is_string()) continue;
      if (auto sub = e.find_subschema(k.as_string())) return sub;
    }
  }
  return nullptr;
}

std::optional<json::Value> Engine::HandleMissing(const Field& f, Context ctx) const {
  (void)ctx;
  if (f.transient) return std::nullopt;
  if (f.default_value) return *f.default_value;
  // Kong's handle_missing_field: a missing record, required or not, expands to its nested
  // defaults (request-transformer's `add` shows {"body":[],"headers":[],...}).
  if (f.type == FieldType::kRecord && f.record && !f.abstract) {
    json::Value v = json::Value::EmptyObject();
    ProcessAutoFields(View{f.record.get(), nullptr, nullptr}, v, Context::kInsert);
    return v;
  }
  if (!f.required.value_or(false)) return json::Value();
  return std::nullopt;
}

std::optional<json::Value> Engine::AdjustField(const Field& f, std::optional<json::Value> value,
                                               Context ctx) const {
  if (ctx == Context::kSelect && value && value->is_null() && f.required.value_or(false)) {
    return HandleMissing(f, ctx);
  }
  if (f.abstract) return value;
  if (f.type == FieldType::kRecord) {
    bool present = value.has_value();
    bool is_null = present && value->is_null();
    bool recurse = ctx == Context::kUpdate ? present && !is_null
                                           : !is_null && (present || f.required.value_or(false));
    if (recurse) {
      std::optional<json::Value> v = present ? value : HandleMissing(f, ctx);
      if (v && IsEmptyContainer(*v)) *v = json::Value::EmptyObject();
      if (v && v->is_object() && f.record) {
        // Shorthand errors inside a record surface when the record is validated.
        json::Value copy = *v;
        if (ProcessAutoFields(View{f.record.get(), nullptr, nullptr}, copy, ctx).is_null()) {
          return copy;
        }
      }
      if (v) return v;
    }
  } else if (value && (value->is_array() || value->is_object())) {
    if ((f.type == FieldType::kArray || f.type == FieldType::kSet) && value->is_object() &&
        value->as_object().empty()) {
      *value = json::Value::EmptyArray();
    }
    if (f.type == FieldType::kMap && value->is_array() && value->as_array().empty()) {
      *value = json::Value::EmptyObject();
    }
    if ((f.type == FieldType::kArray || f.type == FieldType::kSet) && value->is_array()) {
      json::Array& items = value->as_array();
      if (f.type == FieldType::kSet) {
        // Lua sets dedup by key; tables are distinct keys, so only scalars collapse.
        json::Array unique;
        for (json::Value& item : items) {
          bool dup = false;
          if (!item.is_array() && !item.is_object()) {
            for (const json::Value& u : unique) dup = dup || u == item;
          }
          if (!dup) unique.push_back(std::move(item));
        }
        items = std::move(unique);
      }
      if (f.elements) {
        for (json::Value& item : items) {
          if (auto adjusted = AdjustField(*f.elements, item, ctx)) item = std::move(*adjusted);
        }
      }
    } else if (f.type == FieldType::kMap && value->is_object() && f.values) {
      for (json::Member& m : value->as_object()) {
        if (auto adjusted = AdjustField(*f.values, m.second, ctx)) m.second = std::move(*adjusted);
      }
    }
  }
  if (!value && ctx != Context::kUpdate) return HandleMissing(f, ctx);
  if (value) NormalizeNumber(f, *value);
  return value;
}

json::Value Engine::ProcessAutoFields(const View& view, json::Value& data, Context ctx) const {
  if (!data.is_object()) return json::Value();
  json::Value errors = json::Value::EmptyObject();
  for (const ShorthandField& sh : view.base->shorthand_fields) {
    const json::Value* v = data.Find(sh.name);
    if (v == nullptr) continue;
    if (auto err = ValidateField(sh.field, *v)) {
      errors.Set(sh.name, std::move(*err));
      continue;
    }
    json::Value value = *v;
    data.Erase(sh.name);
    std::optional<json::Value> out = sh.func ? sh.func(value) : std::nullopt;
    if (!out || !out->is_object()) continue;
    for (json::Member& m : out->as_object()) {
      if (m.second.is_object()) {
        const json::Value* existing = data.Find(m.first);
        json::Value merged = existing != nullptr && existing->is_object()
                                 ? *existing : json::Value::EmptyObject();
        for (json::Member& nm : m.second.as_object()) merged.Set(nm.first, std::move(nm.second));
        data.Set(m.first, std::move(merged));
      } else {
        data.Set(m.first, std::move(m.second));
      }
    }
  }
  if (!errors.as_object().empty()) return errors;

  std::shared_ptr<const Subschema> sub;
  View v = view;
  if (view.entity != nullptr) {
    sub = SubschemaFor(*view.entity, data);
    v.sub = sub.get();
  }
  bool insert_or_upsert = ctx == Context::kInsert || ctx == Context::kUpsert;
  for (const NamedField& nf : view.base->fields) {
    const Field& field = *v.Resolve(nf.name);
    const json::Value* current = data.Find(nf.name);
    std::optional<json::Value> value;
    if (current != nullptr) value = *current;
    if (ctx != Context::kSelect && field.auto_generated && o_.auto_fields) {
      if (field.uuid) {
        if (insert_or_upsert && !value) value = json::Value(NewUuidV4());
      } else if (field.type == FieldType::kString) {
        if (insert_or_upsert && (!value || value->is_null())) value = json::Value(NewRandomKey());
      } else if ((nf.name == "created_at" && insert_or_upsert && (!value || value->is_null())) ||
                 (nf.name == "updated_at" && (insert_or_upsert || ctx == Context::kUpdate))) {
        if (field.type == FieldType::kNumber) {
          value = json::Value(std::floor(o_.now * 1000) / 1000);
        } else {
          value = json::Value(static_cast<int64_t>(std::floor(o_.now)));
        }
      }
    }
    std::optional<json::Value> adjusted = AdjustField(field, std::move(value), ctx);
    if (adjusted) {
      data.Set(nf.name, std::move(*adjusted));
    } else {
      data.Erase(nf.name);
    }
  }
  ReorderLike(*view.base, data);
  return json::Value();
}

json::Value Engine::MergeValues(const View& view, const json::Value& top,
                                const json::Value& bottom) const {
  json::Value out = bottom.is_object() ? bottom : json::Value::EmptyObject();
  if (!top.is_object()) return out;
  std::shared_ptr<const Subschema> sub;
  View v = view;
  if (view.entity != nullptr) {
    sub = SubschemaFor(*view.entity, out);
    v.sub = sub.get();
  }
  for (const json::Member& m : top.as_object()) {
    const Field* f = v.Resolve(m.first);
    const json::Value* below = out.Find(m.first);
    if (f != nullptr && f->type == FieldType::kRecord && !f->abstract && f->record &&
        m.second.is_object()) {
      json::Value b = below != nullptr ? *below : json::Value();
      out.Set(m.first, MergeValues(View{f->record.get(), nullptr, nullptr}, m.second, b));
    } else {
      out.Set(m.first, m.second);
    }
  }
  return out;
}

void Engine::CompleteForOutput(const View& view, json::Value& data) const {
  if (!data.is_object()) return;
  std::shared_ptr<const Subschema> sub;
  View v = view;
  if (view.entity != nullptr) {
    sub = SubschemaFor(*view.entity, data);
    v.sub = sub.get();
  }
  for (const NamedField& nf : view.base->fields) {
    const Field& f = *v.Resolve(nf.name);
    json::Value* value = data.Find(nf.name);
    if (value == nullptr || (value->is_null() && f.required.value_or(false))) {
      if (auto missing = HandleMissing(f, Context::kSelect)) {
        value = &data.Set(nf.name, std::move(*missing));
      } else {
        continue;
      }
    }
    NormalizeNumber(f, *value);
    if (f.type == FieldType::kRecord && f.record && value->is_object()) {
      CompleteForOutput(View{f.record.get(), nullptr, nullptr}, *value);
    } else if ((f.type == FieldType::kArray || f.type == FieldType::kSet) && f.elements &&
               value->is_array()) {
      for (json::Value& item : value->as_array()) {
        NormalizeNumber(*f.elements, item);
        if (f.elements->type == FieldType::kRecord && f.elements->record && item.is_object()) {
          CompleteForOutput(View{f.elements->record.get(), nullptr, nullptr}, item);
        }
      }
    } else if (f.type == FieldType::kForeign && value->is_object()) {
      const EntitySchema* target = o_.find_entity ? o_.find_entity(f.reference) : nullptr;
      std::vector<std::string> pk = target != nullptr ? target->primary_key
                                                      : std::vector<std::string>{"id"};
      json::Value key = json::Value::EmptyObject();
      for (const std::string& k : pk) {
        if (const json::Value* kv = value->Find(k)) key.Set(k, *kv);
      }
      *value = std::move(key);
    }
  }
  ReorderLike(*view.base, data);
}

}  // namespace kong::schema::internal
