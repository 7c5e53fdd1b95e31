// kong::ControlPlane through its public API: start on a temp prefix, Admin API requests over
// real loopback sockets, restart, refusals, and shutdown that leaves the loop closable.
#include "kong/control_plane.h"

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/fetch.h"
#include "kong/cert_gen.h"
#include "kong/uv.h"
#include "schema/uuid.h"
#include "support/test_support.h"
#include "unit/store/store_fixture.h"

namespace kong::test {
namespace {

// A caller-owned libuv loop wrapped as an EventLoop, so the test can assert libuv's own
// leak check at the end: uv_loop_close() == 0 once every handle is closed.
struct OwnedLoop {
  uv_loop_t uv;
  std::unique_ptr<EventLoop> loop;
  OwnedLoop() {
    REQUIRE(uv_loop_init(&uv) == 0);
    auto wrapped = WrapUvLoop(&uv);
    REQUIRE_OK(wrapped.status());
    loop = std::move(wrapped).value();
  }
  // REQUIRES: every ControlPlane on it destroyed. Runs the loop until nothing keeps it alive
  // (an unreferenced watchdog stops a loop that never ends and fails the test).
  void CloseAndCheck() {
    struct Watchdog {
      uv_timer_t timer;
      bool fired = false;
    } dog;
    dog.timer.data = &dog;
    REQUIRE(uv_timer_init(&uv, &dog.timer) == 0);
    uv_timer_start(
        &dog.timer,
        [](uv_timer_t* t) {
          static_cast<Watchdog*>(t->data)->fired = true;
          uv_stop(t->loop);
        },
        10000, 0);
    uv_unref(reinterpret_cast<uv_handle_t*>(&dog.timer));
    uv_run(&uv, UV_RUN_DEFAULT);
    CHECK_FALSE(dog.fired);
    uv_close(reinterpret_cast<uv_handle_t*>(&dog.timer), nullptr);
    uv_run(&uv, UV_RUN_NOWAIT);
    loop.reset();
    CHECK(uv_loop_close(&uv) == 0);
  }
};

Conf LoadConf(std::map<std::string, std::string> overrides) {
  ConfSources sources;
  overrides.emplace("admin_listen", "127.0.0.1:0");
  // Loopback proxies with one worker (Kong refuses proxy_listen = off on a data plane).
  overrides.emplace("proxy_listen", "127.0.0.1:0");
  overrides.emplace("nginx_worker_processes", "1");
  sources.overrides = std::move(overrides);
  auto conf = Conf::Load(sources);
  REQUIRE_OK(conf.status());
  return *conf;
}

struct Captured {
  std::vector<std::string> lines;
};

std::unique_ptr<ControlPlane> MakeNode(EventLoop& loop, Conf conf, Captured* log = nullptr) {
  ControlPlaneOptions options;
  options.conf = std::move(conf);
  if (log) options.log_sink = [log](LogLevel, std::string_view l) { log->lines.emplace_back(l); };
  auto node = ControlPlane::Create(loop, std::move(options));
  REQUIRE_OK(node.status());
  return std::move(node).value();
}

// One request over a fresh loopback connection; the response, or the connect/HTTP error.
Result<http::ClientResponse> Request(EventLoop& loop, uint16_t port, std::string method,
                                     std::string target, std::string body = "") {
  http::ClientRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  if (!body.empty()) {
    request.headers.Add("Content-Type", "application/json");
    request.body = std::move(body);
  }
  std::optional<Result<http::ClientResponse>> result;
  auto fetch = http::Fetch::Start(loop, "127.0.0.1", port, std::move(request), {},
                                  [&](Result<http::ClientResponse> r) { result = std::move(r); });
  REQUIRE(WaitUntil(
      loop, [&] { return result.has_value(); }, 10000));
  fetch.reset();
  return std::move(*result);
}

void StopAndWait(EventLoop& loop, ControlPlane& node) {
  int calls = 0;
  node.Stop([&] { ++calls; });
  REQUIRE(WaitUntil(loop, [&] { return calls == 1; }));
}

}  // namespace

TEST_SUITE("api") {
  TEST_CASE("a traditional node serves the Admin API on a temp prefix and stops cleanly") {
    TempDir dir;
    const std::string prefix = dir.File("prefix/nested");  // created by Start
    OwnedLoop owned;
    Captured log;
    auto node = MakeNode(*owned.loop, LoadConf({{"prefix", prefix}}), &log);
    CHECK(node->role() == "traditional");
    CHECK(node->admin_ports().empty());
    CHECK_FALSE(node->running());
    REQUIRE_OK(node->Start());
    CHECK(node->running());
    std::vector<uint16_t> ports = node->admin_ports();
    REQUIRE(ports.size() == 1);
    CHECK(ports[0] != 0);
    CHECK(schema::IsUuid(node->node_id()));
    CHECK(ReadTestFile(prefix + "/kong.id") == node->node_id());
    REQUIRE(!log.lines.empty());
    CHECK(log.lines.back().find("127.0.0.1:" + std::to_string(ports[0])) != std::string::npos);

    auto status = Request(*owned.loop, ports[0], "GET", "/status");
    REQUIRE_OK(status.status());
    CHECK(status->status == 200);
    auto created = Request(*owned.loop, ports[0], "POST", "/services",
                           R"({"name":"svc1","url":"http://example.test:8080/x"})");
    REQUIRE_OK(created.status());
    CHECK(created->status == 201);
    auto root = Request(*owned.loop, ports[0], "GET", "/");
    REQUIRE_OK(root.status());
    CHECK(root->status == 200);
    CHECK(root->body.find(node->node_id()) != std::string::npos);

    StopAndWait(*owned.loop, *node);
    CHECK_FALSE(node->running());
    CHECK(node->admin_ports().empty());
    auto refused = Request(*owned.loop, ports[0], "GET", "/status");
    CHECK_FALSE(refused.ok());
    node.reset();
    owned.CloseAndCheck();
  }

  TEST_CASE("a restart on the same prefix keeps the node id and the data") {
    TempDir dir;
    OwnedLoop owned;
    Conf conf = LoadConf({{"prefix", dir.path()}});
    std::string first_id;
    {
      auto node = MakeNode(*owned.loop, conf);
      REQUIRE_OK(node->Start());
      first_id = node->node_id();
      auto created = Request(*owned.loop, node->admin_ports()[0], "POST", "/services",
                             R"({"name":"kept","host":"example.test"})");
      REQUIRE_OK(created.status());
      CHECK(created->status == 201);
      StopAndWait(*owned.loop, *node);
    }
    auto node = MakeNode(*owned.loop, conf);
    REQUIRE_OK(node->Start());
    CHECK(node->node_id() == first_id);
    auto got = Request(*owned.loop, node->admin_ports()[0], "GET", "/services/kept");
    REQUIRE_OK(got.status());
    CHECK(got->status == 200);
    StopAndWait(*owned.loop, *node);
    node.reset();
    owned.CloseAndCheck();
  }

  TEST_CASE("node_id from the configuration wins over kong.id") {
    TempDir dir;
    OwnedLoop owned;
    const std::string id = "0b4a7f0c-6a4e-4b8e-9d4f-6a8c1f2e3d4c";
    auto node = MakeNode(*owned.loop, LoadConf({{"prefix", dir.path()}, {"node_id", id}}));
    REQUIRE_OK(node->Start());
    CHECK(node->node_id() == id);
    StopAndWait(*owned.loop, *node);
    node.reset();
    owned.CloseAndCheck();
  }

  TEST_CASE("Start refuses a busy admin port and leaves nothing open") {
    TempDir dir;
    OwnedLoop owned;
    auto first = MakeNode(*owned.loop, LoadConf({{"prefix", dir.File("a")}}));
    REQUIRE_OK(first->Start());
    const uint16_t port = first->admin_ports()[0];
    const std::string listen = "127.0.0.1:" + std::to_string(port);
    auto second =
        MakeNode(*owned.loop, LoadConf({{"prefix", dir.File("b")}, {"admin_listen", listen}}));
    Status started = second->Start();
    CHECK(started.code() != StatusCode::kOk);
    CHECK(started.message().find("address already in use") != std::string::npos);
    CHECK(started.message().find(listen) != std::string::npos);
    CHECK_FALSE(second->running());
    CHECK(second->Start().code() == StatusCode::kConflict);
    StopAndWait(*owned.loop, *second);  // stopping a node that never ran still answers
    second.reset();
    StopAndWait(*owned.loop, *first);
    first.reset();
    owned.CloseAndCheck();
  }

  TEST_CASE("Stop is idempotent and every caller is answered once") {
    TempDir dir;
    OwnedLoop owned;
    auto node = MakeNode(*owned.loop, LoadConf({{"prefix", dir.path()}}));
    REQUIRE_OK(node->Start());
    int a = 0, b = 0, c = 0;
    node->Stop([&] { ++a; });
    node->Stop([&] { ++b; });
    CHECK(a + b == 0);  // never inside Stop
    REQUIRE(WaitUntil(*owned.loop, [&] { return a == 1 && b == 1; }));
    node->Stop([&] { ++c; });
    REQUIRE(WaitUntil(*owned.loop, [&] { return c == 1; }));
    CHECK(a == 1);
    CHECK(b == 1);
    node.reset();
    owned.CloseAndCheck();
  }

  TEST_CASE("destroying a running node closes it while the loop keeps running") {
    TempDir dir;
    OwnedLoop owned;
    auto node = MakeNode(*owned.loop, LoadConf({{"prefix", dir.path()}}));
    REQUIRE_OK(node->Start());
    REQUIRE(node->admin_ports().size() == 1);
    node.reset();
    owned.CloseAndCheck();  // the listener and the store thread are gone: uv_loop_close == 0
  }

  TEST_CASE("a database that needs migrations is refused with Kong's hint") {
    TempDir dir;
    OwnedLoop owned;
    SUBCASE("a new sqlite file when bootstrapping it is turned off") {
      ControlPlaneOptions options;
      options.conf = LoadConf({{"prefix", dir.path()}});
      options.bootstrap_new_sqlite = false;
      auto node = ControlPlane::Create(*owned.loop, std::move(options));
      REQUIRE_OK(node.status());
      Status started = (*node)->Start();
      CHECK(started.code() == StatusCode::kUnavailable);
      CHECK(started.message().find("Database needs bootstrapping") != std::string::npos);
      CHECK((*node)->admin_ports().empty());
    }
    SUBCASE("an empty postgres schema") {
      store::PostgresOptions pg;
      if (!store::test::PostgresTestOptions(&pg)) {
        MESSAGE("postgres variant skipped: KONG_TEST_PG_* not set");
        return;
      }
      Conf conf = LoadConf({{"prefix", dir.path()},
                            {"database", "postgres"},
                            {"pg_host", pg.host},
                            {"pg_port", std::to_string(pg.port)},
                            {"pg_user", pg.user},
                            {"pg_database", pg.database},
                            {"pg_schema", "cp_" + store::test::RandomHex(6)}});
      auto node = MakeNode(*owned.loop, conf);
      Status started = node->Start();
      CHECK(started.code() == StatusCode::kUnavailable);
      CHECK(started.message().find("kong migrations bootstrap") != std::string::npos);
    }
    owned.CloseAndCheck();
  }

  TEST_CASE("Create refuses what a control plane cannot run") {
    OwnedLoop owned;
    TempDir dir;
    auto pair = CertGen::Generate({});
    REQUIRE_OK(pair.status());
    REQUIRE_OK(CertGen::WriteFiles(*pair, dir.File("c.crt"), dir.File("c.key")));
    std::map<std::string, std::string> hybrid = {{"prefix", dir.path()},
                                                 {"cluster_cert", dir.File("c.crt")},
                                                 {"cluster_cert_key", dir.File("c.key")}};
    SUBCASE("data_plane") {
      hybrid["role"] = "data_plane";
      hybrid["database"] = "off";
      hybrid["cluster_control_plane"] = "127.0.0.1:8005";
      ControlPlaneOptions options;
      options.conf = LoadConf(hybrid);
      auto node = ControlPlane::Create(*owned.loop, std::move(options));
      CHECK(node.status().code() == StatusCode::kInvalidArgument);
      CHECK(node.status().message().find("data_plane") != std::string::npos);
    }
    SUBCASE("a control plane with certificates starts") {
      hybrid["role"] = "control_plane";
      auto node = MakeNode(*owned.loop, LoadConf(hybrid));
      CHECK(node->role() == "control_plane");
      REQUIRE_OK(node->Start());
      auto status = Request(*owned.loop, node->admin_ports()[0], "GET", "/status");
      REQUIRE_OK(status.status());
      CHECK(status->status == 200);
      StopAndWait(*owned.loop, *node);
    }
    owned.CloseAndCheck();
  }

}  // TEST_SUITE("api")

}  // namespace kong::test
