// What each route attribute matches (reference §4.2-§4.3, traditional_compatible).
#include <doctest/doctest.h>

#include "router/route_compiler.h"
#include "router_test_support.h"

using namespace kong::router;
using namespace kong::router::test;

TEST_SUITE("router") {
  TEST_CASE("hosts: exact, Host header port ignored, byte-for-byte") {
    auto r = BuildRouter(R"J([{"id":"a","hosts":["a.com"]}])J");
    CHECK(Match(*r, Get("a.com", "/")) == "a");
    CHECK(Match(*r, Get("a.com:123", "/x")) == "a");
    CHECK(Match(*r, Get("b.com", "/")) == "");
    CHECK(Match(*r, Get("A.com", "/")) == "");  // Kong does not lower-case hosts
    CHECK(Match(*r, Get("", "/")) == "");
  }

  TEST_CASE("hosts: host:port requires the Host header's port, else the listener's") {
    auto r = BuildRouter(R"J([{"id":"p","hosts":["a.com:8080"]}])J");
    CHECK(Match(*r, Get("a.com:8080", "/")) == "p");
    CHECK(Match(*r, Get("a.com:80", "/")) == "");
    Req q = Get("a.com", "/");
    q.port = 8080;  // no port in Host: net.dst.port is the listener port
    CHECK(Match(*r, q) == "p");
    q.port = 8000;
    CHECK(Match(*r, q) == "");
  }

  TEST_CASE("hosts: *.x and x.* wildcards, with and without port") {
    auto r = BuildRouter(R"J([{"id":"suffix","hosts":["*.example.com"]},
                             {"id":"prefix","hosts":["example.*"]},
                             {"id":"wport","hosts":["*.port.org:9000"]}])J");
    CHECK(Match(*r, Get("foo.example.com", "/")) == "suffix");
    CHECK(Match(*r, Get("foo.bar.example.com:81", "/")) == "suffix");
    CHECK(Match(*r, Get("example.com", "/")) == "prefix");
    CHECK(Match(*r, Get("example.co.uk", "/")) == "prefix");
    CHECK(Match(*r, Get("notexample.com", "/")) == "");
    CHECK(Match(*r, Get("a.port.org:9000", "/")) == "wport");
    CHECK(Match(*r, Get("a.port.org:9001", "/")) == "");
  }

  TEST_CASE("paths: prefixes are not segment aware; regexes are anchored at the start only") {
    auto r = BuildRouter(R"J([{"id":"pre","paths":["/my-route"]},
                             {"id":"re","paths":["~/status/(r)"]}])J");
    CHECK(Match(*r, Get("x", "/my-route")) == "pre");
    CHECK(Match(*r, Get("x", "/my-route-uri")) == "pre");
    CHECK(Match(*r, Get("x", "/my-rout")) == "");
    CHECK(Match(*r, Get("x", "/status/re")) == "re");  // no implied '$'
    CHECK(Match(*r, Get("x", "/x/status/r")) == "");   // implied '^'
    CHECK(Match(*r, Get("x", "/my-route?q=/status/r")) == "pre");  // the query is ignored
  }

  TEST_CASE("paths: matched against the normalized path; captures see decoded text") {
    auto r = BuildRouter(
        R"J([{"id":"u","paths":["~/users/(?<name>[^/]+)/(profile)"]},
             {"id":"v","paths":["/v1/a"]}])J");
    RouteRequest q;
    q.method = "GET";
    q.path = "/users/%6aohn%20doe/profile";
    auto m = r->Find(q);
    REQUIRE(m.has_value());
    CHECK(m->route->id == "u");
    CHECK(m->path == "/users/john doe/profile");
    CHECK(m->matched_path_text() == "/users/john doe/profile");
    CHECK(m->capture(0) == std::optional<std::string_view>("/users/john doe/profile"));
    CHECK(m->capture(1) == std::optional<std::string_view>("john doe"));
    CHECK(m->capture(2) == std::optional<std::string_view>("profile"));
    CHECK(m->capture("name") == std::optional<std::string_view>("john doe"));
    CHECK_FALSE(m->capture(3).has_value());
    CHECK(Match(*r, Get("x", "/v1/b/../a/./x")) == "v");
    CHECK(Match(*r, Get("x", "//v1//a")) == "v");
    q.path = "/v1/a/x";
    m = r->Find(q);
    REQUIRE(m.has_value());
    CHECK(m->matched_path_text() == "/v1/a");
    CHECK(m->captures.empty());
  }

  TEST_CASE("paths: a regex without groups has no captures; a route without paths none") {
    auto r = BuildRouter(R"J([{"id":"g","paths":["~/plain$"]},{"id":"h","hosts":["h"]}])J");
    RouteRequest q;
    q.path = "/plain";
    auto m = r->Find(q);
    REQUIRE(m.has_value());
    CHECK(m->captures.empty());
    CHECK(m->matched_path_text() == "/plain");
    q.host = "h";
    q.path = "/zzz";
    m = r->Find(q);
    REQUIRE(m.has_value());
    CHECK(m->route->id == "h");
    CHECK_FALSE(m->path_matched);
    CHECK(m->host == "h");
  }

  TEST_CASE("paths: an empty request path matches no path condition") {
    auto r = BuildRouter(R"J([{"id":"opt","paths":["~/?"]},{"id":"host","hosts":["h"]}])J");
    CHECK(Match(*r, Get("x", "")) == "");
    CHECK(Match(*r, Get("h", "")) == "host");  // a route without paths does not look at it
    CHECK(Match(*r, Get("x", "/")) == "opt");
  }

  TEST_CASE("methods: exact, upper case") {
    auto r = BuildRouter(R"J([{"id":"m","methods":["GET","POST"]}])J");
    Req q = Get("x", "/");
    CHECK(Match(*r, q) == "m");
    q.method = "POST";
    CHECK(Match(*r, q) == "m");
    q.method = "get";
    CHECK(Match(*r, q) == "");
    q.method = "PUT";
    CHECK(Match(*r, q) == "");
  }

  TEST_CASE("headers: all present, any value, case-insensitive values, '-' equals '_'") {
    auto r = BuildRouter(
        R"J([{"id":"h","headers":{"X-Version":["v1","V2"],"x_region":["eu"]}}])J");
    Req q = Get("x", "/");
    q.headers.Add("x-version", "V1");
    CHECK(Match(*r, q) == "");  // x_region missing
    q.headers.Add("X-Region", "EU");
    CHECK(Match(*r, q) == "h");
    Req q2 = Get("x", "/");
    q2.headers.Add("X_VERSION", "v3");
    q2.headers.Add("x-version", "v2");  // a repeated header matches if one instance does
    q2.headers.Add("x-region", "eu");
    CHECK(Match(*r, q2) == "h");
    Req q3 = Get("x", "/");
    q3.headers.Add("x-version", "v3");
    q3.headers.Add("x-region", "eu");
    CHECK(Match(*r, q3) == "");
  }

  TEST_CASE("headers: ~* values are regexes searched in the lower-cased value") {
    auto r = BuildRouter(R"J([{"id":"re","headers":{"user-agent":["~*Mobile[0-9]+"]}}])J");
    Req q = Get("x", "/");
    q.headers.Add("User-Agent", "Foo MOBILE42 bar");
    CHECK(Match(*r, q) == "re");  // unanchored, case-insensitive through lower-casing
    Req q2 = Get("x", "/");
    q2.headers.Add("User-Agent", "desktop");
    CHECK(Match(*r, q2) == "");
  }

  TEST_CASE("snis: bind https requests only; trailing dot and wildcards") {
    auto r = BuildRouter(R"J([{"id":"s","snis":["a.test."],"paths":["/s"]},
                             {"id":"w","snis":["*.wild.test"],"paths":["/w"]}])J");
    Req q = Get("x", "/s");
    CHECK(Match(*r, q) == "s");  // plain http: the SNI condition is not considered
    q.scheme = "https";
    CHECK(Match(*r, q) == "");
    q.sni = "a.test";
    CHECK(Match(*r, q) == "s");
    q.sni = "a.test.";
    CHECK(Match(*r, q) == "s");
    Req w = Get("x", "/w");
    w.scheme = "https";
    w.sni = "b.wild.test";
    CHECK(Match(*r, w) == "w");
    w.sni = "wild.test";
    CHECK(Match(*r, w) == "");
  }

  TEST_CASE("protocols: https-only routes still match http; http-only routes refuse https") {
    auto r = BuildRouter(R"J([{"id":"tls","protocols":["https"],"paths":["/secure"]},
                             {"id":"plain","protocols":["http"],"paths":["/plain"]},
                             {"id":"both","paths":["/both"]},
                             {"id":"grpc","protocols":["grpc"],"paths":["/g"]}])J");
    Req q = Get("x", "/secure");
    CHECK(Match(*r, q) == "tls");  // the proxy answers 426 (https_redirect_status_code)
    q.path = "/plain";
    CHECK(Match(*r, q) == "plain");
    q.scheme = "https";
    CHECK(Match(*r, q) == "");
    q.path = "/both";
    CHECK(Match(*r, q) == "both");
    q.path = "/g";
    CHECK(Match(*r, q) == "");  // grpc is carried over plain http only
    q.scheme = "http";
    CHECK(Match(*r, q) == "grpc");
  }

  TEST_CASE("build: services, disabled services, stream and empty routes") {
    auto r = BuildRouter(R"J([{"id":"a","paths":["/a"],"service":{"id":"s1"},"strip_path":false},
                             {"id":"off","paths":["/off"],"service":{"id":"s2"}},
                             {"id":"tcp","protocols":["tcp"],"destinations":[{"port":9}]},
                             {"id":"empty"},
                             {"id":"none","paths":["/none"],"service":null}])J",
                         R"J([{"id":"s1","host":"up","enabled":true},
                             {"id":"s2","host":"down","enabled":false}])J");
    CHECK(r->route_count() == 2);
    RouteRequest q;
    q.path = "/a/b";
    auto m = r->Find(q);
    REQUIRE(m.has_value());
    CHECK(m->route->service_id == std::optional<std::string>("s1"));
    REQUIRE(m->route->service != nullptr);
    CHECK(m->route->service->Find("host")->as_string() == "up");
    CHECK_FALSE(m->route->strip_path);
    CHECK(m->route->protocols == std::vector<std::string>{"http", "https"});
    q.path = "/off";
    CHECK_FALSE(r->Find(q).has_value());
    q.path = "/none";
    m = r->Find(q);
    REQUIRE(m.has_value());
    CHECK_FALSE(m->route->service_id.has_value());  // the proxy answers 503
  }

  TEST_CASE("build: bad input gets a clear error") {
    auto build = [](const std::string& text) {
      auto cfg = kong::json::Parse(text);
      REQUIRE(cfg.ok());
      return Router::Build(cfg.value()).status();
    };
    auto s = build(R"J({"routes":[{"id":"r1","paths":["~/(unclosed"]}]})J");
    CHECK(s.message().find("route r1: invalid regex '^/(unclosed'") == 0);
    s = build(R"J({"routes":[{"id":"r2","headers":{"x":["~*("]}}]})J");
    CHECK(s.message().find("route r2: headers.x: invalid regex") == 0);
    s = build(R"J({"routes":[{"id":"r3","paths":["/"],"service":{"id":"nope"}}]})J");
    CHECK(s.message() == "route r3: service nope not found");
    s = build(R"J({"routes":[{"paths":["/"]}]})J");
    CHECK(s.message() == "routes[0]: missing id");
    s = build(R"J({"routes":[{"id":"r4","hosts":"a.com"}]})J");
    CHECK(s.message() == "route r4: hosts: expected an array");
    CHECK(build("[]").message() == "router: configuration must be a JSON object");
  }

  TEST_CASE("UuidV5 matches RFC 4122 name-based ids (Kong's split-route ids)") {
    CHECK(UuidV5("7f145bf9-0dce-4f91-98eb-debbce4b9f6b",
                 "a0000000-0000-4000-8000-000000000001#2") ==
          "9037971d-cbe8-5f49-ab24-ae38986c4f52");
  }
}
