// Helpers for router tests: build a Router from route JSON and look up a route id.
#ifndef KONG_TESTS_UNIT_ROUTER_ROUTER_TEST_SUPPORT_H_
#define KONG_TESTS_UNIT_ROUTER_ROUTER_TEST_SUPPORT_H_

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "http/header_map.h"
#include "json/value.h"
#include "router/router.h"

namespace kong::router::test {

// `routes` is a JSON array text of route objects; services are optional.
inline std::shared_ptr<const Router> BuildRouter(const std::string& routes,
                                                 const std::string& services = "[]") {
  auto cfg = json::Parse(R"J({"services":)J" + services + R"J(,"routes":)J" + routes + "}");
  REQUIRE_MESSAGE(cfg.ok(), cfg.status().ToString());
  auto r = Router::Build(cfg.value());
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return r.value();
}

struct Req {
  std::string method = "GET", scheme = "http", host, path = "/", sni;
  uint16_t port = 8000;
  http::HeaderMap headers;
};

// The id of the matched route, or "" when nothing matched.
inline std::string Match(const Router& router, const Req& q) {
  RouteRequest r;
  r.method = q.method;
  r.scheme = q.scheme;
  r.host = q.host;
  r.path = q.path;
  r.sni = q.sni;
  r.port = q.port;
  r.headers = &q.headers;
  auto m = router.Find(r);
  return m ? m->route->id : "";
}

inline Req Get(std::string host, std::string path) {
  Req q;
  q.host = std::move(host);
  q.path = std::move(path);
  return q;
}

}  // namespace kong::router::test

#endif  // KONG_TESTS_UNIT_ROUTER_ROUTER_TEST_SUPPORT_H_
