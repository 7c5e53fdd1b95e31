// Kong's DAO error objects as Admin API bodies (kong/db/errors.lua, §2.6 of the reference):
// codes, names, HTTP statuses and the exact message texts, plus pl.pretty's Lua-table
// rendering that those messages embed ("{name=\"x\"}").
#ifndef KONG_SCHEMA_ERRORS_H_
#define KONG_SCHEMA_ERRORS_H_

#include <string>
#include <string_view>

#include "json/value.h"

namespace kong::schema {

enum class ErrorCode {
  kInvalidPrimaryKey = 1,
  kSchemaViolation = 2,
  kPrimaryKeyViolation = 3,
  kForeignKeyViolation = 4,
  kUniqueViolation = 5,
  kNotFound = 6,
  kInvalidOffset = 7,
  kDatabaseError = 8,
  kInvalidSize = 9,
  kInvalidUnique = 10,
  kInvalidOptions = 11,
  kOperationUnsupported = 12,
  kForeignKeysUnresolved = 13,
  kDeclarativeConfig = 14,
  kTransformationError = 15,
  kInvalidForeignKey = 16,
  kReferencedByOthers = 19,
};

// "schema violation", "unique constraint violation", ... ("invalid unique %s" for code 10).
const char* ErrorName(ErrorCode code);
// The Admin API status for a DAO error (endpoints.lua ERRORS_HTTP_CODES): 409 for unique
// violations, 404 not found, 405 unsupported, 500 database errors, else 400.
int HttpStatus(ErrorCode code);

// pl.pretty.write(value, indent): indent "" gives Kong's compact form `{id="x",name=null}`
// (keys sorted, identifiers bare, others ["@entity"]); "  " the multi-line form the schema
// violation message uses for nested error tables. Scalars render as Lua would.
std::string LuaPretty(const json::Value& value, std::string_view indent = "  ");

// "schema violation (<field>: <msg>)" or "N schema violations (<a>; <b>)": "@entity" errors
// first, then fields in sorted order, one level of nesting spelled "service.id: ...".
std::string SchemaViolationMessage(const json::Value& fields);

// {"code":2,"name":"schema violation","message":...,"fields":fields}
json::Value SchemaViolationBody(const json::Value& fields);
// 409: "UNIQUE violation detected on '{username=\"bob\"}'", fields = unique_key.
json::Value UniqueViolationBody(const json::Value& unique_key);
// "the foreign key '{id=\"<uuid>\"}' does not reference an existing 'services' entity.",
// fields = {field_name: foreign_key}.
json::Value ForeignKeyInvalidReferenceBody(const json::Value& foreign_key,
                                           std::string_view field_name,
                                           std::string_view parent_name);
// Restricted delete: "an existing 'routes' entity references this 'services' entity",
// fields = {"@referenced_by": child}.
json::Value ForeignKeyRestrictedBody(std::string_view parent_name, std::string_view child_name);
// Code 13 for one unresolved reference, e.g. field "service", key {name:"x"}, parent
// "services": "foreign key unresolved (service.name: the foreign key cannot be resolved with
// '{name=\"x\"}' for an existing 'services' entity)".
json::Value ForeignKeyUnresolvedBody(std::string_view field_name, std::string_view key_name,
                                     const json::Value& key_value, std::string_view parent_name);
// 404: "could not find the entity with primary key '{id=\"...\"}'", fields = primary_key.
json::Value NotFoundBody(const json::Value& primary_key);
// 404: "could not find the entity with '{name=\"x\"}'", fields = filter.
json::Value NotFoundByFieldBody(const json::Value& filter);
// "primary key violation on key '{id=\"...\"}'"
json::Value PrimaryKeyViolationBody(const json::Value& primary_key);
// "invalid primary key: '{id=\"...\"}'"
json::Value InvalidPrimaryKeyBody(const json::Value& primary_key);
// "'x' is not a valid offset: bad base64 encoding"
json::Value InvalidOffsetBody(std::string_view offset, std::string_view err);
// {"code":9,"name":"invalid size","message":err}
json::Value InvalidSizeBody(std::string_view err);
// {"code":10,"name":"invalid unique <name>","message":err}
json::Value InvalidUniqueBody(std::string_view name, std::string_view err);
// Code 11 with "options" instead of "fields": "invalid option (tags: cannot be null)".
json::Value InvalidOptionsBody(const json::Value& options);
// Code 12, e.g. "cannot create 'services' entities when not using a database".
json::Value OperationUnsupportedBody(std::string_view err);
// Code 14: "declarative config is invalid: {services={{host=\"required field missing\"}}}".
json::Value DeclarativeConfigBody(const json::Value& fields);
// Code 19 with the caller's message ("ca certificate <id> is still referenced by ...").
json::Value ReferencedByOthersBody(std::string_view message);
// {"message": message}: "Not found", "Method not allowed", "An unexpected error occurred".
json::Value MessageBody(std::string_view message);

}  // namespace kong::schema

#endif  // KONG_SCHEMA_ERRORS_H_
