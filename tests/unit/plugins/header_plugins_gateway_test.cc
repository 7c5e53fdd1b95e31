// cors, ip-restriction and correlation-id over real sockets through the Gateway: preflight
// answers and actual-response headers (also on Kong's 502), rejections' status, body and
// headers for IPv4/IPv6 clients (direct and through trusted_ips + X-Forwarded-For), and the
// correlation id the upstream and the client see.
#include <doctest/doctest.h>

#include <regex>
#include <string>
#include <vector>

#include "json/value.h"
#include "support/test_support.h"
#include "unit/gateway/gateway_test_util.h"
#include "unit/plugins/plugin_rows.h"

using kong::gateway::test::Config;
using kong::gateway::test::GatewayFixture;
using kong::gateway::test::Route;
using kong::gateway::test::Service;
using kong::gateway::test::Upstream;
using kong::http::HeaderMap;
using kong::plugins::testing::PluginRow;
using kong::plugins::testing::With;
using kong::test::TestServer;
using kong::test::WaitUntil;

namespace {

HeaderMap Headers(std::initializer_list<std::pair<std::string, std::string>> hs) {
  HeaderMap m;
  for (const auto& [k, v] : hs) m.Add(k, v);
  return m;
}

std::string H(const HeaderMap& h, std::string_view name) {
  return std::string(h.Get(name).value_or("<none>"));
}

uint16_t RefusedPort(kong::EventLoop& loop) {
  TestServer s(loop, {}, [](kong::http::Request&, kong::http::ResponseWriter&) {});
  uint16_t port = s.port;
  s.Close(loop);
  return port;
}

std::string OnRoute(const std::string& route) { return R"("route":{"id":")" + route + R"("})"; }

// Service s1 (the upstream) behind /ok, service dead (nothing listening) behind /dead.
std::string TwoRoutes(uint16_t up, uint16_t dead, const std::string& plugins) {
  return With(Config({Service("s1", up), Service("dead", dead, R"("retries":0)")},
                     {Route("r1", "s1", R"("paths":["/ok"])"),
                      Route("r2", "dead", R"("paths":["/dead"])")}),
              R"("plugins":[)" + plugins + "]");
}

kong::http::ClientResponse Send(GatewayFixture& fx, std::string method, std::string target,
                                HeaderMap headers, const std::string& ip = "127.0.0.1",
                                uint16_t port = 0) {
  kong::http::ClientRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers = std::move(headers);
  if (!r.headers.Has("Host")) r.headers.Add("Host", "example.com");
  if (!r.headers.Has("Accept")) r.headers.Add("Accept", "application/json");
  std::optional<kong::Result<kong::http::ClientResponse>> got;
  auto fetch = kong::http::Fetch::Start(fx.loop, ip, port ? port : fx.port, std::move(r), {},
                                        [&](kong::Result<kong::http::ClientResponse> resp) {
                                          got = std::move(resp);
                                        });
  REQUIRE(WaitUntil(fx.loop, [&] { return got.has_value(); }, 10000));
  REQUIRE_MESSAGE(got->ok(), got->status().ToString());
  return std::move(*got).value();
}

// The `message` of Kong's JSON error body, and that it carries a request_id.
std::string ErrorMessage(const kong::http::ClientResponse& r) {
  auto body = kong::json::Parse(r.body);
  REQUIRE_MESSAGE(body.ok(), r.body);
  const kong::json::Value* message = body->Find("message");
  const kong::json::Value* request_id = body->Find("request_id");
  REQUIRE(message != nullptr);
  CHECK(request_id != nullptr);
  return message->as_string();
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("gateway cors: preflights answered by Kong, allowed, disallowed and regex origins") {
    GatewayFixture fx;
    Upstream up(fx.loop, "backend");
    fx.Publish(TwoRoutes(up.port(), RefusedPort(fx.loop),
                         PluginRow("c1", "cors", OnRoute("r1"),
                                   R"({"origins":["http://a.example","^https://.+\\.b\\.example$"],
                                       "credentials":true,"max_age":600,
                                       "methods":["GET","POST"]})")));
    auto preflight = [&](const std::string& origin) {
      return Send(fx, "OPTIONS", "/ok",
                  Headers({{"Origin", origin}, {"Access-Control-Request-Method", "POST"},
                           {"Access-Control-Request-Headers", "X-Custom"}}));
    };
    auto r = preflight("http://a.example");
    CHECK(r.status == 200);
    CHECK(r.body.empty());
    CHECK(H(r.headers, "Access-Control-Allow-Origin") == "http://a.example");
    CHECK(H(r.headers, "Access-Control-Allow-Credentials") == "true");
    CHECK(H(r.headers, "Access-Control-Allow-Methods") == "GET,POST");
    CHECK(H(r.headers, "Access-Control-Allow-Headers") == "X-Custom");
    CHECK(H(r.headers, "Access-Control-Max-Age") == "600");
    CHECK(H(r.headers, "Vary") == "Origin");
    r = preflight("https://api.b.example");
    CHECK(r.status == 200);
    CHECK(H(r.headers, "Access-Control-Allow-Origin") == "https://api.b.example");
    r = preflight("https://api.b.example.evil");
    CHECK(r.status == 200);  // never a 4xx: the browser refuses without Allow-Origin
    CHECK(H(r.headers, "Access-Control-Allow-Origin") == "<none>");
    CHECK(H(r.headers, "Access-Control-Allow-Methods") == "GET,POST");
    CHECK(up.seen.empty());  // Kong answered every preflight itself
    up.Close(fx.loop);
  }

  TEST_CASE("gateway cors: preflight_continue proxies the preflight without CORS headers") {
    GatewayFixture fx;
    Upstream up(fx.loop, "backend");
    fx.Publish(TwoRoutes(up.port(), RefusedPort(fx.loop),
                         PluginRow("c1", "cors", OnRoute("r1"), R"({"preflight_continue":true})")));
    auto r = Send(fx, "OPTIONS", "/ok",
                  Headers({{"Origin", "http://a.example"}, {"Access-Control-Request-Method", "GET"}}));
    CHECK(r.status == 200);
    CHECK(r.body == "backend");
    CHECK(H(r.headers, "Access-Control-Allow-Origin") == "<none>");
    REQUIRE(up.seen.size() == 1);
    CHECK(up.seen[0].method == "OPTIONS");
    up.Close(fx.loop);
  }

  TEST_CASE("gateway cors: actual requests get the headers, also on Kong's 502") {
    GatewayFixture fx;
    Upstream up(fx.loop, "backend");
    fx.Publish(TwoRoutes(up.port(), RefusedPort(fx.loop),
                         PluginRow("c1", "cors", "",
                                   R"({"origins":["http://a.example","http://b.example"],
                                       "credentials":true,"exposed_headers":["X-Total","X-Page"]})")));
    auto r = Send(fx, "GET", "/ok", Headers({{"Origin", "http://b.example"}}));
    CHECK(r.status == 200);
    CHECK(r.body == "backend");
    CHECK(H(r.headers, "Access-Control-Allow-Origin") == "http://b.example");
    CHECK(H(r.headers, "Access-Control-Allow-Credentials") == "true");
    CHECK(H(r.headers, "Access-Control-Expose-Headers") == "X-Total,X-Page");
    CHECK(H(r.headers, "Vary") == "Origin");
    r = Send(fx, "GET", "/dead", Headers({{"Origin", "http://a.example"}}));
    CHECK(r.status == 502);
    CHECK(H(r.headers, "Access-Control-Allow-Origin") == "http://a.example");
    CHECK(H(r.headers, "Access-Control-Expose-Headers") == "X-Total,X-Page");
    CHECK(H(r.headers, "Vary") == "Origin");
    // A disallowed origin: no Allow-Origin, the request is still proxied.
    r = Send(fx, "GET", "/ok", Headers({{"Origin", "http://c.example"}}));
    CHECK(r.status == 200);
    CHECK(H(r.headers, "Access-Control-Allow-Origin") == "<none>");
    up.Close(fx.loop);
  }

  TEST_CASE("gateway ip-restriction: 127.0.0.1 and ::1 clients, deny, allow, custom answer") {
    GatewayFixture fx(1, [](kong::gateway::GatewayOptions& o) {
      o.listen.push_back(*kong::net::ParseListenSpec("[::1]:0"));
    });
    const uint16_t v6_port = fx.gateway->bound_ports().at(1);
    Upstream up(fx.loop, "backend");
    fx.Publish(With(
        Config({Service("s1", up.port())},
               {Route("r1", "s1", R"("paths":["/deny"])"),
                Route("r2", "s1", R"("paths":["/allow"])"),
                Route("r3", "s1", R"("paths":["/custom"])")}),
        R"("plugins":[)" +
            PluginRow("i1", "ip-restriction", OnRoute("r1"),
                      R"({"deny":["127.0.0.0/8","::1"]})") + "," +
            PluginRow("i2", "ip-restriction", OnRoute("r2"),
                      R"({"allow":["127.0.0.1","::1/128"],"deny":["10.0.0.0/8"]})") + "," +
            PluginRow("i3", "ip-restriction", OnRoute("r3"),
                      R"({"allow":["2001:db8::/32"],"status":401,"message":"No entry"})") +
            "]"));
    auto r = Send(fx, "GET", "/deny", Headers({{"Accept", "application/json"}}));
    CHECK(r.status == 403);
    CHECK(ErrorMessage(r) == "IP address not allowed: 127.0.0.1");
    CHECK(H(r.headers, "Content-Type").find("application/json") == 0);
    r = Send(fx, "GET", "/deny", Headers({{"Accept", "text/plain"}}));
    CHECK(r.status == 403);
    CHECK(r.body.find("IP address not allowed: 127.0.0.1") != std::string::npos);
    r = Send(fx, "GET", "/deny", {}, "::1", v6_port);
    CHECK(r.status == 403);
    CHECK(ErrorMessage(r) == "IP address not allowed: ::1");
    CHECK(Send(fx, "GET", "/allow", {}).status == 200);
    CHECK(Send(fx, "GET", "/allow", {}, "::1", v6_port).status == 200);
    r = Send(fx, "GET", "/custom", {}, "::1", v6_port);
    CHECK(r.status == 401);
    CHECK(ErrorMessage(r) == "No entry");
    CHECK(up.seen.size() == 2);
    up.Close(fx.loop);
  }

  TEST_CASE("gateway ip-restriction: the real client address behind a trusted proxy") {
    GatewayFixture fx(1, [](kong::gateway::GatewayOptions& o) {
      o.trusted_ips = *kong::proxy::TrustedIps::Parse({"127.0.0.1"});
      o.upstream_headers.real_ip_header = "X-Forwarded-For";
    });
    Upstream up(fx.loop, "backend");
    fx.Publish(With(Config({Service("s1", up.port())}, {Route("r1", "s1", R"("paths":["/"])")}),
                    R"("plugins":[)" +
                        PluginRow("i1", "ip-restriction", "",
                                  R"({"allow":["203.0.113.0/24","2001:db8::/32"],
                                      "deny":["203.0.113.66"]})") + "]"));
    auto from = [&](const std::string& xff) {
      return Send(fx, "GET", "/", Headers({{"X-Forwarded-For", xff}}));
    };
    CHECK(from("203.0.113.7").status == 200);
    CHECK(from("198.51.100.1, 203.0.113.8").status == 200);  // the last address counts
    CHECK(from("2001:db8::42").status == 200);
    auto r = from("203.0.113.66");
    CHECK(r.status == 403);
    CHECK(ErrorMessage(r) == "IP address not allowed: 203.0.113.66");
    r = from("2001:db9::1");
    CHECK(r.status == 403);
    CHECK(ErrorMessage(r) == "IP address not allowed: 2001:db9::1");
    r = Send(fx, "GET", "/", {});  // no header: the peer itself
    CHECK(r.status == 403);
    CHECK(ErrorMessage(r) == "IP address not allowed: 127.0.0.1");
    CHECK(up.seen.size() == 3);
    up.Close(fx.loop);
  }

  TEST_CASE("gateway correlation-id: generated, kept, echoed, counting per worker") {
    GatewayFixture fx;
    Upstream up(fx.loop, "backend");
    fx.Publish(TwoRoutes(up.port(), RefusedPort(fx.loop),
                         PluginRow("k1", "correlation-id", "", R"({"echo_downstream":true})")));
    auto a = Send(fx, "GET", "/ok", {});
    auto b = Send(fx, "GET", "/ok", {});
    REQUIRE(up.seen.size() == 2);
    const std::string first = H(up.seen[0].headers, "Kong-Request-ID");
    const std::string second = H(up.seen[1].headers, "Kong-Request-ID");
    std::smatch m;
    REQUIRE(std::regex_match(first, m, std::regex("([0-9a-f-]{36})#(\\d+)")));
    CHECK(second == std::string(m[1]) + "#" + std::to_string(std::stol(m[2]) + 1));
    CHECK(H(a.headers, "Kong-Request-ID") == first);
    CHECK(H(b.headers, "Kong-Request-ID") == second);

    auto c = Send(fx, "GET", "/ok", Headers({{"Kong-Request-ID", "from-client"}}));
    CHECK(H(up.seen.back().headers, "Kong-Request-ID") == "from-client");
    CHECK(H(c.headers, "Kong-Request-ID") == "from-client");
    // Kong's own 502 echoes the id too.
    auto d = Send(fx, "GET", "/dead", Headers({{"Kong-Request-ID", "dead-1"}}));
    CHECK(d.status == 502);
    CHECK(H(d.headers, "Kong-Request-ID") == "dead-1");
    up.Close(fx.loop);
  }
}
