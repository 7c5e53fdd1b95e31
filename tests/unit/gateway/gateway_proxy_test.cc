// The gateway over real sockets: upstream failures (502/504), retries, load balancing and
// health, config swaps under load, graceful stop and several workers.
#include <mutex>
#include <set>
#include <thread>

#include "unit/gateway/gateway_test_util.h"

using kong::EventLoop;
using kong::gateway::test::Config;
using kong::gateway::test::GatewayFixture;
using kong::gateway::test::Route;
using kong::gateway::test::Service;
using kong::gateway::test::Upstream;
using kong::test::TestServer;
using kong::test::WaitUntil;

namespace {

// A port nothing listens on: bound by a server that is then closed.
uint16_t RefusedPort(EventLoop& loop) {
  TestServer s(loop, {}, [](kong::http::Request&, kong::http::ResponseWriter&) {});
  uint16_t port = s.port;
  s.Close(loop);
  return port;
}

std::string UpstreamEntity(const std::string& name, const std::string& extra = "") {
  return R"({"id":")" + name + R"(-id","name":")" + name + R"(")" + (extra.empty() ? "" : "," + extra) + "}";
}

std::string Target(const std::string& upstream, uint16_t port, int weight = 100) {
  return R"({"id":"t-)" + upstream + std::to_string(port) + R"(","upstream":{"id":")" + upstream +
         R"(-id"},"target":"127.0.0.1:)" + std::to_string(port) + R"(","weight":)" +
         std::to_string(weight) + "}";
}

}  // namespace

TEST_SUITE("gateway") {
  TEST_CASE("502 on a refused connection and 504 on a read timeout, with Kong's bodies") {
    GatewayFixture fx;
    uint16_t refused = RefusedPort(fx.loop);
    std::vector<kong::http::ResponseWriter> held;
    TestServer slow(fx.loop, {}, [&](kong::http::Request&, kong::http::ResponseWriter& w) {
      held.push_back(w);  // never answers in time
    });
    fx.Publish(Config({Service("dead", refused, R"("retries":0)"),
                       Service("slow", slow.port, R"("retries":0,"read_timeout":200)")},
                      {Route("r1", "dead", R"("paths":["/dead"])"),
                       Route("r2", "slow", R"("paths":["/slow"])")}));
    auto r = fx.Get("/dead");
    CHECK(r.status == 502);
    CHECK(r.body.find("An invalid response was received from the upstream server") !=
          std::string::npos);
    CHECK(r.headers.Get("Content-Type").value_or("") == "text/plain; charset=utf-8");
    r = fx.Get("/slow");
    CHECK(r.status == 504);
    CHECK(r.body.find("The upstream server is timing out") != std::string::npos);
    CHECK(held.size() == 1);
    held.clear();
    slow.Close(fx.loop);
  }

  TEST_CASE("upstream connections are kept alive and reused across requests") {
    GatewayFixture fx;
    std::set<std::string> peers;
    TestServer up(fx.loop, {}, [&](kong::http::Request& r, kong::http::ResponseWriter& w) {
      peers.insert(r.peer_address);
      w.Send(kong::http::Response::Text(200, "ok"));
    });
    fx.Publish(Config({Service("s", up.port)}, {Route("r", "s", R"("paths":["/"])")}));
    for (int i = 0; i < 20; ++i) REQUIRE(fx.Get("/x").status == 200);
    CHECK(peers.size() == 1);  // one worker: one pooled connection served them all
    up.Close(fx.loop);
  }

  TEST_CASE("retries go to the next target; weight 0 takes nothing; weights 1:3 split 400") {
    GatewayFixture fx;
    Upstream a(fx.loop, "a"), b(fx.loop, "b");
    uint16_t refused = RefusedPort(fx.loop);
    SUBCASE("a refused target is retried on the next one") {
      fx.Publish(Config({Service("s", 80, "", "pool.test")}, {Route("r", "s", R"("paths":["/"])")},
                        {UpstreamEntity("pool.test")},
                        {Target("pool.test", refused), Target("pool.test", a.port())}));
      for (int i = 0; i < 10; ++i) {
        auto r = fx.Get("/x");
        CHECK(r.status == 200);
        CHECK(r.body == "a");
      }
      CHECK(a.seen.size() == 10);
    }
    SUBCASE("weight 0") {
      fx.Publish(Config({Service("s", 80, "", "pool.test")}, {Route("r", "s", R"("paths":["/"])")},
                        {UpstreamEntity("pool.test")},
                        {Target("pool.test", a.port(), 100), Target("pool.test", b.port(), 0)}));
      for (int i = 0; i < 20; ++i) CHECK(fx.Get("/x").body == "a");
      CHECK(b.seen.empty());
    }
    SUBCASE("weighted round-robin") {
      fx.Publish(Config({Service("s", 80, "", "pool.test")}, {Route("r", "s", R"("paths":["/"])")},
                        {UpstreamEntity("pool.test")},
                        {Target("pool.test", a.port(), 1), Target("pool.test", b.port(), 3)}));
      for (int i = 0; i < 400; ++i) REQUIRE(fx.Get("/x").status == 200);
      CHECK(a.seen.size() >= 80);
      CHECK(a.seen.size() <= 120);
      CHECK(a.seen.size() + b.seen.size() == 400);
    }
    a.Close(fx.loop);
    b.Close(fx.loop);
  }

  TEST_CASE("an unhealthy target (active checks) receives nothing, then recovers") {
    GatewayFixture fx;
    bool a_failing = true;
    int a_proxied = 0;
    TestServer a(fx.loop, {}, [&](kong::http::Request& r, kong::http::ResponseWriter& w) {
      if (r.target == "/status") {
        w.Send(kong::http::Response::Text(a_failing ? 500 : 200, "s"));
        return;
      }
      ++a_proxied;
      w.Send(kong::http::Response::Text(200, "a"));
    });
    TestServer b(fx.loop, {}, [&](kong::http::Request&, kong::http::ResponseWriter& w) {
      w.Send(kong::http::Response::Text(200, "b"));
    });
    fx.Publish(Config(
        {Service("s", 80, "", "pool.test")}, {Route("r", "s", R"("paths":["/"])")},
        {UpstreamEntity("pool.test", R"("healthchecks":{"active":{"http_path":"/status",
            "timeout":1,"healthy":{"interval":0.05,"successes":1},
            "unhealthy":{"interval":0.05,"http_failures":1}}})")},
        {Target("pool.test", a.port), Target("pool.test", b.port)}));
    auto health_of_a = [&] {
      auto view = fx.gateway->UpstreamHealth();
      const auto* up = view.Find("pool.test");
      if (up == nullptr) return std::string();
      for (const auto& t : up->Find("data")->as_array()) {
        if (t.Find("target")->as_string() == "127.0.0.1:" + std::to_string(a.port)) {
          return t.Find("health")->as_string();
        }
      }
      return std::string();
    };
    REQUIRE(WaitUntil(fx.loop, [&] { return health_of_a() == "UNHEALTHY"; }));
    for (int i = 0; i < 10; ++i) CHECK(fx.Get("/x").body == "b");
    CHECK(a_proxied == 0);
    a_failing = false;
    REQUIRE(WaitUntil(fx.loop, [&] { return health_of_a() == "HEALTHY"; }));
    for (int i = 0; i < 10; ++i) CHECK(fx.Get("/x").status == 200);
    CHECK(a_proxied > 0);
    a.Close(fx.loop);
    b.Close(fx.loop);
  }

  TEST_CASE("a config swap under load drops no request in flight") {
    GatewayFixture fx(2);
    std::vector<kong::http::ResponseWriter> held;
    TestServer up(fx.loop, {}, [&](kong::http::Request& r, kong::http::ResponseWriter& w) {
      if (r.target.rfind("/old", 0) == 0) {
        held.push_back(w);
        return;
      }
      w.Send(kong::http::Response::Text(200, "new"));
    });
    fx.Publish(Config({Service("s", up.port)}, {Route("old", "s", R"("paths":["/old"],"strip_path":false)")}));
    constexpr int kInFlight = 20;
    std::vector<std::unique_ptr<kong::http::Fetch>> fetches;
    int ok = 0, failed = 0;
    for (int i = 0; i < kInFlight; ++i) {
      kong::http::ClientRequest req;
      req.target = "/old/" + std::to_string(i);
      req.headers.Add("Host", "example.com");
      fetches.push_back(kong::http::Fetch::Start(fx.loop, "127.0.0.1", fx.port, std::move(req), {},
                                                 [&](kong::Result<kong::http::ClientResponse> r) {
                                                   (r.ok() && r->status == 200 ? ok : failed)++;
                                                 }));
    }
    REQUIRE(WaitUntil(fx.loop, [&] { return held.size() == kInFlight; }));
    // Publish from another thread while requests wait at the upstream.
    std::thread publisher([&] {
      for (int i = 0; i < 5; ++i) {
        auto flat = kong::json::Parse(Config({Service("s", up.port)},
                                             {Route("new", "s", R"("paths":["/new"])")}));
        auto snap = fx.gateway->BuildSnapshot(*flat);
        if (snap.ok()) fx.gateway->Publish(*snap);
      }
    });
    publisher.join();
    for (auto& w : held) w.Send(kong::http::Response::Text(200, "old"));
    held.clear();
    REQUIRE(WaitUntil(fx.loop, [&] { return ok + failed == kInFlight; }));
    CHECK(ok == kInFlight);
    CHECK(fx.Get("/new").body == "new");
    CHECK(fx.Get("/old/x").status == 404);
    fetches.clear();
    up.Close(fx.loop);
  }

  TEST_CASE("two workers both serve; Stop lets a request in flight finish") {
    std::mutex mu;
    std::set<std::thread::id> threads;
    GatewayFixture fx(2, [&](kong::gateway::GatewayOptions& o) {
      o.access_log = [&](const kong::gateway::AccessLogEntry& e) {
        std::lock_guard<std::mutex> lock(mu);
        if (e.status == 200) threads.insert(std::this_thread::get_id());
      };
    });
    CHECK(fx.gateway->worker_count() == 2);
    std::vector<kong::http::ResponseWriter> held;
    TestServer up(fx.loop, {}, [&](kong::http::Request& r, kong::http::ResponseWriter& w) {
      if (r.target == "/hold") {
        held.push_back(w);
        return;
      }
      w.Send(kong::http::Response::Text(200, "ok"));
    });
    fx.Publish(Config({Service("s", up.port)}, {Route("r", "s", R"("paths":["/"],"strip_path":false)")}));
    for (int i = 0; i < 64; ++i) REQUIRE(fx.Get("/x").status == 200);
    {
      std::lock_guard<std::mutex> lock(mu);
      CHECK(threads.size() == 2);
    }
    std::optional<kong::Result<kong::http::ClientResponse>> last;
    kong::http::ClientRequest req;
    req.target = "/hold";
    req.headers.Add("Host", "example.com");
    auto fetch = kong::http::Fetch::Start(fx.loop, "127.0.0.1", fx.port, std::move(req), {},
                                          [&](kong::Result<kong::http::ClientResponse> r) { last = std::move(r); });
    REQUIRE(WaitUntil(fx.loop, [&] { return held.size() == 1; }));
    std::atomic<bool> stopped{false};
    fx.gateway->Stop(10000, [&] { stopped = true; });
    held[0].Send(kong::http::Response::Text(200, "late"));
    REQUIRE(WaitUntil(fx.loop, [&] { return last.has_value(); }));
    fetch.reset();  // the client hangs up, as Fetch's callers do after the answer
    if (!last->ok()) MESSAGE(last->status().ToString());
    REQUIRE(WaitUntil(fx.loop, [&] { return stopped.load(); }));
    REQUIRE(last->ok());
    CHECK((*last)->status == 200);
    CHECK((*last)->body == "late");
    held.clear();
    up.Close(fx.loop);
  }
}
