// Tests for ParseYaml / EmitYaml: lyaml's scalar typing, anchors, errors, round trips.
#include <string>

#include "declarative/yaml.h"
#include "json/value.h"
#include "support/test_support.h"

using kong::StatusCode;
using kong::declarative::EmitYaml;
using kong::declarative::ParseYaml;
using kong::json::Parse;
using kong::json::Serialize;
using kong::json::Value;

namespace {

Value MustParseYaml(std::string_view text) {
  auto r = ParseYaml(text);
  REQUIRE_MESSAGE(r.ok(), (std::string(text) + ": " + r.status().ToString()));
  return std::move(r).value();
}

std::string YamlError(std::string_view text) {
  auto r = ParseYaml(text);
  REQUIRE_MESSAGE(!r.ok(), ("accepted: " + std::string(text)));
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  return r.status().message();
}

Value Json(std::string_view text) {
  auto r = Parse(text);
  REQUIRE(r.ok());
  return std::move(r).value();
}

// The value a one-line `v: <scalar>` mapping gives the scalar.
Value Scalar(const std::string& scalar) { return *MustParseYaml("v: " + scalar).Find("v"); }

}  // namespace

TEST_SUITE("declarative") {
  TEST_CASE("yaml: plain scalars resolve as lyaml's YAML 1.1 rules") {
    for (const char* s : {"~", "null", "Null", "NULL", ""}) CHECK_MESSAGE(Scalar(s).is_null(), s);
    for (const char* s : {"true", "True", "TRUE", "yes", "Yes", "on", "ON"}) {
      CHECK_MESSAGE(Scalar(s) == Value(true), s);
    }
    for (const char* s : {"false", "False", "no", "NO", "off", "Off"}) {
      CHECK_MESSAGE(Scalar(s) == Value(false), s);
    }
    CHECK(Scalar("8000").as_int() == 8000);
    CHECK(Scalar("-12").as_int() == -12);
    CHECK(Scalar("1_000").as_int() == 1000);
    CHECK(Scalar("0x1F").as_int() == 31);
    CHECK(Scalar("0755").as_int() == 493);
    CHECK(Scalar("0b101").as_int() == 5);
    CHECK(Scalar("1:30").as_int() == 90);
    CHECK(Scalar("9223372036854775807").as_int() == INT64_MAX);
    CHECK(Scalar("3.0").type() == Value::Type::kDouble);
    CHECK(Scalar("1.5e3").as_double() == 1500.0);
    CHECK(Scalar(".5").as_double() == 0.5);
    CHECK(Scalar(".inf").is_null());  // JSON has no infinity
    CHECK(Scalar("1e400").is_null());
    CHECK(Scalar("-1e-400").as_double() == 0.0);
    CHECK(Scalar("+2.5").as_double() == 2.5);
    // Things that look almost like numbers stay strings.
    for (const char* s : {"1.2.3", "08", "0x", "1e", "example.com", "y", "n", "+", "abc", "1.0.0"}) {
      CHECK_MESSAGE(Scalar(s).is_string(), s);
    }
  }

  TEST_CASE("yaml: quoted, block and !!str scalars stay strings") {
    CHECK(Scalar("\"3.0\"") == Value("3.0"));
    CHECK(Scalar("'true'") == Value("true"));
    CHECK(Scalar("!!str 80") == Value("80"));
    CHECK(Scalar("!!int \"42\"") == Value(42));
    CHECK(Scalar("!!float 2") .as_double() == 2.0);
    Value v = MustParseYaml("cert: |\n  -----BEGIN-----\n  abc\n  -----END-----\nk: >-\n  a\n  b\n");
    CHECK(v.Find("cert")->as_string() == "-----BEGIN-----\nabc\n-----END-----\n");
    CHECK(v.Find("k")->as_string() == "a b");
    CHECK(YamlError("v: !!int abc").find("'abc' is not a valid !!int") != std::string::npos);
  }

  TEST_CASE("yaml: mappings, sequences, flow style and key order") {
    Value v = MustParseYaml(
        "_format_version: \"3.0\"\n"
        "services:\n"
        "- name: s1\n"
        "  url: http://example.com\n"
        "  routes:\n"
        "  - paths: [/a, \"/b\"]\n"
        "    hosts: {x: 1}\n"
        "80: port\n");
    CHECK(v == Json(R"({"_format_version":"3.0","services":[{"name":"s1","url":"http://example.com",
                        "routes":[{"paths":["/a","/b"],"hosts":{"x":1}}]}],"80":"port"})"));
    CHECK(v.as_object()[0].first == "_format_version");
    CHECK(v.as_object()[2].first == "80");
    CHECK(MustParseYaml("").is_null());
    CHECK(MustParseYaml("# only a comment\n").is_null());
    CHECK(MustParseYaml("a: 1\n---\nb: 2\n") == Json(R"({"a":1})"));  // first document only
  }

  TEST_CASE("yaml: anchors, aliases and merge keys") {
    Value v = MustParseYaml(
        "base: &b {retries: 5, protocol: http}\n"
        "s1: *b\n"
        "s2:\n  <<: *b\n  retries: 1\n"
        "list: &l [1, 2]\n"
        "again: *l\n");
    CHECK(*v.Find("s1") == Json(R"({"retries":5,"protocol":"http"})"));
    CHECK(*v.Find("s2") == Json(R"({"retries":1,"protocol":"http"})"));
    CHECK(*v.Find("again") == Json("[1,2]"));
    CHECK(YamlError("a: *nope\n") == "invalid YAML at line 1, column 4: unknown anchor 'nope'");
  }

  TEST_CASE("yaml: exponential alias expansion is refused") {
    std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 10; ++i) {
      std::string prev = "*a" + std::to_string(i - 1);
      text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
      for (int j = 0; j < 10; ++j) text += (j ? ", " : "") + prev;
      text += "]\n";
    }
    CHECK(YamlError(text).find("too many nodes") != std::string::npos);
  }

  TEST_CASE("yaml: syntax errors name line and column") {
    std::string err = YamlError("services:\n  - name: a\n   bad: [\n");
    CHECK(err.rfind("invalid YAML at line ", 0) == 0);
    CHECK(YamlError("a: b: c\n") ==
          "invalid YAML at line 1, column 5: mapping values are not allowed in this context");
    CHECK(YamlError("a:\n\tb: 1\n").find("line 2, column 1") != std::string::npos);
    CHECK(YamlError("? [a]\n: 1\n") == "invalid YAML at line 1, column 5: a mapping key must be a scalar");
  }

  TEST_CASE("yaml: emit writes kong.yml-style block YAML") {
    Value v = Json(R"({"_format_version":"3.0","_transform":false,
      "services":[{"name":"s","port":80,"enabled":true,"path":null,"tags":[],
                   "weight":2.0,"version":"1.1","code":"0755","empty":"","merge":"<<"}]})");
    CHECK(EmitYaml(v) ==
          "_format_version: \"3.0\"\n"
          "_transform: false\n"
          "services:\n"
          "- name: s\n"
          "  port: 80\n"
          "  enabled: true\n"
          "  path: null\n"
          "  tags: []\n"
          "  weight: 2.0\n"
          "  version: \"1.1\"\n"
          "  code: \"0755\"\n"
          "  empty: \"\"\n"
          "  merge: \"<<\"\n");
    CHECK(EmitYaml(Json(R"({"cert":"-----BEGIN-----\nabc\n-----END-----\n"})")) ==
          "cert: |\n  -----BEGIN-----\n  abc\n  -----END-----\n");
  }

  TEST_CASE("yaml: emit then parse gives the same value") {
    const char* docs[] = {
        R"({"a":"yes","b":"~","c":"null","d":"12","e":"1:30","f":"-.inf","g":"a: b","h":"- x",
            "i":"#x","j":" lead","k":"trail ","l":"multi\nline\n\n","m":"no newline\nend",
            "n":"tab\there","o":"\"q\"","p":"ünïcode","q":"{x}","r":[[1,2],[],{}],"s":1e300,
            "t":-0.5,"u":{"nested":{"deep":[{"x":null}]}},"v":"'","w":"\u0001ctl","x":"*a",
            "y":"&b","z":"!t","0":"%x","1":"@x","2":"`x","3":"x #y","4":"  \n  "})",
        R"([])", R"("just a string")", R"(42)", R"(null)", R"({})"};
    for (const char* doc : docs) {
      Value v = Json(doc);
      std::string yaml = EmitYaml(v);
      Value back = MustParseYaml(yaml);
      CHECK_MESSAGE(back == v, yaml);
      CHECK_MESSAGE(Serialize(back) == Serialize(v), yaml);  // same types and order
    }
  }
}
