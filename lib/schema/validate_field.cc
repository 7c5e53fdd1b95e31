// validate_field: type checks, then Kong's validators in validators_order.
#include <cmath>
#include <cstdio>

#include "schema/engine.h"
#include "schema/host_syntax.h"
#include "schema/lua_pattern.h"
#include "schema/uuid.h"

namespace kong::schema::internal {
namespace {

bool IsIntegral(const json::Value& v) {
  if (v.is_int()) return true;
  if (!v.is_number()) return false;
  double d = v.as_double();
  return std::isfinite(d) && std::floor(d) == d;
}

std::string JoinValues(const std::vector<json::Value>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += LuaToString(values[i]);
  }
  return out;
}

std::string FormatInt(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(d));
  return buf;
}

int64_t Length(const json::Value& v) {
  if (v.is_string()) return static_cast<int64_t>(v.as_string().size());
  if (v.is_array()) return static_cast<int64_t>(v.as_array().size());
  if (v.is_object()) return static_cast<int64_t>(v.as_object().size());
  return 0;
}

// Lua's `a < b` on numbers (other types never compare here).
double Num(const json::Value& v) { return v.is_number() ? v.as_double() : 0; }

std::optional<std::string> RunValidators(const Field& f, const json::Value& value) {
  if (f.eq && !f.eq->is_null() && value != *f.eq) return "value must be " + LuaToString(*f.eq);
  if (f.ne && value == *f.ne) {
    return "value must not be " + (f.ne->is_null() ? std::string("null") : LuaToString(value));
  }
  if (!f.not_one_of.empty()) {
    for (const json::Value& o : f.not_one_of) {
      if (value == o) return "must not be one of: " + JoinValues(f.not_one_of);
    }
  }
  if (!f.one_of.empty()) {
    bool found = false;
    for (const json::Value& o : f.one_of) found = found || value == o;
    if (!found) return "expected one of: " + JoinValues(f.one_of);
  }
  if (f.gt && value.is_number() && !(Num(value) > *f.gt)) {
    return "value must be greater than " + LuaToString(json::Value(*f.gt));
  }
  if (f.timestamp && value.is_number() && !(Num(value) > 0)) return "expected a valid timestamp";
  if (f.uuid && value.is_string() && !IsUuid(value.as_string())) {
    return "expected a valid UUID";
  }
  if (f.between && value.is_number() &&
      (Num(value) < f.between->first || Num(value) > f.between->second)) {
    return "value should be between " + FormatInt(f.between->first) + " and " +
           FormatInt(f.between->second);
  }
  int64_t len = Length(value);
  if (f.len_eq && len != *f.len_eq) return "length must be " + std::to_string(*f.len_eq);
  if (f.len_min && len < *f.len_min) return "length must be at least " + std::to_string(*f.len_min);
  if (f.len_max && len > *f.len_max) return "length must be at most " + std::to_string(*f.len_max);
  if (value.is_string()) {
    const std::string& s = value.as_string();
    if (f.starts_with && s.compare(0, f.starts_with->size(), *f.starts_with) != 0) {
      return "should start with: " + *f.starts_with;
    }
    if (f.not_match && LuaPatternFind(s, *f.not_match)) return "invalid value: " + s;
    for (const PatternRule& r : f.match_none) {
      if (LuaPatternFind(s, r.pattern)) return r.err;
    }
    if (f.match && !LuaPatternFind(s, *f.match)) return "invalid value: " + s;
    for (const PatternRule& r : f.match_all) {
      if (!LuaPatternFind(s, r.pattern)) return r.err;
    }
    if (f.match_any) {
      bool any = false;
      for (const std::string& p : f.match_any->patterns) any = any || LuaPatternFind(s, p);
      if (!any) return f.match_any->err;
    }
  }
  if (f.contains && value.is_array()) {
    bool found = false;
    for (const json::Value& e : value.as_array()) found = found || e == *f.contains;
    if (!found) return "expected to contain: " + LuaToString(*f.contains);
  }
  if (f.custom_validator) {
    if (std::optional<std::string> err = f.custom_validator(value)) return err;
  }
  if (!f.mutually_exclusive_subsets.empty() && value.is_array()) {
    std::vector<const std::vector<std::string>*> member_of;
    for (const json::Value& e : value.as_array()) {
      if (!e.is_string()) continue;
      for (const auto& subset : f.mutually_exclusive_subsets) {
        bool in = false;
        for (const std::string& m : subset) in = in || m == e.as_string();
        bool seen = false;
        for (const auto* s : member_of) seen = seen || s == &subset;
        if (in && !seen) member_of.push_back(&subset);
      }
    }
    if (member_of.size() > 1) {
      std::string list;
      for (size_t i = 0; i < member_of.size(); ++i) {
        if (i > 0) list += ", ";
        list += "(" + QuotedList(*member_of[i]) + ")";
      }
      return "these sets are mutually exclusive: " + list;
    }
  }
  return std::nullopt;
}

bool IsEmptyContainer(const json::Value& v) {
  return (v.is_array() && v.as_array().empty()) || (v.is_object() && v.as_object().empty());
}

}  // namespace

std::optional<json::Value> Engine::ValidateField(const Field& f, const json::Value& value,
                                                 bool force_required) const {
  if (value.is_null()) {
    if (f.ne && f.ne->is_null()) return json::Value(f.err.value_or("value must not be null"));
    if (f.eq && !f.eq->is_null()) return json::Value("value must be " + LuaToString(*f.eq));
    if (force_required || f.required.value_or(false)) return json::Value("required field missing");
    return std::nullopt;
  }
  if (f.eq && f.eq->is_null()) return json::Value(f.err.value_or("value must be null"));
  if (f.abstract) {
    return json::Value("error in schema definition: abstract field was not specialized");
  }
  bool skip_validators = false;
  switch (f.type) {
    case FieldType::kArray:
    case FieldType::kSet: {
      // Lua cannot tell {} from [], so an empty object is an empty array too.
      if (!value.is_array() && !IsEmptyContainer(value)) {
        return json::Value(f.type == FieldType::kArray ? "expected an array" : "expected a set");
      }
      if (value.is_array() && f.elements) {
        json::Array errs;
        bool failed = false;
        const json::Array& items = value.as_array();
        for (size_t i = 0; i < items.size(); ++i) {
          std::optional<json::Value> e = ValidateField(*f.elements, items[i], true);
          if (e) {
            errs.resize(i + 1);
            errs[i] = std::move(*e);
            failed = true;
          }
        }
        if (failed) return json::Value(std::move(errs));
      }
      break;
    }
    case FieldType::kMap:
      if (!value.is_object() && !IsEmptyContainer(value)) return json::Value("expected a map");
      if (value.is_object()) {
        for (const json::Member& m : value.as_object()) {
          if (f.keys) {
            if (auto e = ValidateField(*f.keys, json::Value(m.first), true)) return e;
          }
          if (f.values) {
            if (auto e = ValidateField(*f.values, m.second, true)) return e;
          }
        }
      }
      break;
    case FieldType::kRecord: {
      if (!value.is_object() && !IsEmptyContainer(value)) return json::Value("expected a record");
      if (f.record) {
        View view{f.record.get(), nullptr, nullptr};
        json::Value copy = value.is_object() ? value : json::Value::EmptyObject();
        json::Value shorthand_errors = ProcessAutoFields(view, copy, Context::kInsert);
        if (!shorthand_errors.is_null()) return shorthand_errors;
        json::Value errs = Validate(view, copy, true);
        if (!errs.as_object().empty()) return errs;
      }
      break;
    }
    case FieldType::kForeign:
      if (auto e = ValidateForeign(f, value)) return e;
      break;
    case FieldType::kInteger:
      if (!IsIntegral(value)) return json::Value("expected an integer");
      break;
    case FieldType::kNumber:
      if (!value.is_number()) return json::Value("expected a number");
      break;
    case FieldType::kString:
      if (!value.is_string()) return json::Value("expected a string");
      if (f.referenceable && IsVaultReference(value.as_string())) skip_validators = true;
      break;
    case FieldType::kBoolean:
      if (!value.is_bool()) return json::Value("expected a boolean");
      break;
    case FieldType::kAny:
      break;
  }
  if (skip_validators) return std::nullopt;
  if (f.type == FieldType::kString && !f.len_min) {
    // Kong: "empty strings are not accepted by default".
    Field with_min = f;
    with_min.len_min = 1;
    if (auto err = RunValidators(with_min, value)) return json::Value(f.err.value_or(*err));
    return std::nullopt;
  }
  if (auto err = RunValidators(f, value)) return json::Value(f.err.value_or(*err));
  return std::nullopt;
}

std::optional<json::Value> Engine::ValidateForeign(const Field& f, const json::Value& value) const {
  const EntitySchema* target = o_.find_entity ? o_.find_entity(f.reference) : nullptr;
  std::vector<std::string> pk = target != nullptr ? target->primary_key
                                                  : std::vector<std::string>{"id"};
  json::Value errors = json::Value::EmptyObject();
  for (const std::string& k : pk) {
    const json::Value* v = value.is_object() ? value.Find(k) : nullptr;
    const Field* pk_field = target != nullptr ? target->Find(k) : nullptr;
    if (v == nullptr || (v->is_bool() && !v->as_bool())) {
      errors.Set(k, "missing primary key");
    } else if (v->is_null()) {
      errors.Set(k, "required field missing");
    } else if (pk_field != nullptr) {
      if (auto e = ValidateField(*pk_field, *v)) errors.Set(k, std::move(*e));
    } else if (!v->is_string()) {
      errors.Set(k, "expected a string");
    } else if (!IsUuid(v->as_string())) {
      errors.Set(k, "expected a valid UUID");
    }
  }
  if (errors.as_object().empty()) return std::nullopt;
  if (value.is_object() && target != nullptr) {
    View view{target, nullptr, target};
    json::Value foreign_errors = Validate(view, value, false);
    if (!foreign_errors.as_object().empty()) return foreign_errors;
  }
  return errors;
}

}  // namespace kong::schema::internal
