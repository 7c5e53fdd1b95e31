// 10,000 mixed routes: the index finds the right route, including ones near the end.
#include <doctest/doctest.h>

#include <string>

#include "router_test_support.h"

using namespace kong::router;
using namespace kong::router::test;

namespace {

std::string ManyRoutes() {
  std::string out = "[";
  for (int i = 0; i < 10000; ++i) {
    std::string id = "\"id\":\"r" + std::to_string(i) + "\"";
    std::string n = std::to_string(i);
    if (i > 0) out += ",";
    if (i < 4000) {
      out += "{" + id + ",\"hosts\":[\"svc" + n + ".example.com\"],\"paths\":[\"/api/v" +
             std::to_string(i % 50) + "/\"]}";
    } else if (i < 6000) {
      out += "{" + id + ",\"paths\":[\"/p" + n + "/items\"]}";
    } else if (i < 8000) {
      out += "{" + id + ",\"paths\":[\"~/r" + n + "/(?<id>\\\\d+)$\"]}";
    } else if (i < 9000) {
      out += "{" + id + ",\"hosts\":[\"*.w" + n + ".net\"],\"paths\":[\"/\"]}";
    } else {
      out += "{" + id + ",\"hosts\":[\"h" + n + ".org\"],\"methods\":[\"GET\"]," +
             "\"headers\":{\"x-tenant\":[\"t" + n + "\"]}}";
    }
  }
  return out + "]";
}

}  // namespace

TEST_SUITE("router") {
  TEST_CASE("scale: 10,000 mixed routes build and route correctly") {
    auto r = BuildRouter(ManyRoutes());
    CHECK(r->route_count() == 10000);
    CHECK(Match(*r, Get("svc3999.example.com", "/api/v49/x")) == "r3999");
    CHECK(Match(*r, Get("svc0.example.com:8000", "/api/v0/")) == "r0");
    CHECK(Match(*r, Get("svc3999.example.com", "/api/v48/x")) == "");
    CHECK(Match(*r, Get("x", "/p5999/items/1")) == "r5999");
    CHECK(Match(*r, Get("x", "/p4000/items")) == "r4000");
    CHECK(Match(*r, Get("x", "/p5999/item")) == "");

    RouteRequest q;
    q.path = "/r7999/42";
    auto m = r->Find(q);
    REQUIRE(m.has_value());
    CHECK(m->route->id == "r7999");
    CHECK(m->capture("id") == std::optional<std::string_view>("42"));
    CHECK(Match(*r, Get("x", "/r7999/42/x")) == "");  // '$'

    CHECK(Match(*r, Get("a.w8999.net", "/anything")) == "r8999");
    CHECK(Match(*r, Get("a.b.w8000.net", "/")) == "r8000");
    CHECK(Match(*r, Get("w8999.net", "/")) == "");

    Req t = Get("h9999.org", "/");
    t.headers.Add("X-Tenant", "T9999");
    CHECK(Match(*r, t) == "r9999");
    t.method = "POST";
    CHECK(Match(*r, t) == "");
    Req u = Get("h9999.org", "/");
    u.headers.Add("x-tenant", "t9998");
    CHECK(Match(*r, u) == "");

    // Every tenth route of each kind, through the index.
    for (int i = 0; i < 10000; i += 10) {
      std::string n = std::to_string(i);
      Req q2;
      if (i < 4000) {
        q2 = Get("svc" + n + ".example.com", "/api/v" + std::to_string(i % 50) + "/z");
      } else if (i < 6000) {
        q2 = Get("x", "/p" + n + "/items");
      } else if (i < 8000) {
        q2 = Get("x", "/r" + n + "/7");
      } else if (i < 9000) {
        q2 = Get("q.w" + n + ".net", "/z");
      } else {
        q2 = Get("h" + n + ".org", "/");
        q2.headers.Add("x-tenant", "t" + n);
      }
      CHECK_MESSAGE(Match(*r, q2) == "r" + n, "route r" << n);
    }
  }
}
