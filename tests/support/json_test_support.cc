// JSON shorthands for tests.
#include "support/json_test_support.h"

#include <doctest/doctest.h>

#include <utility>

namespace kong::test {

json::Value J(const std::string& text) {
  auto v = json::Parse(text);
  REQUIRE_MESSAGE(v.ok(), "not JSON: " << text);
  return std::move(v).value();
}

std::string S(const json::Value& value) {
  json::SerializeOptions o;
  o.sort_keys = true;
  return json::Serialize(value, o);
}

std::string Str(const json::Value& object, const std::string& key) {
  const json::Value* v = object.Find(key);
  return v && v->is_string() ? v->as_string() : "";
}

}  // namespace kong::test
