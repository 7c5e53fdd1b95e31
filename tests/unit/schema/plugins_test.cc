// The plugin schema registry and the plugins entity.
#include "schema/render.h"
#include "schema/typedefs.h"
#include "schema_test_util.h"

using kong::StatusCode;
using kong::json::Value;
using namespace kong::schema;
using namespace kong::schema::test;

namespace {

// A small rate-limiting-like plugin: defaults, a nested record, a plugin-level check.
PluginSchema Limiter() {
  PluginSchema p;
  p.name = "test-limiter";
  p.priority = 910;
  Field minute = NumberField();
  minute.gt = 0;
  Field policy = StringField();
  policy.default_value = Value("local");
  policy.one_of = StringValues({"local", "cluster", "redis"});
  Field redis_host = typedefs::Host();
  Field redis_port = typedefs::Port();
  redis_port.default_value = Value(6379);
  // A required record expands to its defaults when omitted (Kong's plugin schemas rely on it).
  Field redis = RecordOf({{"host", redis_host}, {"port", redis_port}});
  redis.required = true;
  p.config = {
      {"minute", minute},
      {"hour", NumberField()},
      {"policy", policy},
      {"redis", redis},
  };
  p.entity_checks = {AtLeastOneOf({"config.minute", "config.hour"})};
  return p;
}

PluginSchema Auth() {
  PluginSchema p;
  p.name = "test-auth";
  p.priority = 1250;
  p.no_consumer = true;
  Field names = ArrayOf(StringField());
  names.default_value = Strings({"apikey"});
  p.config = {{"key_names", names}};
  return p;
}

}  // namespace

TEST_SUITE("schema") {
  TEST_CASE("plugin registry: registration rules and priority order") {
    PluginSchemaRegistry reg;
    CHECK(reg.Register(Limiter()).ok());
    CHECK(reg.Register(Auth()).ok());
    PluginSchema dup = Auth();
    CHECK(reg.Register(dup).code() == StatusCode::kConflict);
    PluginSchema bad;
    CHECK(reg.Register(bad).code() == StatusCode::kInvalidArgument);
    PluginSchema odd = Auth();
    odd.name = "odd";
    odd.protocols = {"http", "gopher"};
    CHECK(reg.Register(odd).code() == StatusCode::kInvalidArgument);
    CHECK(reg.Names() == std::vector<std::string>{"test-auth", "test-limiter"});
    auto order = reg.ByPriority();
    REQUIRE(order.size() == 2);
    CHECK(order[0]->name == "test-auth");
    CHECK(order[1]->name == "test-limiter");
    CHECK(reg.Find("test-limiter")->priority == 910);
    CHECK(reg.Find("nope") == nullptr);
  }

  TEST_CASE("plugins: unknown plugin names give Kong's error") {
    PluginSchemaRegistry reg;
    Catalog c(&reg);
    CHECK(Message(Insert(c, "plugins", R"({"name":"x"})")) ==
          "schema violation (name: plugin 'x' not enabled; add it to the 'plugins' configuration "
          "property)");
    CHECK(Message(Insert(c, "plugins", R"({})")) == "schema violation (name: required field missing)");
  }

  TEST_CASE("plugins: generic fields and config defaults from the registered schema") {
    PluginSchemaRegistry reg;
    REQUIRE(reg.Register(Limiter()).ok());
    Catalog c(&reg);
    EntityResult r = Insert(c, "plugins", R"({"name":"test-limiter","config":{"minute":5}})");
    REQUIRE_MESSAGE(r.ok(), Message(r));
    const Value& e = r.entity();
    CHECK(*e.Find("enabled") == Value(true));
    CHECK(S(*e.Find("protocols")) == R"(["grpc","grpcs","http","https"])");
    CHECK(e.Find("route")->is_null());
    CHECK(e.Find("service")->is_null());
    CHECK(e.Find("consumer")->is_null());
    CHECK(e.Find("instance_name")->is_null());
    CHECK(S(*e.Find("config")) ==
          R"({"minute":5,"hour":null,"policy":"local","redis":{"host":null,"port":6379}})");

    CHECK(Message(Insert(c, "plugins", R"({"name":"test-limiter"})")) ==
          "schema violation (at least one of these fields must be non-empty: 'config.minute', "
          "'config.hour')");
    CHECK(Message(Insert(c, "plugins", R"({"name":"test-limiter","config":{"minute":0}})")) ==
          "schema violation (config.minute: value must be greater than 0)");
    CHECK(Message(Insert(c, "plugins", R"({"name":"test-limiter","config":{"minute":1,"x":1}})")) ==
          "schema violation (config.x: unknown field)");
    CHECK(Message(Insert(c, "plugins", R"({"name":"test-limiter","config":{"minute":1,"redis":{"host":"a:1"}}})")) ==
          "schema violation (config.redis: {\n  host = \"must not have a port\"\n})");
    CHECK(Message(Insert(c, "plugins", R"({"name":"test-limiter","config":{"minute":1},"protocols":["tcp"]})")) ==
          "schema violation (protocols.1: expected one of: grpc, grpcs, http, https)");
    CHECK(Message(Insert(c, "plugins", R"({"name":"test-limiter","config":{"minute":1},"service":{"id":"x"}})")) ==
          "schema violation (service.id: expected a valid UUID)");
    CHECK(Message(Insert(c, "plugins", R"({"name":"test-limiter","config":{"minute":1},"instance_name":"a b"})")) ==
          "schema violation (instance_name: invalid value 'a b': the only accepted ascii "
          "characters are alphanumerics or ., -, _, and ~)");
  }

  TEST_CASE("plugins: no_consumer scoping") {
    PluginSchemaRegistry reg;
    REQUIRE(reg.Register(Auth()).ok());
    Catalog c(&reg);
    EntityResult r = Insert(c, "plugins", R"({"name":"test-auth"})");
    REQUIRE_MESSAGE(r.ok(), Message(r));
    CHECK(S(*r.entity().Find("config")) == R"({"key_names":["apikey"]})");
    CHECK(Message(Insert(c, "plugins",
                         R"({"name":"test-auth","consumer":{"id":"0b0b0b0b-1c1c-4d4d-8e8e-9f9f9f9f9f9f"}})")) ==
          "schema violation (consumer: value must be null)");
  }

  TEST_CASE("plugins: PATCH deep-merges config") {
    PluginSchemaRegistry reg;
    REQUIRE(reg.Register(Limiter()).ok());
    Catalog c(&reg);
    EntityResult r = Insert(
        c, "plugins", R"({"name":"test-limiter","config":{"minute":5,"redis":{"host":"r1"}}})");
    REQUIRE(r.ok());
    EntityResult u = Update(c, "plugins", r.entity(), R"({"config":{"hour":100,"redis":{"port":7000}}})");
    REQUIRE_MESSAGE(u.ok(), Message(u));
    CHECK(S(*u.entity().Find("config")) ==
          R"({"minute":5,"hour":100,"policy":"local","redis":{"host":"r1","port":7000}})");
    u = Update(c, "plugins", r.entity(), R"({"enabled":false,"tags":["t"]})");
    REQUIRE(u.ok());
    CHECK(*u.entity().Find("enabled") == Value(false));
    CHECK(*u.entity().Find("config")->Find("minute") == Value(5));
  }

  TEST_CASE("render: entity and plugin schemas in Kong's JSON shape") {
    PluginSchemaRegistry reg;
    REQUIRE(reg.Register(Auth()).ok());
    Catalog c(&reg);
    Value services = RenderRecord(*c.Find("services"));
    const Value& fields = *services.Find("fields");
    REQUIRE(fields.is_array());
    CHECK(S(fields.as_array()[0]) == R"({"id":{"type":"string","auto":true,"uuid":true}})");
    CHECK(S(fields.as_array()[7]) ==
          R"({"port":{"type":"integer","required":true,"default":80,"between":[0,65535]}})");
    CHECK(S(fields.as_array()[13]) ==
          R"({"client_certificate":{"type":"foreign","reference":"certificates"}})");
    const Value& checks = *services.Find("entity_checks");
    CHECK(S(checks.as_array()[0]) ==
          R"({"conditional":{"if_field":"protocol","if_match":{"one_of":["tcp","tls","udp","grpc","grpcs"]},"then_field":"path","then_match":{"eq":null}}})");
    Value plugin = RenderPluginSchema(reg, "test-auth");
    CHECK(S(plugin) ==
          R"({"fields":[{"consumer":{"type":"foreign","eq":null,"reference":"consumers"}},)"
          R"({"protocols":{"type":"set","required":true,"default":["grpc","grpcs","http","https"],)"
          R"("elements":{"type":"string","one_of":["grpc","grpcs","http","https"]}}},)"
          R"({"config":{"type":"record","required":true,"fields":[{"key_names":{"type":"array",)"
          R"("default":["apikey"],"elements":{"type":"string"}}}]}}]})");
    CHECK(RenderPluginSchema(reg, "nope").is_null());
  }
}
