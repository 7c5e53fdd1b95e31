// Builders and small queries over the schema model.
#include "schema/field.h"

namespace kong::schema {

const char* FieldTypeName(FieldType t) {
  switch (t) {
    case FieldType::kAny: return "any";
    case FieldType::kString: return "string";
    case FieldType::kInteger: return "integer";
    case FieldType::kNumber: return "number";
    case FieldType::kBoolean: return "boolean";
    case FieldType::kArray: return "array";
    case FieldType::kSet: return "set";
    case FieldType::kMap: return "map";
    case FieldType::kRecord: return "record";
    case FieldType::kForeign: return "foreign";
  }
  return "any";
}

const char* CheckKindName(CheckKind k) {
  switch (k) {
    case CheckKind::kAtLeastOneOf: return "at_least_one_of";
    case CheckKind::kConditionalAtLeastOneOf: return "conditional_at_least_one_of";
    case CheckKind::kOnlyOneOf: return "only_one_of";
    case CheckKind::kDistinct: return "distinct";
    case CheckKind::kConditional: return "conditional";
    case CheckKind::kCustom: return "custom_entity_check";
    case CheckKind::kMutuallyRequired: return "mutually_required";
    case CheckKind::kMutuallyExclusive: return "mutually_exclusive";
    case CheckKind::kMutuallyExclusiveSets: return "mutually_exclusive_sets";
  }
  return "custom_entity_check";
}

const Field* Record::Find(std::string_view name) const {
  for (const NamedField& f : fields) {
    if (f.name == name) return &f.field;
  }
  return nullptr;
}

std::vector<std::string> EntitySchema::UniqueFields() const {
  std::vector<std::string> out;
  for (const NamedField& f : fields) {
    if (f.field.unique || (!endpoint_key.empty() && f.name == endpoint_key)) out.push_back(f.name);
  }
  return out;
}

namespace {
Field Typed(FieldType t) {
  Field f;
  f.type = t;
  return f;
}
}  // namespace

Field StringField() { return Typed(FieldType::kString); }
Field IntegerField() { return Typed(FieldType::kInteger); }
Field NumberField() { return Typed(FieldType::kNumber); }
Field BooleanField() { return Typed(FieldType::kBoolean); }

Field ArrayOf(Field elements) {
  Field f = Typed(FieldType::kArray);
  f.elements = std::make_shared<const Field>(std::move(elements));
  return f;
}

Field SetOf(Field elements) {
  Field f = Typed(FieldType::kSet);
  f.elements = std::make_shared<const Field>(std::move(elements));
  return f;
}

Field MapOf(Field keys, Field values) {
  Field f = Typed(FieldType::kMap);
  f.keys = std::make_shared<const Field>(std::move(keys));
  f.values = std::make_shared<const Field>(std::move(values));
  return f;
}

Field RecordOf(std::vector<NamedField> fields, std::vector<EntityCheck> checks) {
  Field f = Typed(FieldType::kRecord);
  auto r = std::make_shared<Record>();
  r->fields = std::move(fields);
  r->entity_checks = std::move(checks);
  f.record = std::move(r);
  return f;
}

Field Foreign(std::string reference, std::string on_delete) {
  Field f = Typed(FieldType::kForeign);
  f.reference = std::move(reference);
  f.on_delete = std::move(on_delete);
  return f;
}

Field Overlay(const Field& base, const Field& o) {
  Field f = base;
  if (o.type != FieldType::kAny) f.type = o.type;
  if (o.required) f.required = o.required;
  f.unique = f.unique || o.unique;
  f.auto_generated = f.auto_generated || o.auto_generated;
  f.uuid = f.uuid || o.uuid;
  f.timestamp = f.timestamp || o.timestamp;
  f.referenceable = f.referenceable || o.referenceable;
  f.encrypted = f.encrypted || o.encrypted;
  f.abstract = f.abstract || o.abstract;
  f.transient = f.transient || o.transient;
  if (o.default_value) f.default_value = o.default_value;
  if (o.eq) f.eq = o.eq;
  if (o.ne) f.ne = o.ne;
  if (!o.not_one_of.empty()) f.not_one_of = o.not_one_of;
  if (!o.one_of.empty()) f.one_of = o.one_of;
  if (o.gt) f.gt = o.gt;
  if (o.between) f.between = o.between;
  if (o.len_eq) f.len_eq = o.len_eq;
  if (o.len_min) f.len_min = o.len_min;
  if (o.len_max) f.len_max = o.len_max;
  if (o.starts_with) f.starts_with = o.starts_with;
  if (o.not_match) f.not_match = o.not_match;
  if (!o.match_none.empty()) f.match_none = o.match_none;
  if (o.match) f.match = o.match;
  if (!o.match_all.empty()) f.match_all = o.match_all;
  if (o.match_any) f.match_any = o.match_any;
  if (o.contains) f.contains = o.contains;
  if (o.custom_validator) f.custom_validator = o.custom_validator;
  if (!o.mutually_exclusive_subsets.empty()) {
    f.mutually_exclusive_subsets = o.mutually_exclusive_subsets;
  }
  if (o.err) f.err = o.err;
  if (o.elements) f.elements = o.elements;
  if (o.keys) f.keys = o.keys;
  if (o.values) f.values = o.values;
  if (o.record) f.record = o.record;
  if (!o.reference.empty()) f.reference = o.reference;
  if (!o.on_delete.empty()) f.on_delete = o.on_delete;
  if (!o.description.empty()) f.description = o.description;
  return f;
}

namespace {
EntityCheck ListCheck(CheckKind k, std::vector<std::string> fields) {
  EntityCheck c;
  c.kind = k;
  c.fields = std::move(fields);
  return c;
}
}  // namespace

EntityCheck AtLeastOneOf(std::vector<std::string> fields) {
  return ListCheck(CheckKind::kAtLeastOneOf, std::move(fields));
}
EntityCheck OnlyOneOf(std::vector<std::string> fields) {
  return ListCheck(CheckKind::kOnlyOneOf, std::move(fields));
}
EntityCheck Distinct(std::vector<std::string> fields) {
  return ListCheck(CheckKind::kDistinct, std::move(fields));
}
EntityCheck MutuallyRequired(std::vector<std::string> fields) {
  return ListCheck(CheckKind::kMutuallyRequired, std::move(fields));
}
EntityCheck MutuallyExclusive(std::vector<std::string> fields) {
  return ListCheck(CheckKind::kMutuallyExclusive, std::move(fields));
}

EntityCheck Conditional(std::string if_field, Field if_match, std::string then_field,
                        Field then_match, std::string then_err) {
  EntityCheck c;
  c.kind = CheckKind::kConditional;
  c.if_field = std::move(if_field);
  c.if_match = std::make_shared<const Field>(std::move(if_match));
  c.then_field = std::move(then_field);
  c.then_match = std::make_shared<const Field>(std::move(then_match));
  c.then_err = std::move(then_err);
  return c;
}

EntityCheck CustomCheck(std::vector<std::string> field_sources,
                        std::function<std::optional<std::string>(const json::Value&)> fn) {
  EntityCheck c;
  c.kind = CheckKind::kCustom;
  c.fields = std::move(field_sources);
  c.fn = std::move(fn);
  return c;
}

json::Value Strings(std::initializer_list<const char*> items) {
  json::Array a;
  for (const char* s : items) a.emplace_back(s);
  return json::Value(std::move(a));
}

std::vector<json::Value> StringValues(std::initializer_list<const char*> items) {
  std::vector<json::Value> v;
  for (const char* s : items) v.emplace_back(s);
  return v;
}

}  // namespace kong::schema
