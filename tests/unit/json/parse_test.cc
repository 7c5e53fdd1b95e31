// Tests for json::Parse: types, numbers, strings, depth limit, duplicate keys and bad input.
#include <string>

#include "json/value.h"
#include "support/test_support.h"

using kong::StatusCode;
using kong::json::Parse;
using kong::json::ParseOptions;
using kong::json::Value;

namespace {

Value MustParse(std::string_view text) {
  auto r = Parse(text);
  REQUIRE_MESSAGE(r.ok(), (std::string(text) + ": " + r.status().ToString()));
  return std::move(r).value();
}

// The error message for `text`, which must be rejected as invalid input.
std::string ParseError(std::string_view text, const ParseOptions& options = {}) {
  auto r = Parse(text, options);
  REQUIRE_MESSAGE(!r.ok(), ("accepted: " + std::string(text)));
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(r.status().message().rfind("invalid JSON: ", 0) == 0);
  return r.status().message();
}

std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_SUITE("json") {
  TEST_CASE("parses every type") {
    Value v = MustParse(R"( {"s":"x","i":-12,"d":2.5,"t":true,"f":false,"n":null,
                            "a":[1,[2],{}],"o":{"k":[]}} )");
    REQUIRE(v.is_object());
    CHECK(v.Find("s")->as_string() == "x");
    CHECK(v.Find("i")->as_int() == -12);
    CHECK(v.Find("d")->type() == Value::Type::kDouble);
    CHECK(v.Find("d")->as_double() == 2.5);
    CHECK(v.Find("t")->as_bool());
    CHECK_FALSE(v.Find("f")->as_bool());
    CHECK(v.Find("n")->is_null());
    REQUIRE(v.Find("a")->as_array().size() == 3);
    CHECK(v.Find("a")->as_array()[1].as_array()[0].as_int() == 2);
    CHECK(v.Find("a")->as_array()[2].as_object().empty());
    CHECK(v.Find("o")->Find("k")->as_array().empty());
    // Member order is kept.
    CHECK(v.as_object()[0].first == "s");
    CHECK(v.as_object()[7].first == "o");
  }

  TEST_CASE("scalar documents and surrounding whitespace") {
    CHECK(MustParse("42").as_int() == 42);
    CHECK(MustParse(" \t\r\n\"s\"\n").as_string() == "s");
    CHECK(MustParse("null").is_null());
    CHECK(MustParse("true").as_bool());
  }

  TEST_CASE("integers stay exact; out-of-range integers become doubles") {
    CHECK(MustParse("0").type() == Value::Type::kInt);
    CHECK(MustParse("-0").type() == Value::Type::kInt);
    CHECK(MustParse("9223372036854775807").as_int() == INT64_MAX);
    CHECK(MustParse("-9223372036854775808").as_int() == INT64_MIN);
    Value u = MustParse("9223372036854775808");
    CHECK(u.type() == Value::Type::kDouble);
    CHECK(u.as_double() == 9223372036854775808.0);
    CHECK(MustParse("18446744073709551615").type() == Value::Type::kDouble);
    // Beyond uint64 and below int64: simdjson 3.0.1 refuses these, we read them as doubles.
    Value huge =
        MustParse("[18446744073709551616, -9223372036854775809, \"99999999999999999999\"]");
    CHECK(huge.as_array()[0].as_double() == 18446744073709551616.0);
    CHECK(huge.as_array()[1].as_double() == -9223372036854775809.0);
    CHECK(huge.as_array()[2].as_string() == "99999999999999999999");
    Value tricky = MustParse(R"(["\"123456789012345678901234", -18446744073709551616e2, 1e-400])");
    CHECK(tricky.as_array()[0].as_string() == "\"123456789012345678901234");
    CHECK(tricky.as_array()[1].as_double() == -18446744073709551616e2);
    CHECK(tricky.as_array()[2].as_double() == 0.0);
    ParseError("[99999999999999999999999,]");
    CHECK(MustParse("{\"k\":123456789012345678901234567890}").Find("k")->as_double() ==
          1.2345678901234568e29);
  }

  TEST_CASE("doubles and exponents") {
    CHECK(MustParse("1.5").as_double() == 1.5);
    CHECK(MustParse("-0.25").as_double() == -0.25);
    CHECK(MustParse("1e3").type() == Value::Type::kDouble);
    CHECK(MustParse("1e3").as_double() == 1000.0);
    CHECK(MustParse("1E+2").as_double() == 100.0);
    CHECK(MustParse("2.5e-3").as_double() == 0.0025);
    CHECK(MustParse("1.7976931348623157e308").as_double() == 1.7976931348623157e308);
    CHECK(MustParse("2.0").type() == Value::Type::kDouble);
    CHECK(MustParse("2.0") == Value(2));
  }

  TEST_CASE("string escapes and unicode") {
    CHECK(MustParse(R"("\"\\\/\b\f\n\r\t")").as_string() == "\"\\/\b\f\n\r\t");
    CHECK(MustParse(R"("\u0041\u00e9\u20ac")").as_string() == "A\xC3\xA9\xE2\x82\xAC");
    CHECK(MustParse(R"("\u0000x")").as_string() == std::string("\0x", 2));
    // A surrogate pair is one code point, U+1F600, four bytes of UTF-8.
    CHECK(MustParse(R"("\ud83d\ude00")").as_string() == "\xF0\x9F\x98\x80");
    CHECK(MustParse(R"("\uD83D\uDE00")").as_string() == "\xF0\x9F\x98\x80");
    // Raw UTF-8 passes through.
    CHECK(MustParse("\"h\xC3\xA9llo \xF0\x9F\x98\x80\"").as_string() ==
          "h\xC3\xA9llo \xF0\x9F\x98\x80");
    CHECK(MustParse(R"({"k\u00e9y":1})").Find("k\xC3\xA9y") != nullptr);
  }

  TEST_CASE("duplicate keys: the last value wins at the first position") {
    Value v = MustParse(R"({"a":1,"b":2,"a":3})");
    REQUIRE(v.as_object().size() == 2);
    CHECK(v.as_object()[0].first == "a");
    CHECK(v.as_object()[0].second.as_int() == 3);
    CHECK(v.as_object()[1].first == "b");

    Value triple = MustParse(R"({"x":{"y":1},"x":[],"x":"last"})");
    REQUIRE(triple.as_object().size() == 1);
    CHECK(triple.Find("x")->as_string() == "last");

    // More members than the quadratic check handles.
    std::string text = "{";
    for (int i = 0; i < 40; ++i)
      text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    text += "\"k5\":\"again\",\"k39\":-1}";
    Value big = MustParse(text);
    REQUIRE(big.as_object().size() == 40);
    CHECK(big.as_object()[5].first == "k5");
    CHECK(big.as_object()[5].second.as_string() == "again");
    CHECK(big.as_object()[39].second.as_int() == -1);
    CHECK(big.as_object()[6].second.as_int() == 6);
  }

  TEST_CASE("depth limit") {
    CHECK(MustParse(Nested(64)).is_array());
    CHECK(ParseError(Nested(65)) == "invalid JSON: nesting deeper than 64 levels");
    ParseOptions shallow;
    shallow.max_depth = 2;
    CHECK(Parse("[[1]]", shallow).ok());
    CHECK(Parse(R"({"a":{"b":1}})", shallow).ok());
    CHECK(ParseError(R"({"a":{"b":[]}})", shallow) == "invalid JSON: nesting deeper than 2 levels");
    ParseOptions none;
    none.max_depth = 0;
    CHECK(Parse("1", none).ok());
    CHECK(ParseError("[]", none) == "invalid JSON: nesting deeper than 0 levels");
    ParseOptions deep;
    deep.max_depth = 2000;
    CHECK(Parse(Nested(2000), deep).ok());
    ParseError(Nested(2001), deep);
    ParseOptions unbounded;
    unbounded.max_depth = SIZE_MAX;
    CHECK(Parse(Nested(3000), unbounded).ok());
    // The thread's parser goes back to the default limit.
    CHECK(MustParse(Nested(64)).is_array());
    ParseError(Nested(65));
  }

  TEST_CASE("truncated input") {
    CHECK(ParseError("") == "invalid JSON: unexpected end of input (no value found)");
    CHECK(ParseError("   ") == "invalid JSON: unexpected end of input (no value found)");
    CHECK(ParseError("[1,") == "invalid JSON: unexpected end of input");
    CHECK(ParseError(R"({"a":[1,2)") == "invalid JSON: unexpected end of input");
    CHECK(ParseError(R"({"a":)") == "invalid JSON: unexpected end of input");
    CHECK(ParseError(R"("abc)") == "invalid JSON: unexpected end of input (unclosed string)");
    ParseError("tru");
    ParseError("1.");
    ParseError("-");
  }

  TEST_CASE("trailing content and bad structure") {
    for (const char* text : {"1 2", "[] x", "{}{}", "[1]]", "{\"a\":1}}", "[1,]", "[,]", ",",
                             "[1,,2]", "{\"a\":1,}", "{\"a\" 1}", "{1:2}", "{\"a\"}", "]"}) {
      CAPTURE(text);
      CHECK(ParseError(text).find("improper structure") != std::string::npos);
    }
  }

  TEST_CASE("bad literals, numbers and strings") {
    CHECK(ParseError("nul") == "invalid JSON: bad literal starting with 'n'");
    CHECK(ParseError("[falsy]") == "invalid JSON: bad literal starting with 'f'");
    CHECK(ParseError("True").find("improper structure") != std::string::npos);
    for (const char* text : {"01", "1.e5", "+1", "0x10", ".5", "1e", "1e400", "[-]", "NaN"}) {
      CAPTURE(text);
      ParseError(text);
    }
    CHECK(ParseError(R"("\x")") == "invalid JSON: bad string escape (or unpaired \\u surrogate)");
    ParseError(R"("\u12")");
    ParseError(R"("\ud800")");        // lone high surrogate
    ParseError(R"("\udc00")");        // lone low surrogate
    ParseError(R"("\ud800\u0041")");  // high surrogate without its pair
    CHECK(ParseError("\"a\x01\"") == "invalid JSON: unescaped control character in a string");
    ParseError("\"tab\there\"");
    ParseError("'single'");
  }

  TEST_CASE("invalid UTF-8 is rejected") {
    for (std::string text : {std::string("\"\xFF\""), std::string("\"\xC3\""),
                             std::string("\"\xC0\xAF\""),          // overlong '/'
                             std::string("\"\xED\xA0\x80\""),      // encoded surrogate
                             std::string("\"\xF4\x90\x80\x80\""),  // above U+10FFFF
                             std::string("{\"\xE2\x82\":1}"), std::string("[1]\xFF")}) {
      CAPTURE(text);
      CHECK(ParseError(text) == "invalid JSON: the input is not valid UTF-8");
    }
  }

  TEST_CASE("input is read only within the view") {
    std::string buffer = "[1,2]garbage";
    Value v = MustParse(std::string_view(buffer).substr(0, 5));
    CHECK(v.as_array().size() == 2);
    std::string nul_inside("[1]\0", 4);
    ParseError(nul_inside);
  }

  TEST_CASE("a large document parses with its own parser") {
    std::string text = "[";
    for (int i = 0; i < 50000; ++i) {
      if (i != 0) text += ',';
      text += R"({"id":)" + std::to_string(i) + R"(,"name":"service-)" + std::to_string(i) + "\"}";
    }
    text += "]";
    REQUIRE(text.size() > (512u << 10));  // above the reusable parser's limit
    Value v = MustParse(text);
    REQUIRE(v.as_array().size() == 50000);
    CHECK(v.as_array()[49999].Find("name")->as_string() == "service-49999");
    CHECK(MustParse("[1]").as_array().size() == 1);
  }
}
