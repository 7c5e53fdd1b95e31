// The bundled plugin schemas (Kong 3.10): defaults, Kong's rejections, priorities, versions,
// the `plugins` property and the credential entities they bring.
#include "schema/plugins/bundled.h"
#include "schema_test_util.h"

using kong::StatusCode;
using kong::json::Value;
using namespace kong::schema;
using namespace kong::schema::test;

namespace {

struct Bundled {
  Bundled() {
    REQUIRE(RegisterBundledPlugins(reg).ok());
    catalog = std::make_unique<Catalog>(&reg);
  }
  std::string Config(const std::string& name, const std::string& config) {
    EntityResult r = Insert(*catalog, "plugins",
                            R"({"name":")" + name + R"(","config":)" + config + "}");
    REQUIRE_MESSAGE(r.ok(), Message(r));
    return S(*r.entity().Find("config"));
  }
  EntityResult Plugin(const std::string& name, const std::string& config) {
    return Insert(*catalog, "plugins", R"({"name":")" + name + R"(","config":)" + config + "}");
  }
  PluginSchemaRegistry reg;
  std::unique_ptr<Catalog> catalog;
};

}  // namespace

TEST_SUITE("schema") {
  TEST_CASE("bundled plugins: names, priorities, versions and the plugins property") {
    PluginSchemaRegistry reg;
    REQUIRE(RegisterBundledPlugins(reg).ok());
    CHECK(reg.Names() == BundledPluginNames());
    CHECK(reg.Names() == std::vector<std::string>{
                             "acl", "basic-auth", "correlation-id", "cors", "ip-restriction",
                             "key-auth", "prometheus", "rate-limiting", "request-size-limiting",
                             "request-transformer", "response-transformer"});
    const std::pair<const char*, int> priorities[] = {
        {"correlation-id", 100001}, {"cors", 2000}, {"key-auth", 1250}, {"basic-auth", 1100},
        {"ip-restriction", 990}, {"request-size-limiting", 951}, {"acl", 950},
        {"rate-limiting", 910}, {"request-transformer", 801}, {"response-transformer", 800},
        {"prometheus", 13}};
    auto order = reg.ByPriority();
    REQUIRE(order.size() == std::size(priorities));
    for (size_t i = 0; i < order.size(); ++i) {
      CHECK(order[i]->name == priorities[i].first);
      CHECK(order[i]->priority == priorities[i].second);
      CHECK(order[i]->version == "3.10.0");
    }

    PluginSchemaRegistry some;
    REQUIRE(RegisterBundledPlugins(some, {"key-auth", "acl", "key-auth"}).ok());
    CHECK(some.Names() == std::vector<std::string>{"acl", "key-auth"});
    PluginSchemaRegistry none;
    REQUIRE(RegisterBundledPlugins(none, {"off"}).ok());
    CHECK(none.Names().empty());
    PluginSchemaRegistry bad;
    kong::Status s = RegisterBundledPlugins(bad, {"bundled", "jwt"});
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK(s.message() == "plugin 'jwt' is enabled but not installed (not a bundled plugin)");
  }

  TEST_CASE("bundled plugins: credentials exist only with their plugin") {
    PluginSchemaRegistry none;
    Catalog plain(&none);
    CHECK(plain.Find("keyauth_credentials") == nullptr);
    Bundled b;
    for (const char* name : {"keyauth_credentials", "basicauth_credentials", "acls"}) {
      const EntitySchema* e = b.catalog->Find(name);
      REQUIRE(e != nullptr);
      auto refs = b.catalog->ReferencesTo("consumers");
      bool cascades = false;
      for (const auto& r : refs) cascades = cascades || (r.child == name && r.cascade);
      CHECK_MESSAGE(cascades, name);
    }
    CHECK(b.catalog->Find("keyauth_credentials")->admin_api_name == "key-auths");
    CHECK(b.catalog->Find("basicauth_credentials")->admin_api_nested_name == "basic-auth");
  }

  TEST_CASE("key-auth and basic-auth: defaults, consumer scope, header names") {
    Bundled b;
    CHECK(b.Config("key-auth", "{}") ==
          R"({"key_names":["apikey"],"hide_credentials":false,"anonymous":null,)"
          R"("key_in_header":true,"key_in_query":true,"key_in_body":false,)"
          R"("run_on_preflight":true,"realm":null})");
    CHECK(b.Config("basic-auth", "{}") ==
          R"({"anonymous":null,"hide_credentials":false,"realm":"service"})");
    EntityResult r = Insert(*b.catalog, "plugins", R"({"name":"key-auth"})");
    REQUIRE(r.ok());
    CHECK(S(*r.entity().Find("protocols")) == R"(["grpc","grpcs","http","https"])");
    CHECK(Message(Insert(*b.catalog, "plugins",
                         R"({"name":"basic-auth","consumer":{"id":"0b0b0b0b-1c1c-4d4d-8e8e-9f9f9f9f9f9f"}})")) ==
          "schema violation (consumer: value must be null)");
    CHECK(Fields(b.Plugin("key-auth", R"({"key_names":["api key"]})")) ==
          R"({"config":{"key_names":["bad header name 'api key', allowed characters are A-Z, a-z, 0-9, '_', and '-'"]}})");
    CHECK(Message(b.Plugin("key-auth", R"({"hide_credentials":"yes"})")) ==
          "schema violation (config.hide_credentials: expected a boolean)");
    CHECK(Message(b.Plugin("key-auth", R"({"key_names":null})")) ==
          "schema violation (config.key_names: required field missing)");
  }

  TEST_CASE("acl: allow xor deny") {
    Bundled b;
    CHECK(b.Config("acl", R"({"allow":["admins"]})") ==
          R"({"allow":["admins"],"deny":null,"hide_groups_header":false,)"
          R"("always_use_authenticated_groups":false,"include_consumer_groups":false})");
    // Both checks fire on nulls, as in Kong's acl schema spec.
    CHECK(Message(b.Plugin("acl", "{}")) ==
          "2 schema violations (exactly one of these fields must be non-empty: 'config.allow', "
          "'config.deny'; at least one of these fields must be non-empty: 'config.allow', "
          "'config.deny')");
    CHECK(Message(b.Plugin("acl", R"({"allow":["a"],"deny":["b"]})")) ==
          "schema violation (exactly one of these fields must be non-empty: 'config.allow', "
          "'config.deny')");
  }

  TEST_CASE("rate-limiting: periods, ordering, policies and redis") {
    Bundled b;
    CHECK(b.Config("rate-limiting", R"({"minute":5})") ==
          R"({"second":null,"minute":5,"hour":null,"day":null,"month":null,"year":null,)"
          R"("limit_by":"consumer","header_name":null,"path":null,"policy":"local",)"
          R"("fault_tolerant":true,"redis":{"host":null,"port":6379,"timeout":2000,)"
          R"("username":null,"password":null,"database":0,"ssl":false,"ssl_verify":false,)"
          R"("server_name":null},"hide_client_headers":false,"error_code":429,)"
          R"("error_message":"API rate limit exceeded","sync_rate":-1})");
    CHECK(Message(b.Plugin("rate-limiting", "{}")) ==
          "schema violation (at least one of these fields must be non-empty: 'config.second', "
          "'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year')");
    CHECK(Fields(b.Plugin("rate-limiting", R"({"second":10,"minute":5})")) ==
          R"j({"config":"The limit for minute(5.0) cannot be lower than the limit for second(10.0)"})j");
    CHECK(Message(b.Plugin("rate-limiting", R"({"minute":0})")) ==
          "schema violation (config.minute: value must be greater than 0)");
    CHECK(Message(b.Plugin("rate-limiting", R"({"minute":5,"policy":"memcached"})")) ==
          "schema violation (config.policy: expected one of: local, cluster, redis)");
    CHECK(Fields(b.Plugin("rate-limiting", R"({"minute":5,"policy":"redis"})")) ==
          R"({"config":{"redis":{"host":"required field missing"}},)"
          R"("@entity":["failed conditional validation given value of field 'config.policy'"]})");
    CHECK(Fields(b.Plugin("rate-limiting", R"({"minute":5,"limit_by":"header"})")) ==
          R"({"config":{"header_name":"required field missing"},)"
          R"("@entity":["failed conditional validation given value of field 'config.limit_by'"]})");
    // The deprecated flat redis_* names land in the record.
    std::string with_redis = b.Config(
        "rate-limiting", R"({"minute":5,"policy":"redis","redis_host":"r1","redis_port":7000})");
    CHECK(with_redis.find(R"("redis":{"host":"r1","port":7000,"timeout":2000)") !=
          std::string::npos);
  }

  TEST_CASE("ip-restriction, request-size-limiting, correlation-id, prometheus") {
    Bundled b;
    EntityResult ip = b.Plugin("ip-restriction", R"({"allow":["10.0.0.0/8","::1"]})");
    REQUIRE_MESSAGE(ip.ok(), Message(ip));
    CHECK(S(*ip.entity().Find("config")) ==
          R"({"allow":["10.0.0.0/8","::1"],"deny":null,"status":null,"message":null})");
    CHECK(S(*ip.entity().Find("protocols")) == R"(["http","https","tcp","tls","grpc","grpcs"])");
    CHECK(Fields(b.Plugin("ip-restriction", R"({"deny":["300.1.1.1"]})")) ==
          R"({"config":{"deny":["invalid ip or cidr range: '300.1.1.1'"]}})");
    CHECK(Message(b.Plugin("ip-restriction", "{}")) ==
          "schema violation (at least one of these fields must be non-empty: 'config.allow', "
          "'config.deny')");

    CHECK(b.Config("request-size-limiting", "{}") ==
          R"({"allowed_payload_size":128,"size_unit":"megabytes","require_content_length":false})");
    CHECK(Message(b.Plugin("request-size-limiting", R"({"size_unit":"gigabytes"})")) ==
          "schema violation (config.size_unit: expected one of: megabytes, kilobytes, bytes)");
    CHECK(b.Config("correlation-id", "{}") ==
          R"({"header_name":"Kong-Request-ID","generator":"uuid#counter","echo_downstream":false})");
    CHECK(Message(b.Plugin("correlation-id", R"({"generator":"random"})")) ==
          "schema violation (config.generator: expected one of: uuid, uuid#counter, tracker)");
    CHECK(b.Config("prometheus", "{}") ==
          R"({"per_consumer":false,"status_code_metrics":false,"ai_metrics":false,)"
          R"("latency_metrics":false,"bandwidth_metrics":false,"upstream_health_metrics":false,)"
          R"("wasm_metrics":false})");
  }

  TEST_CASE("cors and the transformers") {
    Bundled b;
    CHECK(b.Config("cors", "{}") ==
          R"({"origins":null,"headers":null,"exposed_headers":null,)"
          R"("methods":["GET","HEAD","PUT","PATCH","POST","DELETE","OPTIONS","TRACE","CONNECT"],)"
          R"("max_age":null,"credentials":false,"private_network":false,)"
          R"("preflight_continue":false,"allow_origin_absent":true})");
    CHECK(b.Config("cors", R"({"origins":["*","https://.*\\.example\\.com"]})").find(
              R"("origins":["*","https://.*\\.example\\.com"])") != std::string::npos);
    CHECK(Fields(b.Plugin("cors", R"({"origins":["(bad"]})")) ==
          R"({"config":{"origins":["'(bad' is not a valid regex"]}})");
    CHECK(Fields(b.Plugin("cors", R"({"methods":["FETCH"]})")) ==
          R"({"config":{"methods":["expected one of: GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS, TRACE, CONNECT"]}})");

    std::string rt = b.Config("request-transformer", R"({"add":{"headers":["x-a:1"]}})");
    CHECK(rt ==
          R"({"http_method":null,"remove":{"body":[],"headers":[],"querystring":[]},)"
          R"("rename":{"body":[],"headers":[],"querystring":[]},)"
          R"("replace":{"body":[],"headers":[],"querystring":[],"uri":null},)"
          R"("add":{"body":[],"headers":["x-a:1"],"querystring":[]},)"
          R"("append":{"body":[],"headers":[],"querystring":[]}})");
    CHECK(Fields(b.Plugin("request-transformer", R"({"add":{"headers":["x-a"]}})")) ==
          R"({"config":{"add":{"headers":["invalid value: x-a"]}}})");
    CHECK(Fields(b.Plugin("request-transformer", R"({"add":{"querystring":["q:"]}})")) ==
          R"({"config":{"add":{"querystring":["key 'q' has no value"]}}})");
    CHECK(Fields(b.Plugin("request-transformer", R"({"http_method":"get"})")) ==
          R"({"config":{"http_method":"invalid value: get"}})");

    CHECK(b.Config("response-transformer", "{}") ==
          R"({"remove":{"json":[],"headers":[]},"rename":{"headers":[],"json":[]},)"
          R"("replace":{"json":[],"json_types":[],"headers":[]},)"
          R"("add":{"json":[],"json_types":[],"headers":[]},)"
          R"("append":{"json":[],"json_types":[],"headers":[]}})");
    CHECK(Fields(b.Plugin("response-transformer", R"({"add":{"json_types":["object"]}})")) ==
          R"({"config":{"add":{"json_types":["expected one of: boolean, number, string"]}}})");
  }

  TEST_CASE("credentials: generated keys, hashed passwords, required fields") {
    Bundled b;
    const std::string consumer = R"({"id":"0b0b0b0b-1c1c-4d4d-8e8e-9f9f9f9f9f9f"})";
    EntityResult k = Insert(*b.catalog, "keyauth_credentials", R"({"consumer":)" + consumer + "}");
    REQUIRE_MESSAGE(k.ok(), Message(k));
    const std::string key = k.entity().Find("key")->as_string();
    CHECK(key.size() == 32);
    EntityResult k2 = Insert(*b.catalog, "keyauth_credentials", R"({"consumer":)" + consumer + "}");
    REQUIRE(k2.ok());
    CHECK(k2.entity().Find("key")->as_string() != key);
    CHECK(Message(Insert(*b.catalog, "keyauth_credentials", R"({"key":"k"})")) ==
          "schema violation (consumer: required field missing)");

    EntityResult ba = Insert(*b.catalog, "basicauth_credentials",
                             R"({"username":"u","password":"secret","consumer":)" + consumer + "}");
    REQUIRE_MESSAGE(ba.ok(), Message(ba));
    // sha1("secret" .. consumer id), as basic-auth's crypto.lua.
    CHECK(ba.entity().Find("password")->as_string() == "9da095afbb32bc992c545644fb630ee182a47dfe");
    // A PATCH without a password keeps the stored hash; with one, hashes the new one.
    EntityResult same = Update(*b.catalog, "basicauth_credentials", ba.entity(), R"({"username":"v"})");
    REQUIRE(same.ok());
    CHECK(*same.entity().Find("password") == *ba.entity().Find("password"));
    CHECK(Message(Insert(*b.catalog, "basicauth_credentials",
                         R"({"username":"u","consumer":)" + consumer + "}")) ==
          "schema violation (password: required field missing)");

    EntityResult acl = Insert(*b.catalog, "acls", R"({"group":"admins","consumer":)" + consumer + "}");
    REQUIRE_MESSAGE(acl.ok(), Message(acl));
    CHECK(Message(Insert(*b.catalog, "acls", R"({"consumer":)" + consumer + "}")) ==
          "schema violation (group: required field missing)");
  }
}
