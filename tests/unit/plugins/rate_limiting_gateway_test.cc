// rate-limiting over real sockets through the Gateway: the 429 with Kong's error body and
// Retry-After, the X-RateLimit-*/RateLimit-* headers on proxied answers, consumer-scoped
// limits behind key-auth, limit_by variants, counts shared by two workers, and a Redis outage
// with fault_tolerant on and off.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/test_support.h"
#include "unit/gateway/gateway_test_util.h"
#include "unit/plugins/plugin_rows.h"
#include "unit/plugins/redis_test_server.h"

using kong::gateway::test::Config;
using kong::gateway::test::GatewayFixture;
using kong::gateway::test::Route;
using kong::gateway::test::Service;
using kong::gateway::test::Upstream;
using kong::plugins::testing::RedisTestServer;
using kong::plugins::testing::RunPipeline;
using kong::plugins::testing::PluginRow;
using kong::plugins::testing::With;

namespace {

constexpr char kAlice[] = "a0000000-0000-4000-8000-000000000001";
constexpr char kBob[] = "a0000000-0000-4000-8000-000000000002";

std::string H(const kong::http::ClientResponse& r, std::string_view name) {
  return std::string(r.headers.Get(name).value_or("<none>"));
}

kong::http::HeaderMap Headers(std::initializer_list<std::pair<std::string, std::string>> hs) {
  kong::http::HeaderMap m;
  for (const auto& [k, v] : hs) m.Add(k, v);
  return m;
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("rate-limiting over sockets: headers on proxied answers, then Kong's 429") {
    GatewayFixture fx;
    Upstream up(fx.loop, "up");
    fx.Publish(With(Config({Service("s", up.port())}, {Route("r", "s", R"("paths":["/"])")}),
                    R"("plugins":[)" +
                        PluginRow("p1", "rate-limiting", R"("route":{"id":"r"})",
                               R"({"year":2,"day":50,"limit_by":"ip"})") +
                        "]"));
    for (int i = 1; i <= 2; ++i) {
      auto ok = fx.Get("/x");
      REQUIRE(ok.status == 200);
      CHECK(ok.body == "up");
      CHECK(H(ok, "X-RateLimit-Limit-Year") == "2");
      CHECK(H(ok, "X-RateLimit-Remaining-Year") == std::to_string(2 - i));
      CHECK(H(ok, "X-RateLimit-Limit-Day") == "50");
      CHECK(H(ok, "X-RateLimit-Remaining-Day") == std::to_string(50 - i));
      CHECK(H(ok, "RateLimit-Limit") == "2");
      CHECK(H(ok, "RateLimit-Remaining") == std::to_string(2 - i));
      CHECK(H(ok, "RateLimit-Reset") != "<none>");
      CHECK(!ok.headers.Has("Retry-After"));
    }
    auto denied = fx.Get("/x");
    REQUIRE(denied.status == 429);
    const std::string request_id = H(denied, "X-Kong-Request-Id");
    REQUIRE(request_id != "<none>");
    CHECK(denied.body == "{\n  \"message\":\"API rate limit exceeded\",\n  \"request_id\":\"" +
                             request_id + "\"\n}");
    CHECK(H(denied, "Content-Type") == "application/json; charset=utf-8");
    CHECK(H(denied, "Retry-After") == H(denied, "RateLimit-Reset"));
    CHECK(std::stoll(H(denied, "Retry-After")) >= 1);
    CHECK(H(denied, "X-RateLimit-Remaining-Year") == "0");
    CHECK(H(denied, "X-RateLimit-Remaining-Day") == "48");
    CHECK(H(denied, "RateLimit-Remaining") == "0");
    CHECK(up.seen.size() == 2);  // the rejected request never reached the upstream
    up.Close(fx.loop);
  }

  TEST_CASE("rate-limiting over sockets: consumer-scoped limits behind key-auth") {
    GatewayFixture fx;
    Upstream up(fx.loop, "up");
    const std::string alice(kAlice), bob(kBob);
    fx.Publish(With(
        Config({Service("s", up.port())}, {Route("r", "s", R"("paths":["/"])")}),
        R"("consumers":[{"id":")" + alice + R"(","username":"alice"},{"id":")" + bob +
            R"(","username":"bob"}],
           "keyauth_credentials":[
             {"id":"k0000000-0000-4000-8000-000000000001","key":"alice-key","consumer":{"id":")" +
            alice + R"("}},
             {"id":"k0000000-0000-4000-8000-000000000002","key":"bob-key","consumer":{"id":")" +
            bob + R"("}}],
           "plugins":[)" +
            PluginRow("ka", "key-auth", R"("route":{"id":"r"})", "{}") + "," +
            // Per consumer on the route: alice and bob count apart, 3 each.
            PluginRow("rl-route", "rate-limiting", R"("route":{"id":"r"})",
                   R"({"year":3,"limit_by":"consumer"})") +
            "," +
            // bob's own, more specific configuration: 1.
            PluginRow("rl-bob", "rate-limiting", R"("consumer":{"id":")" + bob + R"("})",
                   R"({"year":1})") +
            "]"));
    auto alice_key = Headers({{"apikey", "alice-key"}});
    auto bob_key = Headers({{"apikey", "bob-key"}});
    CHECK(fx.Get("/", "example.com").status == 401);  // key-auth first, nothing counted
    for (int i = 0; i < 3; ++i) {
      auto r = fx.Get("/", "example.com", alice_key);
      REQUIRE(r.status == 200);
      CHECK(H(r, "X-RateLimit-Limit-Year") == "3");
    }
    auto bob_ok = fx.Get("/", "example.com", bob_key);
    REQUIRE(bob_ok.status == 200);
    CHECK(H(bob_ok, "X-RateLimit-Limit-Year") == "1");  // bob's configuration applies
    CHECK(fx.Get("/", "example.com", bob_key).status == 429);
    auto alice_denied = fx.Get("/", "example.com", alice_key);
    CHECK(alice_denied.status == 429);
    CHECK(alice_denied.body.find("API rate limit exceeded") != std::string::npos);
    up.Close(fx.loop);
  }

  TEST_CASE("rate-limiting over sockets: limit_by header, path and service; hidden headers") {
    GatewayFixture fx;
    Upstream up(fx.loop, "up");
    fx.Publish(With(
        Config({Service("s", up.port()), Service("s2", up.port())},
               {Route("rh", "s", R"("paths":["/h"])"), Route("rp", "s", R"("paths":["/p"])"),
                Route("rs", "s2", R"("paths":["/svc"])")}),
        R"("plugins":[)" +
            PluginRow("p1", "rate-limiting", R"("route":{"id":"rh"})",
                   R"({"year":1,"limit_by":"header","header_name":"X-Tenant",
                       "hide_client_headers":true,"error_code":403,"error_message":"tenant over quota"})") +
            "," +
            PluginRow("p2", "rate-limiting", R"("route":{"id":"rp"})",
                   R"({"year":1,"limit_by":"path","path":"/p/exact"})") +
            "," +
            PluginRow("p3", "rate-limiting", R"("service":{"id":"s2"})",
                   R"({"year":2,"limit_by":"service"})") +
            "]"));
    auto acme = Headers({{"X-Tenant", "acme"}});
    auto globex = Headers({{"X-Tenant", "globex"}});
    auto first = fx.Get("/h", "example.com", acme);
    REQUIRE(first.status == 200);
    CHECK(!first.headers.Has("X-RateLimit-Limit-Year"));  // hide_client_headers
    CHECK(!first.headers.Has("RateLimit-Limit"));
    CHECK(fx.Get("/h", "example.com", globex).status == 200);  // another tenant
    auto over = fx.Get("/h", "example.com", acme);
    REQUIRE(over.status == 403);
    CHECK(over.body.find("\"message\":\"tenant over quota\"") != std::string::npos);
    CHECK(!over.headers.Has("Retry-After"));
    // No header: the client IP (both requests come from 127.0.0.1).
    CHECK(fx.Get("/h").status == 200);
    CHECK(fx.Get("/h").status == 403);

    CHECK(fx.Get("/p/exact").status == 200);
    CHECK(fx.Get("/p/exact").status == 429);
    // Another path falls back to the IP, a separate count.
    CHECK(fx.Get("/p/other").status == 200);
    CHECK(fx.Get("/p/other").status == 429);

    CHECK(fx.Get("/svc").status == 200);
    CHECK(fx.Get("/svc").status == 200);
    CHECK(fx.Get("/svc").status == 429);
    up.Close(fx.loop);
  }

  TEST_CASE("rate-limiting over sockets: two workers share the node's counters") {
    GatewayFixture fx(2);
    Upstream up(fx.loop, "up");
    fx.Publish(With(Config({Service("s", up.port())}, {Route("r", "s", R"("paths":["/"])")}),
                    R"("plugins":[)" +
                        PluginRow("p1", "rate-limiting", "", R"({"year":10,"limit_by":"ip"})") +
                        "]"));
    // Each request on a fresh connection: the kernel spreads them over both workers' sockets.
    for (int i = 1; i <= 10; ++i) {
      auto r = fx.Get("/");
      REQUIRE(r.status == 200);
      CHECK(H(r, "X-RateLimit-Remaining-Year") == std::to_string(10 - i));
    }
    CHECK(fx.Get("/").status == 429);
    CHECK(fx.Get("/").status == 429);
    up.Close(fx.loop);
  }

  TEST_CASE("rate-limiting over sockets: redis policy, then an outage (fault_tolerant on/off)") {
    if (!RedisTestServer::Available()) {
      MESSAGE("redis-server is not installed (scripts/install-deps): skipped");
      return;
    }
    RedisTestServer redis;
    REQUIRE_MESSAGE(redis.ok(), redis.log());
    GatewayFixture fx(2);
    Upstream up(fx.loop, "up");
    const std::string redis_conf =
        R"("policy":"redis","redis":{"host":"127.0.0.1","port":)" + std::to_string(redis.port()) +
        R"(,"timeout":2000,"database":0})";
    fx.Publish(With(
        Config({Service("s", up.port())},
               {Route("rt", "s", R"("paths":["/tolerant"])"),
                Route("rs", "s", R"("paths":["/strict"])")}),
        R"("plugins":[)" +
            PluginRow("p1", "rate-limiting", R"("route":{"id":"rt"})",
                   R"({"year":3,"limit_by":"ip",)" + redis_conf + "}") +
            "," +
            PluginRow("p2", "rate-limiting", R"("route":{"id":"rs"})",
                   R"({"year":100,"limit_by":"ip","fault_tolerant":false,)" + redis_conf + "}") +
            "]"));
    // The plugin does not await its INCRBY (Kong runs it in a timer), and each of the two
    // workers has its own Redis connection: before the next request, which the other worker
    // may serve, wait until Redis holds this one's count (the sum of every counter).
    kong::plugins::redis::RedisOptions counter_options;
    counter_options.port = redis.port();
    kong::plugins::redis::RedisConnection counter(fx.loop, counter_options);
    auto counted = [&] {
      auto r = RunPipeline(fx.loop, counter,
                           {{"EVAL",
                             "local n = 0 for _, k in ipairs(redis.call('KEYS', '*')) do "
                             "n = n + tonumber(redis.call('GET', k)) end return n",
                             "0"}});
      REQUIRE(r.ok());
      REQUIRE(r->size() == 1);
      return (*r)[0].integer;
    };
    for (int i = 1; i <= 3; ++i) {
      auto r = fx.Get("/tolerant");
      REQUIRE(r.status == 200);
      CHECK(H(r, "X-RateLimit-Remaining-Year") == std::to_string(3 - i));
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (counted() != i) REQUIRE(std::chrono::steady_clock::now() < deadline);
    }
    auto denied = fx.Get("/tolerant");
    CHECK(denied.status == 429);
    CHECK(denied.headers.Has("Retry-After"));
    REQUIRE(fx.Get("/strict").status == 200);

    redis.Kill();
    auto passed = fx.Get("/tolerant");
    CHECK(passed.status == 200);
    CHECK(passed.body == "up");
    CHECK(!passed.headers.Has("X-RateLimit-Limit-Year"));
    CHECK(!passed.headers.Has("RateLimit-Limit"));
    auto failed = fx.Get("/strict");
    REQUIRE(failed.status == 500);
    CHECK(failed.body.find("\"message\":\"An unexpected error occurred\"") != std::string::npos);
    CHECK(failed.body.find("\"request_id\":\"" + H(failed, "X-Kong-Request-Id") + "\"") !=
          std::string::npos);
    up.Close(fx.loop);
  }
}
