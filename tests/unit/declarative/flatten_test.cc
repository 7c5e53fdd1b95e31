// Tests for declarative::Flatten / LoadDeclarative: nesting, ids, references, Kong's errors.
#include <string>

#include "declarative/declarative.h"
#include "json/value.h"
#include "schema/catalog.h"
#include "schema/field.h"
#include "schema/plugin_registry.h"
#include "support/test_support.h"

namespace kong::declarative {
namespace {

struct Schemas {
  Schemas() {
    schema::PluginSchema p;
    p.name = "test-plugin";
    REQUIRE_OK(plugins.Register(std::move(p)));
    catalog = std::make_unique<schema::Catalog>(&plugins);
  }
  schema::PluginSchemaRegistry plugins;
  std::unique_ptr<schema::Catalog> catalog;
};

json::Value MustLoad(const Schemas& s, std::string_view yaml) {
  DeclarativeError err;
  Result<json::Value> r = LoadDeclarative(yaml, TextFormat::kYaml, *s.catalog, &err);
  REQUIRE_MESSAGE(r.ok(), PrettyError(err));
  return std::move(r).value();
}

DeclarativeError MustFail(const Schemas& s, std::string_view text,
                          TextFormat format = TextFormat::kYaml) {
  DeclarativeError err;
  Result<json::Value> r = LoadDeclarative(text, format, *s.catalog, &err);
  REQUIRE_MESSAGE(!r.ok(), std::string(text));
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(r.status().message() == err.message);
  return err;
}

std::string Sorted(const json::Value& v) { return json::Serialize(v, {.sort_keys = true}); }

const json::Value& Only(const json::Value& flat, const char* entity, size_t i = 0) {
  const json::Value* list = flat.Find(entity);
  REQUIRE(list != nullptr);
  REQUIRE(list->as_array().size() > i);
  return list->as_array()[i];
}

// Ids computed independently (Python's uuid.uuid5 over Kong's namespace).
constexpr char kServiceS1[] = "356ebaf8-b7af-5cba-99a1-f392e34730ab";
constexpr char kRouteR1[] = "4726a05a-d550-537e-9fc3-a07c7a1188c7";
constexpr char kConsumerBob[] = "def4f7d3-9863-5ad2-8fa9-c949bf26f55e";
constexpr char kUpstreamUp[] = "152df2f3-4eb2-505d-ba48-f128b77c4e89";

}  // namespace

TEST_SUITE("declarative") {
  TEST_CASE("flatten: deterministic ids are Kong's UUID v5") {
    CHECK(DeterministicId("services", "s1") == kServiceS1);
    CHECK(DeterministicId("routes", "r1") == kRouteR1);
    CHECK(DeterministicId("consumers", "bob") == kConsumerBob);
  }

  TEST_CASE("flatten: nested children get the parent's foreign key, any depth") {
    Schemas s;
    json::Value flat = MustLoad(s,
        "_format_version: \"3.0\"\n"
        "services:\n"
        "- name: s1\n"
        "  url: http://example.com\n"
        "  routes:\n"
        "  - name: r1\n"
        "    paths: [/a]\n"
        "    plugins:\n"
        "    - name: test-plugin\n"
        "  plugins:\n"
        "  - name: test-plugin\n"
        "consumers:\n"
        "- username: bob\n"
        "  plugins:\n"
        "  - name: test-plugin\n"
        "upstreams:\n"
        "- name: up\n"
        "  targets:\n"
        "  - target: 10.0.0.1:80\n");
    CHECK(flat.Find("_format_version")->as_string() == "3.0");
    CHECK(flat.Find("_transform")->as_bool() == true);
    const json::Value& service = Only(flat, "services");
    CHECK(service.Find("id")->as_string() == kServiceS1);
    CHECK(service.Find("routes") == nullptr);
    CHECK(service.Find("plugins") == nullptr);
    const json::Value& route = Only(flat, "routes");
    CHECK(route.Find("id")->as_string() == kRouteR1);
    CHECK(route.Find("service")->as_string() == kServiceS1);
    REQUIRE(flat.Find("plugins")->as_array().size() == 3);
    int on_route = 0, on_service = 0, on_consumer = 0;
    for (const json::Value& p : flat.Find("plugins")->as_array()) {
      if (p.Find("route")) on_route += p.Find("route")->as_string() == kRouteR1;
      if (p.Find("service")) on_service += p.Find("service")->as_string() == kServiceS1;
      if (p.Find("consumer")) on_consumer += p.Find("consumer")->as_string() == kConsumerBob;
      CHECK(p.Find("id")->is_string());
    }
    CHECK(on_route == 1);
    CHECK(on_service == 1);
    CHECK(on_consumer == 1);
    // Plugins are keyed by their cache key: name, route, service, consumer.
    for (const json::Value& p : flat.Find("plugins")->as_array()) {
      if (!p.Find("service")) continue;
      CHECK(p.Find("id")->as_string() ==
            DeterministicId("plugins", std::string("plugins:test-plugin::") + kServiceS1 + ":"));
    }
    const json::Value& target = Only(flat, "targets");
    CHECK(target.Find("upstream")->as_string() == kUpstreamUp);
    // Target names are unique per upstream only, so the upstream's id is part of the key.
    CHECK(target.Find("id")->as_string() ==
          DeterministicId("targets", std::string("10.0.0.1:80:") + kUpstreamUp));
  }

  TEST_CASE("flatten: loading the same file twice gives the same ids") {
    Schemas s;
    const char* doc = "_format_version: '3.0'\nservices:\n- name: a\n  host: h\n  routes:\n  - paths: [/x]\n";
    json::Value one = MustLoad(s, doc);
    json::Value two = MustLoad(s, doc);
    CHECK(Only(one, "services").Find("id")->as_string() ==
          Only(two, "services").Find("id")->as_string());
    // A route without name has no key: its id is random, but it still points at its service.
    CHECK(Only(one, "routes").Find("service")->as_string() ==
          Only(one, "services").Find("id")->as_string());
  }

  TEST_CASE("flatten: top-level foreign keys by name or id") {
    Schemas s;
    json::Value flat = MustLoad(s,
        "_format_version: \"3.0\"\n"
        "services:\n- name: s1\n  host: example.com\n"
        "- id: 8f6c3d1e-6a0b-4a43-9a3d-0e1f2a3b4c5d\n  host: other.com\n"
        "routes:\n- name: r1\n  service: s1\n  paths: [/a]\n"
        "- name: r2\n  service: 8f6c3d1e-6a0b-4a43-9a3d-0e1f2a3b4c5d\n  paths: [/b]\n"
        "- name: r3\n  service: {id: 8f6c3d1e-6a0b-4a43-9a3d-0e1f2a3b4c5d}\n  paths: [/c]\n");
    CHECK(Only(flat, "routes", 0).Find("service")->as_string() == kServiceS1);
    CHECK(Only(flat, "routes", 1).Find("service")->as_string() ==
          "8f6c3d1e-6a0b-4a43-9a3d-0e1f2a3b4c5d");
    CHECK(Only(flat, "routes", 2).Find("service")->as_string() ==
          "8f6c3d1e-6a0b-4a43-9a3d-0e1f2a3b4c5d");
  }

  TEST_CASE("flatten: a reference to nothing is Kong's invalid reference error") {
    Schemas s;
    DeclarativeError err = MustFail(s,
        "_format_version: \"3.0\"\nroutes:\n- name: r1\n  service: nope\n  paths: [/a]\n");
    CHECK(Sorted(err.fields) ==
          R"j({"routes":{"r1":["invalid reference 'service: nope' (no such entry in 'services')"]}})j");
    CHECK(err.message == "declarative config is invalid: "
                         "{routes={r1={\"invalid reference 'service: nope' (no such entry in "
                         "'services')\"}}}");
    CHECK(PrettyError(err) == "in 'routes':\n  in 'r1':\n    - in entry 1 of 'r1': invalid "
                              "reference 'service: nope' (no such entry in 'services')");
  }

  TEST_CASE("flatten: _format_version, _transform and unknown keys") {
    Schemas s;
    CHECK(Sorted(MustFail(s, "services: []\n").fields) ==
          R"({"_format_version":"required field missing"})");
    CHECK(Sorted(MustFail(s, "_format_version: 1.1\n").fields) ==
          R"({"_format_version":"expected a string"})");
    CHECK(Sorted(MustFail(s, "_format_version: \"4.0\"\n").fields) ==
          R"({"_format_version":"expected one of: 1.1, 2.1, 3.0"})");
    CHECK(Sorted(MustFail(s, "_format_version: \"3.0\"\n_transform: maybe\nfoo: []\nservices: {}\n")
                     .fields) ==
          R"({"_transform":"expected a boolean","foo":"unknown field","services":"expected an array"})");
    json::Value flat = MustLoad(s, "_format_version: \"3.0\"\n_transform: no\n_comment: hi\n");
    CHECK(flat.Find("_transform")->as_bool() == false);
  }

  TEST_CASE("flatten: errors sit where the entity was written") {
    Schemas s;
    DeclarativeError err = MustFail(s,
        "_format_version: \"3.0\"\n"
        "services:\n"
        "- name: ok\n  host: example.com\n"
        "- name: s\n  host: example.com\n"
        "  routes:\n"
        "  - name: fine\n    paths: [/a]\n"
        "  - name: bad\n    paths: [/b]\n    service: ok\n"
        "  - name: worse\n    paths: [/c]\n    protocols: [ftp]\n");
    const json::Value& services = *err.fields.Find("services");
    CHECK(services.as_array()[0].is_null());
    const json::Value& routes = *services.as_array()[1].Find("routes");
    CHECK(routes.as_array()[0].is_null());
    CHECK(Sorted(routes.as_array()[1]) == R"({"service":"value must be null"})");
    CHECK(routes.as_array()[2].Find("protocols") != nullptr);
    std::string pretty = PrettyError(err);
    CHECK(pretty.rfind("in 'services':\n  - in entry 2 of 'services':\n    in 'routes':\n"
                       "      - in entry 2 of 'routes':\n        in 'service': value must be null\n"
                       "      - in entry 3 of 'routes':\n", 0) == 0);
  }

  TEST_CASE("flatten: entity validation uses Kong's messages") {
    Schemas s;
    DeclarativeError err = MustFail(s, "_format_version: \"3.0\"\nservices:\n- name: s\n  port: 99999\n");
    CHECK(Sorted(err.fields) ==
          R"({"services":[{"host":"required field missing","port":"value should be between 0 and 65535"}]})");
    CHECK(PrettyError(err) ==
          "in 'services':\n  - in entry 1 of 'services':\n    in 'host': required field missing\n"
          "    in 'port': value should be between 0 and 65535");
  }

  TEST_CASE("flatten: duplicate names and ids are uniqueness violations") {
    Schemas s;
    DeclarativeError err = MustFail(s,
        "_format_version: \"3.0\"\nservices:\n- name: a\n  host: h\n- name: a\n  host: h2\n");
    CHECK(Sorted(err.fields) ==
          R"({"services":[null,"uniqueness violation: 'services' entity with name set to 'a' already declared"]})");
  }

  TEST_CASE("flatten: entries that are not records, children that are not lists") {
    Schemas s;
    DeclarativeError err = MustFail(s,
        "_format_version: \"3.0\"\nservices:\n- just-a-name\n- name: s\n  host: h\n  routes: nope\n");
    CHECK(Sorted(err.fields) ==
          R"({"services":["expected a record",{"routes":"expected an array"}]})");
    CHECK(PrettyError(err) ==
          "in 'services':\n  - in entry 1 of 'services': expected a record\n"
          "  - in entry 2 of 'services':\n    in 'routes': expected an array");
  }

  TEST_CASE("flatten: 1.1 and 2.1 files get 3.0 regex paths") {
    Schemas s;
    json::Value flat = MustLoad(s,
        "_format_version: \"2.1\"\nroutes:\n- name: r\n  paths: ['/users/\\d+', /plain, '~/already']\n");
    CHECK(flat.Find("_format_version")->as_string() == "3.0");
    CHECK(Sorted(*Only(flat, "routes").Find("paths")) == R"(["~/users/\\d+","/plain","~/already"])");
    json::Value v3 = MustLoad(s, "_format_version: \"3.0\"\nroutes:\n- name: r\n  paths: ['/users/\\d+']\n");
    CHECK(Sorted(*Only(v3, "routes").Find("paths")) == R"(["/users/\\d+"])");
  }

  TEST_CASE("flatten: unreadable text is a parse failure") {
    Schemas s;
    DeclarativeError err = MustFail(s, "services: [\n");
    CHECK(err.parse_failure);
    CHECK(err.message.rfind("failed parsing declarative configuration: invalid YAML at line 2", 0) == 0);
    CHECK(err.fields.Find("error")->as_string() == err.message);
    CHECK(PrettyError(err) == err.message);
    CHECK(MustFail(s, "- a\n- b\n").message ==
          "failed parsing declarative configuration: expected an object");
    CHECK(MustFail(s, "{\"_format_version\": ", TextFormat::kJson).message.rfind(
              "failed parsing declarative configuration: invalid JSON", 0) == 0);
    // kAuto reads JSON text as JSON.
    json::Value flat = MustLoad(s, R"({"_format_version":"3.0","services":[{"name":"j","host":"h"}]})");
    CHECK(Only(flat, "services").Find("name")->as_string() == "j");
    CHECK(FormatForPath("/x/kong.JSON") == TextFormat::kJson);
    CHECK(FormatForPath("kong.yaml") == TextFormat::kYaml);
    CHECK(FormatForPath("kong.yml") == TextFormat::kYaml);
    CHECK(FormatForPath("kong.conf") == TextFormat::kAuto);
  }
}

}  // namespace kong::declarative
