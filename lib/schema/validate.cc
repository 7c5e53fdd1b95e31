// Schema:validate and the entity checkers (run_entity_check in kong/db/schema/init.lua).
#include <set>

#include "schema/engine.h"
#include "schema/host_syntax.h"

namespace kong::schema::internal {
namespace {

struct CheckerTraits {
  bool run_with_missing_fields;
  bool run_with_invalid_fields;
};

CheckerTraits TraitsOf(CheckKind k) {
  switch (k) {
    case CheckKind::kAtLeastOneOf: return {true, true};
    case CheckKind::kConditionalAtLeastOneOf: return {true, true};
    case CheckKind::kOnlyOneOf: return {false, true};
    case CheckKind::kDistinct: return {false, true};
    case CheckKind::kConditional: return {false, true};
    case CheckKind::kCustom: return {false, false};
    case CheckKind::kMutuallyRequired: return {true, false};
    case CheckKind::kMutuallyExclusive: return {true, false};
    case CheckKind::kMutuallyExclusiveSets: return {true, false};
  }
  return {false, false};
}

// get_schema_field with dotted names.
const Field* ResolvePath(const View& view, std::string_view dotted) {
  size_t dot = dotted.find('.');
  const Field* f = view.Resolve(dotted.substr(0, dot));
  while (f != nullptr && dot != std::string_view::npos) {
    dotted = dotted.substr(dot + 1);
    dot = dotted.find('.');
    f = f->record ? f->record->Find(dotted.substr(0, dot)) : nullptr;
  }
  return f;
}

struct CheckFailure {
  std::string err;   // formatted with the checker's message
  std::string err2;  // a custom message replacing it, when set
};

}  // namespace

json::Value Engine::Validate(const View& view, const json::Value& input, bool full_check) const {
  json::Value errors = json::Value::EmptyObject();
  View v = view;
  std::shared_ptr<const Subschema> sub;
  const EntitySchema* e = view.entity;
  if (e != nullptr && !e->subschema_key.empty()) {
    const json::Value* key = input.Find(e->subschema_key);
    if (key == nullptr || key->is_null()) {
      errors.Set(e->subschema_key, "required field missing");
      return errors;
    }
    sub = SubschemaFor(*e, input);
    if (!sub) {
      std::string fmt = e->subschema_error.empty() ? "unknown type: %s" : e->subschema_error;
      // Lua formats the first element of a set; an empty one formats nil.
      std::string arg = !key->is_array() ? LuaToString(*key)
                        : key->as_array().empty() ? std::string("nil")
                                                  : LuaToString(key->as_array()[0]);
      errors.Set(e->subschema_key, FormatOne(fmt, arg));
      return errors;
    }
    v.sub = sub.get();
  }
  for (const json::Member& m : input.as_object()) {
    if (m.first == "updated_at") continue;  // Kong's unvalidated_fields
    if (o_.declarative && (m.first == "_comment" || m.first == "_ignore")) {
      if (m.first == "_comment" && !m.second.is_string()) errors.Set(m.first, "expected a string");
      if (m.first == "_ignore" && !m.second.is_array()) errors.Set(m.first, "expected an array");
      continue;
    }
    const Field* f = v.Resolve(m.first);
    if (f == nullptr) {
      errors.Set(m.first, "unknown field");
      continue;
    }
    if (auto err = ValidateField(*f, m.second)) errors.Set(m.first, std::move(*err));
  }
  for (const NamedField& nf : view.base->fields) {
    if (!nf.field.required.value_or(false)) continue;
    const json::Value* value = input.Find(nf.name);
    if ((value != nullptr && value->is_null()) || (full_check && value == nullptr)) {
      errors.Set(nf.name, "required field missing");
    }
  }
  RunEntityChecks(v, input, full_check, errors);
  return errors;
}

void Engine::RunEntityChecks(const View& view, const json::Value& input, bool full_check,
                             json::Value& errors) const {
  View base_view = view;
  base_view.sub = nullptr;
  for (const EntityCheck& c : view.base->entity_checks) {
    RunCheck(base_view, c, input, full_check, errors);
  }
  if (view.sub != nullptr) {
    for (const EntityCheck& c : view.sub->entity_checks) RunCheck(view, c, input, full_check, errors);
  }
}

void Engine::RunCheck(const View& view, const EntityCheck& c, const json::Value& input,
                      bool full_check, json::Value& errors) const {
  CheckerTraits traits = TraitsOf(c.kind);
  std::vector<std::string> to_check;
  std::set<std::string> required;
  switch (c.kind) {
    case CheckKind::kConditionalAtLeastOneOf:
      to_check.push_back(c.if_field);
      to_check.insert(to_check.end(), c.then_at_least_one_of.begin(), c.then_at_least_one_of.end());
      to_check.insert(to_check.end(), c.else_then_at_least_one_of.begin(),
                      c.else_then_at_least_one_of.end());
      break;
    case CheckKind::kConditional:
      to_check = {c.if_field, c.then_field};
      required.insert(c.if_field);
      break;
    case CheckKind::kMutuallyExclusiveSets:
      to_check = c.fields;
      to_check.insert(to_check.end(), c.fields2.begin(), c.fields2.end());
      break;
    default:
      to_check = c.fields;
      required.insert(c.fields.begin(), c.fields.end());
      break;
  }
  std::vector<std::string> missing;
  bool all_nil = true;
  bool all_ok = true;
  json::Value projection = json::Value::EmptyObject();
  for (const std::string& name : to_check) {
    const json::Value* value = GetPath(input, name);
    if (value == nullptr) {
      if (!traits.run_with_missing_fields && !c.run_with_missing_fields && required.count(name)) {
        missing.push_back(name);
      }
    } else {
      all_nil = false;
      const Field* f = ResolvePath(view, name);
      if (f != nullptr && f->type == FieldType::kString && f->referenceable && value->is_string() &&
          IsVaultReference(value->as_string())) {
        return;
      }
      SetPath(projection, name, *value);
    }
    if (errors.Find(name) != nullptr) all_ok = false;
  }
  if (!all_ok && !traits.run_with_invalid_fields && !c.run_with_invalid_fields) return;
  if (all_nil && !(traits.run_with_missing_fields && full_check)) return;
  if (!missing.empty()) {
    for (const std::string& m : missing) {
      SetPath(errors, m,
              o_.updating ? "field required for entity check when updating"
                          : "field required for entity check");
    }
    return;
  }

  auto count_nonempty = [&](const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const std::string& n : names) {
      if (IsNonEmpty(GetPath(projection, n))) out.push_back(n);
    }
    return out;
  };
  auto matches = [&](const std::string& field_name, const Field& overlay,
                     const json::Value& value) {
    const Field* base = ResolvePath(view, field_name);
    Field effective = base != nullptr ? Overlay(*base, overlay) : overlay;
    return !ValidateField(effective, value).has_value();
  };

  std::optional<CheckFailure> failure;
  std::string fmt;
  switch (c.kind) {
    case CheckKind::kAtLeastOneOf:
      fmt = o_.updating ? "when updating, at least one of these fields must be non-empty: %s"
                        : "at least one of these fields must be non-empty: %s";
      if (count_nonempty(c.fields).empty()) failure = CheckFailure{QuotedList(c.fields), ""};
      break;
    case CheckKind::kConditionalAtLeastOneOf: {
      fmt = o_.updating ? "when updating, at least one of these fields must be non-empty: %s"
                        : "at least one of these fields must be non-empty: %s";
      const json::Value* if_value = GetPath(projection, c.if_field);
      if (if_value == nullptr) break;
      const std::vector<std::string>* names = &c.then_at_least_one_of;
      const std::string* custom = &c.then_err;
      if (!matches(c.if_field, *c.if_match, *if_value)) {
        if (!c.else_match || !matches(c.if_field, *c.else_match, *if_value)) break;
        names = &c.else_then_at_least_one_of;
        custom = &c.else_then_err;
      }
      if (!count_nonempty(*names).empty()) break;
      std::string list = QuotedList(*names);
      failure = CheckFailure{list, custom->empty() ? "" : FormatOne(*custom, list)};
      break;
    }
    case CheckKind::kOnlyOneOf:
      fmt = "exactly one of these fields must be non-empty: %s";
      if (count_nonempty(c.fields).size() != 1) failure = CheckFailure{QuotedList(c.fields), ""};
      break;
    case CheckKind::kDistinct: {
      fmt = "values of these fields must be distinct: %s";
      std::vector<json::Value> seen;
      for (const std::string& n : c.fields) {
        const json::Value* value = GetPath(projection, n);
        if (!IsNonEmpty(value)) continue;
        for (const json::Value& s : seen) {
          if (s == *value) failure = CheckFailure{QuotedList(c.fields), ""};
        }
        seen.push_back(*value);
      }
      break;
    }
    case CheckKind::kConditional: {
      fmt = "failed conditional validation given value of field '%s'";
      const json::Value* if_value = GetPath(projection, c.if_field);
      const json::Value* then_ptr = GetPath(projection, c.then_field);
      json::Value then_value = then_ptr != nullptr ? *then_ptr : json::Value();
      if (if_value == nullptr || !matches(c.if_field, *c.if_match, *if_value)) break;
      if (c.then_match->required.value_or(false) && then_value.is_null()) {
        SetPath(errors, c.then_field, "required field missing");
        failure = CheckFailure{c.if_field, ""};
        break;
      }
      const Field* then_base = ResolvePath(view, c.then_field);
      Field effective = then_base != nullptr ? Overlay(*then_base, *c.then_match) : *c.then_match;
      if (auto err = ValidateField(effective, then_value)) {
        SetPath(errors, c.then_field, std::move(*err));
        failure = CheckFailure{c.if_field,
                               c.then_err.empty() ? "" : FormatOne(c.then_err, c.if_field)};
      }
      break;
    }
    case CheckKind::kCustom:
      fmt = "%s";
      if (c.fn) {
        if (auto err = c.fn(projection)) failure = CheckFailure{*err, ""};
      }
      break;
    case CheckKind::kMutuallyRequired: {
      fmt = "all or none of these fields must be set: %s";
      size_t n = count_nonempty(c.fields).size();
      if (n != 0 && n != c.fields.size()) failure = CheckFailure{QuotedList(c.fields), ""};
      break;
    }
    case CheckKind::kMutuallyExclusive:
      fmt = "only one or none of these fields must be set: %s";
      if (count_nonempty(c.fields).size() > 1) failure = CheckFailure{QuotedList(c.fields), ""};
      break;
    case CheckKind::kMutuallyExclusiveSets: {
      fmt = "these sets are mutually exclusive: %s";
      std::vector<std::string> a = count_nonempty(c.fields), b = count_nonempty(c.fields2);
      if (!a.empty() && !b.empty()) {
        failure = CheckFailure{"(" + QuotedList(a) + "), (" + QuotedList(b) + ")", ""};
      }
      break;
    }
  }
  if (!failure) return;
  AddEntityError(errors, failure->err2.empty() ? FormatOne(fmt, failure->err) : failure->err2);
}

}  // namespace kong::schema::internal
