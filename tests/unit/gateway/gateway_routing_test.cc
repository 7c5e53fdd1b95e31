// The gateway over real HTTP: Kong's traditional_compatible routing rules, upstream paths
// (strip_path, preserve_host, path_handling), forwarded headers and Kong's own answers.
#include "unit/gateway/gateway_test_util.h"

using kong::gateway::test::Config;
using kong::gateway::test::GatewayFixture;
using kong::gateway::test::Route;
using kong::gateway::test::Service;
using kong::gateway::test::Upstream;

namespace {

// Every route gets its own service whose path names the route, so the target the upstream
// saw says which route matched ("/r-<id>/..."); "404" when the gateway answered itself.
struct RouteTable {
  std::vector<std::string> services, routes;
  uint16_t port;
  explicit RouteTable(uint16_t upstream_port) : port(upstream_port) {}
  void Add(const std::string& id, const std::string& fields) {
    services.push_back(Service("s-" + id, port, R"("path":"/r-)" + id + R"(")"));
    routes.push_back(Route(id, "s-" + id, fields));
  }
  std::string json() const { return Config(services, routes); }
};

std::string Hit(GatewayFixture& fx, Upstream& up, const std::string& target,
                const std::string& host = "example.com", kong::http::HeaderMap headers = {},
                const std::string& method = "GET") {
  kong::http::ClientRequest r;
  r.method = method;
  r.target = target;
  r.headers = std::move(headers);
  r.headers.Set("Host", host);
  auto resp = fx.Send(std::move(r));
  REQUIRE_MESSAGE(resp.ok(), resp.status().ToString());
  if (resp->status != 200) return std::to_string(resp->status);
  REQUIRE_FALSE(up.seen.empty());
  std::string seen = up.seen.back().target;
  size_t slash = seen.find('/', 1);  // "/r-<id>/rest" -> "<id>"
  return seen.substr(3, slash == std::string::npos ? std::string::npos : slash - 3);
}

}  // namespace

TEST_SUITE("gateway") {
  TEST_CASE("routing: hosts exact, *.x, x.* and host:port") {
    GatewayFixture fx;
    Upstream up(fx.loop, "a");
    RouteTable t(up.port());
    t.Add("exact", R"("hosts":["api.example.com"])");
    t.Add("prefixwild", R"("hosts":["*.example.com"])");
    t.Add("suffixwild", R"("hosts":["api.example.*"])");
    t.Add("withport", R"("hosts":["ported.test:8443"])");
    fx.Publish(t.json());
    CHECK(Hit(fx, up, "/", "api.example.com") == "exact");
    CHECK(Hit(fx, up, "/", "www.example.com") == "prefixwild");
    CHECK(Hit(fx, up, "/", "api.example.org") == "suffixwild");
    CHECK(Hit(fx, up, "/", "ported.test:8443") == "withport");
    CHECK(Hit(fx, up, "/", "ported.test:9999") == "404");
    CHECK(Hit(fx, up, "/", "other.test") == "404");
    up.Close(fx.loop);
  }

  TEST_CASE("routing: prefix paths, regex paths with regex_priority, methods, headers") {
    GatewayFixture fx;
    Upstream up(fx.loop, "a");
    RouteTable t(up.port());
    t.Add("short", R"("paths":["/api"])");
    t.Add("long", R"("paths":["/api/v1"])");
    t.Add("regex_low", R"("paths":["~/api/v1/items/\\d+$"],"regex_priority":1)");
    t.Add("regex_high", R"("paths":["~/api/v1/items/7\\d*$"],"regex_priority":5)");
    t.Add("post_only", R"("paths":["/forms"],"methods":["POST"])");
    t.Add("any_method", R"("paths":["/forms"])");
    t.Add("hdr_exact", R"("paths":["/h"],"headers":{"x-version":["2"]})");
    t.Add("hdr_regex", R"("paths":["/h"],"headers":{"x-version":["~*^v3"]})");
    t.Add("hdr_none", R"("paths":["/h"])");
    fx.Publish(t.json());
    CHECK(Hit(fx, up, "/api/other") == "short");
    CHECK(Hit(fx, up, "/api/v1/x") == "long");  // longest prefix first
    CHECK(Hit(fx, up, "/api/v1/items/12") == "regex_low");
    CHECK(Hit(fx, up, "/api/v1/items/70") == "regex_high");  // regex_priority wins
    CHECK(Hit(fx, up, "/forms", "example.com", {}, "POST") == "post_only");
    CHECK(Hit(fx, up, "/forms", "example.com", {}, "GET") == "any_method");
    kong::http::HeaderMap v2, v3, v9;
    v2.Add("X-Version", "2");
    v3.Add("X-Version", "V3.1");
    v9.Add("X-Version", "9");
    CHECK(Hit(fx, up, "/h", "example.com", v2) == "hdr_exact");
    CHECK(Hit(fx, up, "/h", "example.com", v3) == "hdr_regex");
    CHECK(Hit(fx, up, "/h", "example.com", v9) == "hdr_none");
    CHECK(Hit(fx, up, "/nothing") == "404");
    up.Close(fx.loop);
  }

  // traditional_compatible priority (kong-entities.md §4.5): number of fields, then plain
  // hosts, header count, regex paths, regex_priority, prefix length, then route id descending.
  TEST_CASE("routing: Kong's priority order and matching details") {
    GatewayFixture fx;
    Upstream up(fx.loop, "a");
    RouteTable t(up.port());
    t.Add("weight2", R"("paths":["/w"],"methods":["GET"])");
    t.Add("weight1", R"("paths":["/w/much/longer"])");
    t.Add("wildhost", R"("hosts":["*.pri.test"],"paths":["/p"])");
    t.Add("plainhost", R"("hosts":["a.pri.test"],"paths":["/p"])");
    t.Add("onehdr", R"("paths":["/hc"],"headers":{"x-a":["1"]})");
    t.Add("twohdr", R"("paths":["/hc"],"headers":{"x-a":["1"],"x-b":["2"]})");
    t.Add("longprefix", R"("paths":["/rx/abcdef"])");
    t.Add("shortregex", R"("paths":["~/rx/a"])");
    t.Add("00000000-0000-4000-8000-000000000001", R"("paths":["/tie"])");
    t.Add("00000000-0000-4000-8000-000000000002", R"("paths":["/tie"])");
    t.Add("segment", R"("paths":["/my-route"])");
    t.Add("anchored", R"x("paths":["~/status/(r)"])x");
    t.Add("snionly", R"("paths":["/sni"],"snis":["sni.test"])");
    t.Add("underscore", R"("paths":["/u"],"headers":{"x_under":["v"]})");
    t.Add("caseless", R"("paths":["/cv"],"headers":{"x-version":["abc"]})");
    t.Add("mixed", R"("paths":["/mix","~/mix/\\d+$"])");
    t.Add("mixprefix", R"("paths":["/mix/1"])");
    t.Add("hostonly", R"("hosts":["plain.test"])");
    fx.Publish(t.json());

    // More fields beat a longer prefix; without the method the longer prefix is left.
    CHECK(Hit(fx, up, "/w/much/longer/x", "example.com", {}, "GET") == "weight2");
    CHECK(Hit(fx, up, "/w/much/longer/x", "example.com", {}, "POST") == "weight1");
    // Plain hosts beat wildcards whatever their order in the config.
    CHECK(Hit(fx, up, "/p", "a.pri.test") == "plainhost");
    CHECK(Hit(fx, up, "/p", "b.pri.test") == "wildhost");
    CHECK(Hit(fx, up, "/p", "x.y.pri.test") == "wildhost");  // any non-empty left part
    // More headers first; a route whose headers are not all present does not match.
    kong::http::HeaderMap a_only, a_and_b;
    a_only.Add("X-A", "1");
    a_and_b.Add("X-A", "1");
    a_and_b.Add("X-B", "2");
    CHECK(Hit(fx, up, "/hc", "example.com", a_and_b) == "twohdr");
    CHECK(Hit(fx, up, "/hc", "example.com", a_only) == "onehdr");
    // A regex path beats any prefix length.
    CHECK(Hit(fx, up, "/rx/abcdef") == "shortregex");
    // Equal priority: the greater route id wins (atc-router iterates (priority, uuid) in reverse).
    CHECK(Hit(fx, up, "/tie") == "00000000-0000-4000-8000-000000000002");
    // Prefixes are not segment aware; regexes are anchored at the start only.
    CHECK(Hit(fx, up, "/my-route-uri") == "segment");
    CHECK(Hit(fx, up, "/status/re") == "anchored");
    CHECK(Hit(fx, up, "/x/status/r") == "404");
    // snis do not apply to plain-HTTP requests.
    CHECK(Hit(fx, up, "/sni") == "snionly");
    // Header names: '_' and '-' are the same; values compare case-insensitively; one of
    // several instances of a request header is enough.
    kong::http::HeaderMap under, upper, repeated;
    under.Add("X-Under", "v");
    upper.Add("X-Version", "ABC");
    repeated.Add("X-Version", "zzz");
    repeated.Add("X-Version", "abc");
    CHECK(Hit(fx, up, "/u", "example.com", under) == "underscore");
    CHECK(Hit(fx, up, "/cv", "example.com", upper) == "caseless");
    CHECK(Hit(fx, up, "/cv", "example.com", repeated) == "caseless");
    // A route mixing regex and prefix paths is split: its regex part outranks another route's
    // longer prefix, its prefix part does not.
    CHECK(Hit(fx, up, "/mix/12") == "mixed");
    CHECK(Hit(fx, up, "/mix/1x") == "mixprefix");
    CHECK(Hit(fx, up, "/mix/a") == "mixed");
    // A plain host also matches the Host header with a port.
    CHECK(Hit(fx, up, "/anything", "plain.test:1234") == "hostonly");
    up.Close(fx.loop);
  }

  TEST_CASE("routing: path normalization and strip_path / path_handling / preserve_host") {
    GatewayFixture fx;
    Upstream up(fx.loop, "a");
    std::vector<std::string> services = {
        Service("plain", up.port()),
        Service("withpath", up.port(), R"("path":"/base")"),
        Service("slashpath", up.port(), R"("path":"/base/")"),
    };
    std::vector<std::string> routes = {
        Route("strip", "withpath", R"("paths":["/s"],"strip_path":true)"),
        Route("nostrip", "withpath", R"("paths":["/n"],"strip_path":false)"),
        Route("v1", "slashpath", R"("paths":["/v1"],"strip_path":true,"path_handling":"v1")"),
        Route("v0", "slashpath", R"("paths":["/v0"],"strip_path":true,"path_handling":"v0")"),
        Route("keep", "plain", R"("paths":["/keep"],"preserve_host":true,"strip_path":false)"),
        Route("drop", "plain", R"("paths":["/drop"],"strip_path":false)"),
    };
    fx.Publish(Config(services, routes));
    auto seen = [&](const std::string& target) {
      auto r = fx.Get(target, "client.test");
      CHECK(r.status == 200);
      return up.seen.back().target;
    };
    CHECK(seen("/s/x?q=1") == "/base/x?q=1");
    CHECK(seen("/s") == "/base");
    CHECK(seen("/n/x") == "/base/n/x");
    CHECK(seen("/v1/x") == "/base/x");
    CHECK(seen("/v1") == "/base/");
    CHECK(seen("/v0/x") == "/base/x");
    CHECK(seen("/s/a/../b/%41") == "/base/b/A");  // normalized before matching and joining
    fx.Get("/keep", "client.test");
    CHECK(up.seen.back().headers.Get("Host").value_or("") == "client.test");
    fx.Get("/drop", "client.test");
    CHECK(up.seen.back().headers.Get("Host").value_or("") ==
          "127.0.0.1:" + std::to_string(up.port()));
    up.Close(fx.loop);
  }

  TEST_CASE("X-Forwarded-* with and without trusted_ips; hop-by-hop headers removed") {
    bool trusted = false;
    SUBCASE("untrusted") { trusted = false; }
    SUBCASE("trusted") { trusted = true; }
    GatewayFixture fx(1, [&](kong::gateway::GatewayOptions& o) {
      if (trusted) o.trusted_ips = *kong::proxy::TrustedIps::Parse({"127.0.0.1"});
    });
    Upstream up(fx.loop, "a");
    fx.Publish(Config({Service("s", up.port())},
                      {Route("r", "s", R"("paths":["/p"],"strip_path":true)")}));
    kong::http::HeaderMap h;
    h.Add("X-Forwarded-For", "10.0.0.9");
    h.Add("X-Forwarded-Proto", "https");
    h.Add("X-Forwarded-Host", "edge.test");
    h.Add("Connection", "keep-alive, X-Secret");
    h.Add("X-Secret", "hop");
    h.Add("Keep-Alive", "timeout=5");
    h.Add("Proxy-Connection", "keep-alive");
    h.Add("X-Custom", "kept");
    auto r = fx.Get("/p/x", "client.test", h);
    REQUIRE(r.status == 200);
    const auto& seen = up.seen.back().headers;
    CHECK(seen.Get("X-Custom").value_or("") == "kept");
    CHECK_FALSE(seen.Has("X-Secret"));
    CHECK_FALSE(seen.Has("Keep-Alive"));
    CHECK_FALSE(seen.Has("Proxy-Connection"));
    CHECK(seen.Get("X-Real-IP").value_or("") == "127.0.0.1");
    CHECK(seen.Get("X-Forwarded-Prefix").value_or("") == "/p");
    CHECK(seen.Has("X-Kong-Request-Id"));
    CHECK(seen.Get("Via").value_or("").find("kong/3.10.0") != std::string_view::npos);
    if (trusted) {
      CHECK(seen.Get("X-Forwarded-For").value_or("") == "10.0.0.9, 127.0.0.1");
      CHECK(seen.Get("X-Forwarded-Proto").value_or("") == "https");
      CHECK(seen.Get("X-Forwarded-Host").value_or("") == "edge.test");
    } else {
      CHECK(seen.Get("X-Forwarded-For").value_or("") == "10.0.0.9, 127.0.0.1");
      CHECK(seen.Get("X-Forwarded-Proto").value_or("") == "http");
      CHECK(seen.Get("X-Forwarded-Host").value_or("") == "client.test");
    }
    // Kong's response headers.
    CHECK(r.headers.Get("X-Upstream").value_or("") == "a");
    CHECK(r.headers.Has("X-Kong-Upstream-Latency"));
    CHECK(r.headers.Has("X-Kong-Proxy-Latency"));
    CHECK(r.headers.Get("Via").value_or("").find("kong/3.10.0") != std::string_view::npos);
    up.Close(fx.loop);
  }

  TEST_CASE("Kong's own answers: 404 no route, 503 no service, 426 and redirects for https") {
    GatewayFixture fx;
    Upstream up(fx.loop, "a");
    fx.Publish(Config(
        {Service("s", up.port())},
        {Route("nosvc", "", R"("paths":["/nosvc"])"),
         Route("tls", "s", R"("paths":["/tls"],"protocols":["https"])"),
         Route("moved", "s",
               R"("paths":["/moved"],"protocols":["https"],"https_redirect_status_code":301)")}));
    auto r = fx.Get("/none");
    CHECK(r.status == 404);
    CHECK(r.body.find(R"("message":"no Route matched with those values")") != std::string::npos);
    CHECK(r.headers.Get("Content-Type").value_or("") == "application/json; charset=utf-8");
    CHECK(r.headers.Has("X-Kong-Response-Latency"));
    r = fx.Get("/nosvc");
    CHECK(r.status == 503);
    CHECK(r.body.find("no Service found with those values") != std::string::npos);
    r = fx.Get("/tls");
    CHECK(r.status == 426);
    CHECK(r.body.find("Please use HTTPS protocol") != std::string::npos);
    r = fx.Get("/moved?a=1", "shop.test");
    CHECK(r.status == 301);
    CHECK(r.headers.Get("Location").value_or("") == "https://shop.test/moved?a=1");
    kong::http::HeaderMap html;
    html.Add("Accept", "text/html");
    r = fx.Get("/none", "example.com", html);
    CHECK(r.headers.Get("Content-Type").value_or("") == "text/html; charset=utf-8");
    CHECK(up.seen.empty());
    up.Close(fx.loop);
  }
}
