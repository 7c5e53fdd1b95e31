// DecodeRequestBody: Content-Type rules, JSON bodies, Kong's form-argument decoding and the
// schema type inference of form values (services, routes, plugins with a config subschema).
#include <doctest/doctest.h>

#include <string>

#include "admin/body_decoder.h"
#include "admin/body_form_args.h"
#include "json/value.h"
#include "schema/catalog.h"
#include "schema/plugin_registry.h"

using kong::admin::DecodeRequestBody;
using kong::admin::LuaToNumber;
using kong::json::Value;

namespace {

kong::http::Request Req(const std::string& method, const std::string& content_type,
                        std::string body) {
  kong::http::Request r;
  r.method = method;
  if (!content_type.empty()) r.headers.Add("Content-Type", content_type);
  r.body = std::move(body);
  return r;
}

// Decodes and requires success; returns the compact JSON text.
std::string Ok(const kong::http::Request& r, const kong::schema::EntitySchema* schema) {
  kong::dao::DaoResult<Value> v = DecodeRequestBody(r, schema);
  REQUIRE_MESSAGE(v.ok(), kong::json::Serialize(v.error().body));
  return kong::json::Serialize(v.value(), {.sort_keys = true});
}

std::string Form(const std::string& body, const kong::schema::EntitySchema* schema = nullptr) {
  return Ok(Req("POST", "application/x-www-form-urlencoded", body), schema);
}

kong::schema::PluginSchema RateLimiter() {
  using namespace kong::schema;
  PluginSchema p;
  p.name = "test-limiter";
  p.priority = 910;
  Field redis = RecordOf({{"host", StringField()}, {"port", IntegerField()},
                          {"ssl", BooleanField()}});
  p.config = {{"minute", NumberField()},
              {"hide", BooleanField()},
              {"names", ArrayOf(StringField())},
              {"limits", MapOf(StringField(), IntegerField())},
              {"redis", redis}};
  return p;
}

}  // namespace

TEST_SUITE("admin") {
  TEST_CASE("body decoder: content types and JSON bodies") {
    // No body and no Content-Type: an empty object (POST /services with nothing).
    CHECK(Ok(Req("POST", "", ""), nullptr) == "{}");
    // A body without a Content-Type is refused with Kong's bodiless 415.
    auto missing = DecodeRequestBody(Req("POST", "", "name=x"), nullptr);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().http_status == 415);
    CHECK(missing.error().body.is_null());
    // An unknown type is refused even with an empty body; the prefix match is case-sensitive.
    for (const char* type : {"text/plain", "Application/JSON", "application/yaml"}) {
      auto r = DecodeRequestBody(Req("PUT", type, ""), nullptr);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().http_status == 415);
    }
    // Two Content-Type headers.
    kong::http::Request two = Req("PATCH", "application/json", "{}");
    two.headers.Add("content-type", "application/json");
    auto multi = DecodeRequestBody(two, nullptr);
    REQUIRE_FALSE(multi.ok());
    CHECK(multi.error().http_status == 400);
    CHECK(kong::json::Serialize(multi.error().body) ==
          R"({"message":"Multiple Content-Type headers not allowed"})");

    CHECK(Ok(Req("POST", "application/json; charset=utf-8", R"({"name":"a","port":"80"})"),
             nullptr) == R"({"name":"a","port":"80"})");
    // JSON is taken as sent: no inference (Kong validates "80" as a string and rejects it).
    kong::schema::Catalog catalog(nullptr);
    CHECK(Ok(Req("POST", "application/json", R"({"port":"80"})"), catalog.Find("services")) ==
          R"({"port":"80"})");
    for (const char* bad : {"{'a': 1}", "", "[1,2]", "\"text\"", "null", "{\"a\":1} x"}) {
      auto r = DecodeRequestBody(Req("POST", "application/json", bad), nullptr);
      REQUIRE_FALSE_MESSAGE(r.ok(), bad);
      CHECK(r.error().http_status == 400);
      CHECK(kong::json::Serialize(r.error().body) == R"({"message":"Cannot parse JSON body"})");
    }
    // Methods outside POST/PUT/PATCH are never refused: what cannot be read is ignored.
    CHECK(Ok(Req("GET", "text/plain", "x"), nullptr) == "{}");
    CHECK(Ok(Req("DELETE", "", "x"), nullptr) == "{}");
    CHECK(Ok(Req("DELETE", "application/json", "not json"), nullptr) == "{}");
  }

  TEST_CASE("body decoder: Kong's argument names") {
    CHECK(Form("") == "{}");
    CHECK(Form("name=a%20b&host=x+y.com") == R"({"host":"x y.com","name":"a b"})");
    CHECK(Form("hosts[]=a&hosts[]=b") == R"({"hosts":["a","b"]})");
    CHECK(Form("hosts=a&hosts=b") == R"({"hosts":["a","b"]})");
    CHECK(Form("hosts[2]=b&hosts[1]=a") == R"({"hosts":["a","b"]})");
    CHECK(Form("hosts%5B%5D=a") == R"({"hosts":["a"]})");
    CHECK(Form("config.minute=5&config.hour=6") == R"({"config":{"hour":"6","minute":"5"}})");
    CHECK(Form("service.id=abc") == R"({"service":{"id":"abc"}})");
    CHECK(Form("a.b.c=1&a.b.d=2&a.e=3") == R"({"a":{"b":{"c":"1","d":"2"},"e":"3"}})");
    CHECK(Form("config.names[]=x&config.names[]=y") == R"({"config":{"names":["x","y"]}})");
    CHECK(Form("headers[x-foo]=bar") == R"({"headers":{"x-foo":"bar"}})");
    CHECK(Form("headers.x-foo=bar&headers.x-foo=baz") ==
          R"({"headers":{"x-foo":["bar","baz"]}})");
    // Kong's combine_arg merges a scalar with a list's first position: a nested list.
    CHECK(Form("tags=a&tags[]=b") == R"({"tags":[["a","b"]]})");
    // A key without '=' is true (ngx get_post_args); names starting or ending with '.' stay.
    CHECK(Form("flag") == R"({"flag":true})");
    CHECK(Form(".a=1&b.=2") == R"({".a":"1","b.":"2"})");
    // Map syntax is for POST/PUT/PATCH only; elsewhere the bracketed name stays whole.
    CHECK(Ok(Req("GET", "application/x-www-form-urlencoded", "h[x]=1"), nullptr) ==
          R"({"h[x]":"1"})");
  }

  TEST_CASE("body decoder: form values take the schema's types") {
    kong::schema::PluginSchemaRegistry registry;
    REQUIRE(registry.Register(RateLimiter()).ok());
    kong::schema::Catalog catalog(&registry);
    const auto* services = catalog.Find("services");
    const auto* routes = catalog.Find("routes");
    const auto* plugins = catalog.Find("plugins");
    REQUIRE(services != nullptr);
    REQUIRE(routes != nullptr);
    REQUIRE(plugins != nullptr);

    CHECK(Form("name=s&port=8080&retries=0x10&enabled=false&host=", services) ==
          R"({"enabled":false,"host":null,"name":"s","port":8080,"retries":16})");
    // Not a number / not a boolean: left as the string for validation to reject.
    CHECK(Form("port=eighty&enabled=yes", services) == R"({"enabled":"yes","port":"eighty"})");
    CHECK(Form("read_timeout=1.5", services) == R"({"read_timeout":1.5})");
    // A scalar for an array/set field becomes a one-element array; elements are inferred.
    CHECK(Form("hosts=a.com&tags=t1&strip_path=true", routes) ==
          R"({"hosts":["a.com"],"strip_path":true,"tags":["t1"]})");
    CHECK(Form("service.id=&service.name=x", routes) == R"({"service":{"id":null,"name":"x"}})");
    CHECK(Form("headers.x-foo=bar", routes) == R"({"headers":{"x-foo":["bar"]}})");
    // The plugin's config record is found through the subschema named by "name".
    CHECK(Form("name=test-limiter&config.minute=5&config.hide=true&config.names=a"
               "&config.limits.x=3&config.redis.port=6379&config.redis.ssl=false"
               "&config.redis.host=r&enabled=false",
               plugins) ==
          R"({"config":{"hide":true,"limits":{"x":3},"minute":5,"names":["a"],)"
          R"("redis":{"host":"r","port":6379,"ssl":false}},)"
          R"("enabled":false,"name":"test-limiter"})");
    // Unknown plugin: config stays as sent (abstract record), other fields still inferred.
    CHECK(Form("name=nope&config.minute=5&enabled=true", plugins) ==
          R"({"config":{"minute":"5"},"enabled":true,"name":"nope"})");
    // Without a schema nothing is inferred, and "" stays a string.
    CHECK(Form("port=80&host=") == R"({"host":"","port":"80"})");
  }

  TEST_CASE("body decoder: multipart/form-data") {
    const std::string type = "multipart/form-data; boundary=\"XyZ\"";
    const std::string body =
        "preamble\r\n--XyZ\r\n"
        "Content-Disposition: form-data; name=\"name\"\r\n\r\nsvc\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"port\"\r\nContent-Type: text/plain\r\n\r\n"
        "81\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"tags[]\"\r\n\r\na\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"tags[]\"\r\n\r\nb\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"client_certificate.id\"; filename=\"c.txt\"\r\n"
        "\r\nline1\r\nline2\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data\r\n\r\nunnamed\r\n"
        "--XyZ--\r\n";
    kong::schema::Catalog catalog(nullptr);
    CHECK(Ok(Req("POST", type, body), catalog.Find("services")) ==
          R"({"client_certificate":{"id":"line1\r\nline2"},"name":"svc","port":81,)"
          R"("tags":["a","b"]})");
    // A truncated body or a missing boundary gives no arguments, as Kong's reader does.
    CHECK(Ok(Req("POST", type, body.substr(0, 60)), nullptr) == "{}");
    CHECK(Ok(Req("POST", "multipart/form-data", body), nullptr) == "{}");
    CHECK(!kong::admin::ParseMultipartForm("multipart/form-data; boundary=Q", "--Q\r\nx")
               .has_value());
  }

  TEST_CASE("body decoder: Lua tonumber") {
    CHECK(LuaToNumber(" 42 ") == Value(42));
    CHECK(LuaToNumber("-7") == Value(-7));
    CHECK(LuaToNumber("0x1F") == Value(31));
    CHECK(LuaToNumber("1e3") == Value(1000));
    CHECK(LuaToNumber("2.5") == Value(2.5));
    CHECK(LuaToNumber(".5") == Value(0.5));
    CHECK((*LuaToNumber("5.0")).is_int());
    for (const char* bad : {"", " ", "abc", "1a", "inf", "nan", "0x", "1 2", "--1", "e5"}) {
      CHECK_MESSAGE(!LuaToNumber(bad).has_value(), bad);
    }
  }
}
