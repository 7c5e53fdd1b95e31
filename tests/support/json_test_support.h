// JSON shorthands shared by the suites that compare entities and response bodies.
#ifndef KONG_TESTS_SUPPORT_JSON_TEST_SUPPORT_H_
#define KONG_TESTS_SUPPORT_JSON_TEST_SUPPORT_H_

#include <string>

#include "json/value.h"

namespace kong::test {

// Parses JSON text; REQUIREs success (the failure names the text).
json::Value J(const std::string& text);
// Compact JSON with sorted keys, for comparing whole values.
std::string S(const json::Value& value);
// A string member of an object ("" when absent or not a string).
std::string Str(const json::Value& object, const std::string& key);

}  // namespace kong::test

#endif  // KONG_TESTS_SUPPORT_JSON_TEST_SUPPORT_H_
