// Tests for json::Serialize and QuoteJsonString: escapes, numbers, layout, key order, round-trips.
#include <cmath>
#include <limits>
#include <string>

#include "json/path.h"
#include "json/value.h"
#include "support/test_support.h"

using kong::json::Array;
using kong::json::Object;
using kong::json::Parse;
using kong::json::QuoteJsonString;
using kong::json::Serialize;
using kong::json::SerializeOptions;
using kong::json::Value;

namespace {

SerializeOptions Pretty() {
  SerializeOptions o;
  o.pretty = true;
  return o;
}

SerializeOptions Sorted() {
  SerializeOptions o;
  o.sort_keys = true;
  return o;
}

}  // namespace

TEST_SUITE("json") {
  TEST_CASE("QuoteJsonString escapes per RFC 8259") {
    CHECK(QuoteJsonString("") == R"("")");
    CHECK(QuoteJsonString("plain text / slash") == R"("plain text / slash")");
    CHECK(QuoteJsonString("\"") == R"("\"")");
    CHECK(QuoteJsonString("\\") == R"("\\")");
    CHECK(QuoteJsonString("\b\f\n\r\t") == R"("\b\f\n\r\t")");
    CHECK(QuoteJsonString(std::string("\0", 1)) == R"("\u0000")");
    CHECK(QuoteJsonString("\x01\x1f\x0b") == R"("\u0001\u001f\u000b")");
    CHECK(QuoteJsonString("\x7f") == "\"\x7f\"");
    // Escapes in every position of an 8-byte word, and long clean runs around them.
    std::string clean(40, 'a');
    CHECK(QuoteJsonString(clean + "\n" + clean) == "\"" + clean + "\\n" + clean + "\"");
    for (size_t pos = 0; pos < 16; ++pos) {
      std::string s(16, 'x');
      s[pos] = '"';
      std::string expected =
          "\"" + std::string(pos, 'x') + "\\\"" + std::string(15 - pos, 'x') + "\"";
      CHECK(QuoteJsonString(s) == expected);
    }
  }

  TEST_CASE("QuoteJsonString passes valid UTF-8 and repairs invalid bytes") {
    std::string utf8 = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBF";
    CHECK(QuoteJsonString(utf8) == "\"" + utf8 + "\"");
    const std::string fffd = "\xEF\xBF\xBD";
    CHECK(QuoteJsonString("a\xFF"
                          "b") == "\"a" + fffd + "b\"");
    CHECK(QuoteJsonString("\xC3") == "\"" + fffd + "\"");                        // truncated
    CHECK(QuoteJsonString("\xC0\xAF") == "\"" + fffd + fffd + "\"");             // overlong
    CHECK(QuoteJsonString("\xED\xA0\x80") == "\"" + fffd + fffd + fffd + "\"");  // surrogate
    CHECK(QuoteJsonString("\xF4\x90\x80\x80") == "\"" + fffd + fffd + fffd + fffd + "\"");
    // Whatever the bytes, the output parses back.
    std::string all;
    for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
    auto back = Parse(QuoteJsonString(all));
    REQUIRE(back.ok());
    CHECK(back->as_string().substr(0, 128) == all.substr(0, 128));
  }

  TEST_CASE("scalars") {
    CHECK(Serialize(Value()) == "null");
    CHECK(Serialize(Value(true)) == "true");
    CHECK(Serialize(Value(false)) == "false");
    CHECK(Serialize(Value(0)) == "0");
    CHECK(Serialize(Value(-42)) == "-42");
    CHECK(Serialize(Value(INT64_MAX)) == "9223372036854775807");
    CHECK(Serialize(Value(INT64_MIN)) == "-9223372036854775808");
    CHECK(Serialize(Value("a\"b")) == R"("a\"b")");
  }

  TEST_CASE("doubles print the shortest round-trip form") {
    CHECK(Serialize(Value(1.5)) == "1.5");
    CHECK(Serialize(Value(2.0)) == "2");
    CHECK(Serialize(Value(-3.0)) == "-3");
    CHECK(Serialize(Value(0.1)) == "0.1");
    CHECK(Serialize(Value(1e100)) == "1e+100");
    CHECK(Serialize(Value(1.5e-7)) == "1.5e-07");
    CHECK(Serialize(Value(9223372036854775808.0)) == "9223372036854775808");
    CHECK(Serialize(Value(-0.0)) == "-0");
    CHECK(Serialize(Value(std::numeric_limits<double>::quiet_NaN())) == "null");
    CHECK(Serialize(Value(std::numeric_limits<double>::infinity())) == "null");
    CHECK(Serialize(Value(-std::numeric_limits<double>::infinity())) == "null");
    for (double d : {0.1 + 0.2, 1.0 / 3.0, 5e-324, 1.7976931348623157e308, 123456.789e3}) {
      auto back = Parse(Serialize(Value(d)));
      REQUIRE(back.ok());
      CHECK(back->as_double() == d);
    }
  }

  TEST_CASE("compact containers") {
    CHECK(Serialize(Value::EmptyArray()) == "[]");
    CHECK(Serialize(Value::EmptyObject()) == "{}");
    Value v(Object{{"b", Array{1, "x", nullptr, Array{}, Object{}}}, {"a", Object{{"k", false}}}});
    CHECK(Serialize(v) == R"({"b":[1,"x",null,[],{}],"a":{"k":false}})");
  }

  TEST_CASE("pretty output uses two-space indentation") {
    Value v(Object{{"name", "svc"},
                   {"tags", Array{"a", "b"}},
                   {"empty_list", Array{}},
                   {"empty_map", Object{}},
                   {"nested", Object{{"port", 80}, {"list", Array{Object{{"x", 1.5}}}}}}});
    const char* expected =
        "{\n"
        "  \"name\": \"svc\",\n"
        "  \"tags\": [\n"
        "    \"a\",\n"
        "    \"b\"\n"
        "  ],\n"
        "  \"empty_list\": [],\n"
        "  \"empty_map\": {},\n"
        "  \"nested\": {\n"
        "    \"port\": 80,\n"
        "    \"list\": [\n"
        "      {\n"
        "        \"x\": 1.5\n"
        "      }\n"
        "    ]\n"
        "  }\n"
        "}";
    CHECK(Serialize(v, Pretty()) == expected);
    CHECK(Serialize(Value(3), Pretty()) == "3");
    CHECK(Serialize(Value::EmptyArray(), Pretty()) == "[]");
  }

  TEST_CASE("sort_keys orders members byte-wise at every level") {
    Value v(Object{{"b", 1},
                   {"a", Object{{"z", 1}, {"y", Array{Object{{"d", 1}, {"c", 2}}}}}},
                   {"\xC3\xA9", 3},
                   {"B", 4},
                   {"aa", 5}});
    CHECK(Serialize(v, Sorted()) ==
          "{\"B\":4,\"a\":{\"y\":[{\"c\":2,\"d\":1}],\"z\":1},\"aa\":5,\"b\":1,\"\xC3\xA9\":3}");
    // Insertion order does not change sorted output.
    Value w(Object{{"aa", 5},
                   {"\xC3\xA9", 3},
                   {"B", 4},
                   {"b", 1},
                   {"a", Object{{"y", Array{Object{{"c", 2}, {"d", 1}}}}, {"z", 1}}}});
    CHECK(Serialize(w, Sorted()) == Serialize(v, Sorted()));
    CHECK(Serialize(w) != Serialize(v));
    SerializeOptions both;
    both.sort_keys = true;
    both.pretty = true;
    CHECK(Serialize(Value(Object{{"b", 1}, {"a", 2}}), both) == "{\n  \"a\": 2,\n  \"b\": 1\n}");
  }

  TEST_CASE("round-trips keep values and text") {
    const char* docs[] = {
        R"({"id":"0b6b3e2a-1111-4e7b-9f51-2f1c0d9e7a11","name":"svc","port":443,"retries":5,)"
        R"("tags":["a","b"],"enabled":true,"ratio":0.75,"client_certificate":null,)"
        R"("nested":{"deep":[[[]],{}],"escaped":"line\nbreak \"quote\" \\ tab\t \u0001"}})",
        R"([1,-1,9223372036854775807,-9223372036854775808,1.5,1e+100,"\u00e9\ud83d\ude00"])",
        R"("just a string")",
        "[]",
        "{}",
    };
    for (const char* text : docs) {
      CAPTURE(text);
      auto first = Parse(text);
      REQUIRE(first.ok());
      std::string compact = Serialize(*first);
      auto second = Parse(compact);
      REQUIRE(second.ok());
      CHECK(*second == *first);
      CHECK(Serialize(*second) == compact);  // stable after one pass
      auto third = Parse(Serialize(*first, Pretty()));
      REQUIRE(third.ok());
      CHECK(*third == *first);
    }
    auto exact = Parse(R"({"a":[1,2.5,"x"],"b":{"c":null}})");
    REQUIRE(exact.ok());
    CHECK(Serialize(*exact) == R"({"a":[1,2.5,"x"],"b":{"c":null}})");
  }
}
