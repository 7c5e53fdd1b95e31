// Helpers for the schema tests: JSON literals, a catalog, and validation shortcuts.
#ifndef KONG_TESTS_UNIT_SCHEMA_SCHEMA_TEST_UTIL_H_
#define KONG_TESTS_UNIT_SCHEMA_SCHEMA_TEST_UTIL_H_

#include <doctest/doctest.h>

#include <string>

#include "json/value.h"
#include "schema/catalog.h"
#include "schema/plugin_registry.h"

namespace kong::schema::test {

inline json::Value J(const std::string& text) {
  Result<json::Value> v = json::Parse(text);
  REQUIRE_MESSAGE(v.ok(), text);
  return std::move(v).value();
}

inline std::string S(const json::Value& v) { return json::Serialize(v); }

// Validation at a fixed clock so timestamps are predictable.
inline ValidateOptions At(double now) {
  ValidateOptions o;
  o.now = now;
  return o;
}

inline EntityResult Insert(const Catalog& c, const char* entity, const std::string& body) {
  const EntitySchema* s = c.Find(entity);
  REQUIRE(s != nullptr);
  return c.ValidateInsert(*s, J(body), At(1700000000.25));
}

inline EntityResult Update(const Catalog& c, const char* entity, const json::Value& existing,
                           const std::string& patch) {
  const EntitySchema* s = c.Find(entity);
  REQUIRE(s != nullptr);
  return c.ValidateUpdate(*s, existing, J(patch), At(1700000100.5));
}

// The schema-violation message of a failed result ("" when it passed).
inline std::string Message(const EntityResult& r) { return r.ok() ? "" : r.error().message; }
inline std::string Fields(const EntityResult& r) { return r.ok() ? "" : S(r.error().fields); }

}  // namespace kong::schema::test

#endif  // KONG_TESTS_UNIT_SCHEMA_SCHEMA_TEST_UTIL_H_
