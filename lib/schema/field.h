// The declarative schema model: fields, records, entity checks and entity schemas, mirroring
// Kong's kong/db/schema definitions (types, defaults, validators, entity_checks, shorthands).
#ifndef KONG_SCHEMA_FIELD_H_
#define KONG_SCHEMA_FIELD_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json/value.h"

namespace kong::schema {

enum class FieldType {
  kAny,  // in an overlay (if_match/then_match): keep the base field's type
  kString,
  kInteger,
  kNumber,
  kBoolean,
  kArray,
  kSet,
  kMap,
  kRecord,
  kForeign,
};

// Kong's type name: "string", "integer", ... ("any" for kAny).
const char* FieldTypeName(FieldType t);

// A custom validator returns nullopt when the value is valid, else Kong's message.
using CustomValidator = std::function<std::optional<std::string>(const json::Value&)>;

struct PatternRule {
  std::string pattern;  // Lua pattern
  std::string err;
};

struct MatchAny {
  std::vector<std::string> patterns;  // Lua patterns
  std::string err;
};

struct Record;
struct EntityCheck;

// One field definition. Every attribute is optional: unset attributes do nothing, which also
// lets a Field serve as an overlay (Kong's if_match/then_match inherit the checked field).
struct Field {
  FieldType type = FieldType::kAny;
  std::optional<bool> required;
  bool unique = false;
  bool auto_generated = false;  // Kong's `auto`: uuid or timestamp filled by the DAO
  bool uuid = false;
  bool timestamp = false;
  bool referenceable = false;  // a "{vault://...}" reference skips validation
  bool encrypted = false;
  bool abstract = false;       // specialized by a subschema (plugins' config)
  bool transient = false;      // accepted on input, never defaulted (certificates' snis)
  std::optional<json::Value> default_value;  // may hold null ("default = null")

  // Validators, run in Kong's validators_order.
  std::optional<json::Value> eq;  // eq = null means "value must be null"
  std::optional<json::Value> ne;
  std::vector<json::Value> not_one_of;
  std::vector<json::Value> one_of;
  std::optional<double> gt;
  std::optional<std::pair<double, double>> between;
  std::optional<int64_t> len_eq, len_min, len_max;
  std::optional<std::string> starts_with;
  std::optional<std::string> not_match;
  std::vector<PatternRule> match_none;
  std::optional<std::string> match;
  std::vector<PatternRule> match_all;
  std::optional<MatchAny> match_any;
  std::optional<json::Value> contains;
  CustomValidator custom_validator;
  std::vector<std::vector<std::string>> mutually_exclusive_subsets;
  std::optional<std::string> err;  // replaces any validator message

  // Aggregates.
  std::shared_ptr<const Field> elements;  // array, set
  std::shared_ptr<const Field> keys;      // map
  std::shared_ptr<const Field> values;    // map
  std::shared_ptr<const Record> record;   // record
  // Foreign keys.
  std::string reference;  // the parent entity ("services")
  std::string on_delete;  // "cascade", or empty for Kong's default (restrict)

  std::string description;
};

struct NamedField {
  std::string name;
  Field field;
};

// Input-only sugar expanded before validation (services' `url`, upstreams' hash_on coupling).
// `func` returns an object of field values to set, or nullopt to set nothing.
struct ShorthandField {
  std::string name;
  Field field;  // the shorthand value's type, checked first
  std::function<std::optional<json::Value>(const json::Value&)> func;
};

enum class CheckKind {
  kAtLeastOneOf,
  kConditionalAtLeastOneOf,
  kOnlyOneOf,
  kDistinct,
  kConditional,
  kCustom,
  kMutuallyRequired,
  kMutuallyExclusive,
  kMutuallyExclusiveSets,
};

// Kong's checker name ("at_least_one_of", "custom_entity_check", ...).
const char* CheckKindName(CheckKind k);

// A cross-field rule (Kong's entity_checks). Field names may be dotted ("config.minute").
struct EntityCheck {
  CheckKind kind = CheckKind::kAtLeastOneOf;
  std::vector<std::string> fields;   // the field list; set1 for mutually_exclusive_sets;
                                     // field_sources for custom checks
  std::vector<std::string> fields2;  // set2 for mutually_exclusive_sets
  // conditional / conditional_at_least_one_of
  std::string if_field;
  std::shared_ptr<const Field> if_match;
  std::string then_field;
  std::shared_ptr<const Field> then_match;
  std::shared_ptr<const Field> else_match;
  std::vector<std::string> then_at_least_one_of;
  std::vector<std::string> else_then_at_least_one_of;
  std::string then_err;       // may contain one %s
  std::string else_then_err;  // may contain one %s
  // custom: receives the projection of `fields`; returns nullopt or the message.
  std::function<std::optional<std::string>(const json::Value&)> fn;
  bool run_with_missing_fields = false;
  bool run_with_invalid_fields = false;
};

// A set of fields with their cross-field checks: a record field, an entity, a subschema.
struct Record {
  std::vector<NamedField> fields;
  std::vector<EntityCheck> entity_checks;
  std::vector<ShorthandField> shorthand_fields;

  const Field* Find(std::string_view name) const;
};

// A specialization selected by the entity's subschema key (routes by protocol, plugins by
// name). It may only narrow fields the base schema declares.
struct Subschema : Record {
  std::string name;
};

struct EntitySchema : Record {
  std::string name;  // the table / Admin API name: "services"
  std::vector<std::string> primary_key{"id"};
  std::string endpoint_key;            // looked up when a path segment is not a UUID; "" none
  std::vector<std::string> cache_key;  // the composite uniqueness key, if any
  bool workspaceable = false;
  // Subschemas (routes: by protocol, plugins: by name). The lookup returns nullptr when unknown.
  std::string subschema_key;
  std::string subschema_error;  // message with one %s for an unknown key
  std::function<std::shared_ptr<const Subschema>(std::string_view key)> find_subschema;
  // Rewrites input before validation (targets: "host" -> "host:8000").
  std::function<void(json::Value& entity)> normalize_input;
  // Fills computed fields after a successful validation (ca_certificates: cert_digest).
  std::function<void(json::Value& entity)> on_write;
  // Kong's `transformations` with on_write: rewrites fields the caller sent, after a successful
  // validation (basic-auth hashes `password`). `input` is the request body (the patch on
  // PATCH); `declarative` is set for declarative imports.
  std::function<void(json::Value& entity, const json::Value& input, bool declarative)> transform;
  // The Admin API collection when it differs from `name` (Kong's admin_api_name: "key-auths"),
  // and the nested one under the parent (admin_api_nested_name: "/consumers/{c}/key-auth").
  std::string admin_api_name;
  std::string admin_api_nested_name;

  // Fields with unique = true (plus the endpoint key), in declaration order.
  std::vector<std::string> UniqueFields() const;
};

// ---- Builders: terse, declarative construction of fields and checks ----

Field StringField();
Field IntegerField();
Field NumberField();
Field BooleanField();
Field ArrayOf(Field elements);
Field SetOf(Field elements);
Field MapOf(Field keys, Field values);
Field RecordOf(std::vector<NamedField> fields, std::vector<EntityCheck> checks = {});
Field Foreign(std::string reference, std::string on_delete = "");

// Returns `base` with every attribute set in `overlay` replacing base's (Kong's metatable
// fallback for if_match/then_match and for typedefs called with overrides).
Field Overlay(const Field& base, const Field& overlay);

EntityCheck AtLeastOneOf(std::vector<std::string> fields);
EntityCheck OnlyOneOf(std::vector<std::string> fields);
EntityCheck Distinct(std::vector<std::string> fields);
EntityCheck MutuallyRequired(std::vector<std::string> fields);
EntityCheck MutuallyExclusive(std::vector<std::string> fields);
EntityCheck Conditional(std::string if_field, Field if_match, std::string then_field,
                        Field then_match, std::string then_err = "");
EntityCheck CustomCheck(std::vector<std::string> field_sources,
                        std::function<std::optional<std::string>(const json::Value&)> fn);

// JSON helpers used by schema definitions.
json::Value Strings(std::initializer_list<const char*> items);
std::vector<json::Value> StringValues(std::initializer_list<const char*> items);

}  // namespace kong::schema

#endif  // KONG_SCHEMA_FIELD_H_
