// The outcome of validating an entity: the complete entity, or Kong's schema-violation error
// (a per-field error tree plus the "schema violation (...)" message).
#ifndef KONG_SCHEMA_VALIDATION_H_
#define KONG_SCHEMA_VALIDATION_H_

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "json/value.h"

namespace kong::schema {

struct ValidationError {
  // Kong's error table: field name -> message, nested object for records and foreign keys,
  // array (null where valid) for array elements, "@entity" -> array of entity-level messages.
  json::Value fields;
  // "schema violation (host: required field missing)" / "2 schema violations (...; ...)".
  std::string message;

  static ValidationError FromFields(json::Value fields);
  // The Admin API body: {"code":2,"name":"schema violation","message":...,"fields":...}.
  json::Value ToBody() const;
};

// Either the validated entity (defaults applied, shorthands expanded, every field present,
// foreign keys reduced to {"id": ...}) or a ValidationError.
class [[nodiscard]] EntityResult {
 public:
  EntityResult(json::Value entity) : v_(std::move(entity)) {}      // NOLINT: implicit by design
  EntityResult(ValidationError error) : v_(std::move(error)) {}    // NOLINT
  bool ok() const { return v_.index() == 0; }
  // REQUIRES: ok().
  const json::Value& entity() const& { return std::get<0>(v_); }
  json::Value&& entity() && { return std::get<0>(std::move(v_)); }
  // REQUIRES: !ok().
  const ValidationError& error() const { return std::get<1>(v_); }

 private:
  std::variant<json::Value, ValidationError> v_;
};

struct ValidateOptions {
  // Seconds since the epoch for created_at/updated_at; unset means the system clock.
  std::optional<double> now;
  // Generate `id` and the timestamps as Kong's DAO does. False for dry runs such as
  // POST /schemas/{entity}/validate, where id stays null unless given.
  bool auto_fields = true;
  // Declarative config input: accept `_comment` (string) and `_ignore` (array) on entities and
  // drop them from the result.
  bool declarative = false;
};

}  // namespace kong::schema

#endif  // KONG_SCHEMA_VALIDATION_H_
