// The node-information endpoints (GET /, /status, /endpoints, /plugins/enabled, /schemas,
// /config) on a real AdminApi over loopback, on every store backend.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "admin/admin_api.h"
#include "admin/info_endpoints.h"
#include "declarative/yaml.h"
#include "http/fetch.h"
#include "json/value.h"
#include "net/listen_spec.h"
#include "schema/catalog.h"
#include "schema/plugin_registry.h"
#include "store/async_store.h"
#include "support/test_support.h"
#include "unit/net/loopback_peer.h"
#include "unit/store/store_fixture.h"

namespace kong::admin {
namespace {

using store::test::ForEachBackend;
using store::test::TestDatabase;

json::Value Parse(const std::string& text) {
  Result<json::Value> v = json::Parse(text);
  REQUIRE_MESSAGE(v.ok(), "not JSON: " << text);
  return std::move(v).value();
}

std::string Compact(const json::Value& v) { return json::Serialize(v, {.sort_keys = true}); }

// An AdminApi on 127.0.0.1:0 with the info endpoints and one registered plugin.
class InfoFixture {
 public:
  explicit InfoFixture(TestDatabase& db) {
    auto loop = EventLoop::Create();
    REQUIRE_OK(loop.status());
    loop_ = std::move(loop).value();
    schema::PluginSchema p;
    p.name = "test-plugin";
    p.priority = 777;
    p.version = "1.2.3";
    p.config = {{"level", schema::IntegerField()}};
    REQUIRE_OK(plugins_.Register(std::move(p)));
    catalog_ = std::make_unique<schema::Catalog>(&plugins_);
    store_ = store::AsyncStore::Start(*loop_, db.Open());
    AdminOptions options;
    auto spec = net::ParseListenSpec("127.0.0.1:0");
    REQUIRE_OK(spec.status());
    options.listen.push_back(*spec);
    auto admin = AdminApi::Start(*loop_, *store_, *catalog_, std::move(options));
    REQUIRE_OK(admin.status());
    admin_ = std::move(admin).value();
    NodeInfo node;
    node.node_id = "4c6f3a2e-1b7d-4e55-9a40-0e2f3c1d5b6a";
    node.hostname = "cp-1";
    node.version = "3.10.0";
    node.role = "control_plane";
    node.configuration = {{"role", "control_plane"}, {"pg_password", "******"}};
    RegisterInfoEndpoints(*admin_, InfoContext{*store_, *catalog_, node, {}});
  }

  ~InfoFixture() {
    bool closed = false;
    admin_->Close([&] { closed = true; });
    CHECK(test::WaitUntil(*loop_, [&] { return closed; }));
    admin_.reset();
    store_->Shutdown();
    store_.reset();
    CHECK(test::AllHandlesClosed(*loop_));
  }

  // One request on its own connection; REQUIREs an answer.
  http::ClientResponse Call(const std::string& method, const std::string& target,
                            const std::string& body = "",
                            const std::string& type = "application/json") {
    http::ClientRequest request;
    request.method = method;
    request.target = target;
    request.body = body;
    if (!body.empty()) request.headers.Add("Content-Type", type);
    std::optional<Result<http::ClientResponse>> out;
    auto done = [&](Result<http::ClientResponse> r) { out.emplace(std::move(r)); };
    auto fetch = http::Fetch::Start(*loop_, "127.0.0.1", admin_->bound_ports()[0],
                                    std::move(request), {}, done);
    REQUIRE(test::WaitUntil(*loop_, [&] { return out.has_value(); }, 30000));
    REQUIRE_OK(out->status());
    return std::move(*out).value();
  }

  store::AsyncStore& store() { return *store_; }

 private:
  std::unique_ptr<EventLoop> loop_;
  schema::PluginSchemaRegistry plugins_;
  std::unique_ptr<schema::Catalog> catalog_;
  std::unique_ptr<store::AsyncStore> store_;
  std::unique_ptr<AdminApi> admin_;
};

TEST_SUITE("admin") {
  TEST_CASE("info: GET / reports the node, its plugins and the plugins in use") {
    ForEachBackend([](TestDatabase& db) {
      InfoFixture f(db);
      auto root = f.Call("GET", "/");
      REQUIRE(root.status == 200);
      json::Value body = Parse(root.body);
      CHECK(Compact(*body.Find("tagline")) == R"("Welcome to kong")");
      CHECK(Compact(*body.Find("version")) == R"("3.10.0")");
      CHECK(Compact(*body.Find("edition")) == R"("community")");
      CHECK(Compact(*body.Find("hostname")) == R"("cp-1")");
      CHECK(Compact(*body.Find("node_id")) == R"("4c6f3a2e-1b7d-4e55-9a40-0e2f3c1d5b6a")");
      CHECK(Compact(*body.Find("plugins")) ==
            R"({"available_on_server":{"test-plugin":{"priority":777,"version":"1.2.3"}},)"
            R"("enabled_in_cluster":[]})");
      CHECK(Compact(*body.Find("configuration")) ==
            R"({"pg_password":"******","role":"control_plane"})");
      const int64_t pid = getpid();
      CHECK(Compact(*body.Find("pids")) ==
            R"({"master":)" + std::to_string(pid) + R"(,"workers":[)" + std::to_string(pid) + "]}");

      // Two instances of one plugin list its name once.
      REQUIRE(f.Call("POST", "/plugins", R"({"name":"test-plugin","config":{"level":1}})").status ==
              201);
      REQUIRE(f.Call("POST", "/services", R"({"name":"s1","host":"example.com"})").status == 201);
      REQUIRE(f.Call("POST", "/services/s1/plugins", R"({"name":"test-plugin"})").status == 201);
      body = Parse(f.Call("GET", "/").body);
      CHECK(Compact(*body.Find("plugins")->Find("enabled_in_cluster")) == R"(["test-plugin"])");
    });
  }

  TEST_CASE("info: /status, /plugins/enabled and /endpoints") {
    ForEachBackend([](TestDatabase& db) {
      InfoFixture f(db);
      auto status = f.Call("GET", "/status");
      CHECK(status.status == 200);
      CHECK(status.body == R"({"database":{"reachable":true}})");
      auto enabled = f.Call("GET", "/plugins/enabled");
      CHECK(enabled.status == 200);
      CHECK(enabled.body == R"({"enabled_plugins":["test-plugin"]})");

      json::Value endpoints = Parse(f.Call("GET", "/endpoints").body);
      std::vector<std::string> data;
      for (const json::Value& e : endpoints.Find("data")->as_array()) data.push_back(e.as_string());
      auto at = [&](const std::string& p) {
        return std::find(data.begin(), data.end(), p) - data.begin();
      };
      for (const char* p : {"/", "/status", "/endpoints", "/schemas/{name}", "/config",
                            "/services", "/services/{services}", "/services/{services}/routes"}) {
        CHECK_MESSAGE(at(p) < static_cast<long>(data.size()), p);
      }
      // A path's children come right after it: "/" sorts below every other character.
      CHECK(at("/services") < at("/services/{services}"));
      CHECK(at("/services/{services}/routes") < at("/snis"));
      CHECK(at("/schemas/{name}") < at("/services"));

      // A store that no longer answers is reported, still with a 200.
      f.store().Shutdown();
      auto down = f.Call("GET", "/status");
      CHECK(down.status == 200);
      CHECK(down.body == R"({"database":{"reachable":false}})");
    });
  }

  TEST_CASE("info: /schemas endpoints render and validate") {
    ForEachBackend([](TestDatabase& db) {
      InfoFixture f(db);
      auto services = f.Call("GET", "/schemas/services");
      REQUIRE(services.status == 200);
      json::Value fields = *Parse(services.body).Find("fields");
      bool has_host = false;
      for (const json::Value& field : fields.as_array()) {
        if (const json::Value* host = field.Find("host")) {
          has_host = Compact(*host->Find("type")) == R"("string")";
        }
      }
      CHECK(has_host);
      auto missing = f.Call("GET", "/schemas/nope");
      CHECK(missing.status == 404);
      CHECK(missing.body == R"({"message":"No entity named 'nope'"})");

      auto plugin = f.Call("GET", "/schemas/plugins/test-plugin");
      REQUIRE(plugin.status == 200);
      CHECK(plugin.body.find(R"("level":{"type":"integer")") != std::string::npos);
      auto no_plugin = f.Call("GET", "/schemas/plugins/nope");
      CHECK(no_plugin.status == 404);
      CHECK(no_plugin.body == R"({"message":"No plugin named 'nope'"})");

      auto ok = f.Call("POST", "/schemas/services/validate", R"({"host":"example.com"})");
      CHECK(ok.status == 200);
      CHECK(ok.body == R"({"message":"schema validation successful"})");
      auto bad = f.Call("POST", "/schemas/services/validate", R"({"port":80})");
      CHECK(bad.status == 400);
      CHECK(Compact(Parse(bad.body)) ==
            R"js({"code":2,"fields":{"host":"required field missing"},)js"
            R"js("message":"schema violation (host: required field missing)",)js"
            R"js("name":"schema violation"})js");
      // Validation reads nothing: a service that does not exist is no error here.
      CHECK(f.Call("POST", "/schemas/routes/validate",
                   R"({"paths":["/a"],"service":{"id":"4c6f3a2e-1b7d-4e55-9a40-0e2f3c1d5b6a"}})")
                .status == 200);
      CHECK(f.Call("POST", "/schemas/nope/validate", "{}").status == 404);
      auto unparsable = f.Call("POST", "/schemas/services/validate", "{x");
      CHECK(unparsable.status == 400);
      CHECK(unparsable.body == R"({"message":"Cannot parse JSON body"})");

      CHECK(f.Call("POST", "/schemas/plugins/validate", R"({"name":"test-plugin"})").status ==
            200);
      auto bad_plugin = f.Call("POST", "/schemas/plugins/validate",
                               R"({"name":"test-plugin","config":{"level":"high"}})");
      CHECK(bad_plugin.status == 400);
      CHECK(Compact(*Parse(bad_plugin.body).Find("fields")) ==
            R"({"config":{"level":"expected an integer"}})");
      // Nothing was stored by any of this.
      CHECK(f.Call("GET", "/services").body == R"({"data":[],"next":null})");
    });
  }

  TEST_CASE("info: GET /config exports kong.yml, POST /config is refused") {
    ForEachBackend([](TestDatabase& db) {
      InfoFixture f(db);
      REQUIRE(f.Call("POST", "/services", R"({"name":"s1","host":"example.com"})").status == 201);
      REQUIRE(f.Call("POST", "/services/s1/routes", R"({"name":"r1","paths":["/a"]})").status ==
              201);
      auto config = f.Call("GET", "/config");
      REQUIRE(config.status == 200);
      json::Value body = Parse(config.body);
      REQUIRE(body.Find("config") != nullptr);
      REQUIRE(body.Find("config")->is_string());
      Result<json::Value> yaml = declarative::ParseYaml(body.Find("config")->as_string());
      REQUIRE_OK(yaml.status());
      CHECK(Compact(*yaml.value().Find("_format_version")) == R"("3.0")");
      const json::Value* services = yaml.value().Find("services");
      REQUIRE(services != nullptr);
      REQUIRE(services->as_array().size() == 1);
      CHECK(Compact(*services->as_array()[0].Find("name")) == R"("s1")");
      CHECK(config.body.find("r1") != std::string::npos);

      auto post = f.Call("POST", "/config", R"({"_format_version":"3.0"})");
      CHECK(post.status == 400);
      CHECK(post.body == R"({"message":"this endpoint is only available when Kong is )"
                         R"(configured to not use a database"})");
    });
  }
}

}  // namespace
}  // namespace kong::admin
