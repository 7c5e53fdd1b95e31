// Tests for the upstream path: every row of Kong's spec/fixtures/router_path_handling_tests.lua
// (v0 and v1, strip_path true/false, trailing slashes, host-only routes), regex routes,
// escaping and query passthrough. The table is the revision that agrees with Kong 3.10's
// kong/router/utils.lua get_upstream_uri_v0 (an older revision expected "/service" where a
// request ending in '/' now keeps the service path's trailing slash).
#include "proxy/upstream_path.h"

#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "support/test_support.h"

using kong::proxy::PathHandling;
using kong::proxy::UpstreamPathParams;

namespace {

enum Strip { kNoStrip = 1, kStrip = 2, kBothStrip = 3 };
enum Handling { kV0 = 1, kV1 = 2, kBothV = 3 };

struct Row {
  const char* service_path;
  const char* route_path;  // nullptr: the route matched on host only
  int strip;
  int handling;
  const char* request;
  const char* expected;
};

// Kong's table, row for row (the comments give Kong's row numbers).
const Row kRows[] = {
    {"/", "/", kBothStrip, kBothV, "/", "/"},
    {"/", "/", kBothStrip, kBothV, "/route", "/route"},
    {"/", "/", kBothStrip, kBothV, "/route/", "/route/"},
    {"/", "/", kBothStrip, kBothV, "/routereq", "/routereq"},
    {"/", "/", kBothStrip, kBothV, "/route/req", "/route/req"},
    // 5
    {"/", "/route", kNoStrip, kBothV, "/route", "/route"},
    {"/", "/route", kNoStrip, kBothV, "/route/", "/route/"},
    {"/", "/route", kNoStrip, kBothV, "/routereq", "/routereq"},
    {"/", "/route", kStrip, kBothV, "/route", "/"},
    {"/", "/route", kStrip, kBothV, "/route/", "/"},
    {"/", "/route", kStrip, kBothV, "/routereq", "/req"},
    // 11
    {"/", "/route/", kNoStrip, kBothV, "/route/", "/route/"},
    {"/", "/route/", kNoStrip, kBothV, "/route/req", "/route/req"},
    {"/", "/route/", kStrip, kBothV, "/route/", "/"},
    {"/", "/route/", kStrip, kBothV, "/route/req", "/req"},
    // 15
    {"/srv", "/rou", kNoStrip, kV0, "/roureq", "/srv/roureq"},
    {"/srv", "/rou", kNoStrip, kV1, "/roureq", "/srvroureq"},
    {"/srv", "/rou", kStrip, kV0, "/roureq", "/srv/req"},
    {"/srv", "/rou", kStrip, kV1, "/roureq", "/srvreq"},
    // 19
    {"/srv/", "/rou", kNoStrip, kBothV, "/rou", "/srv/rou"},
    {"/srv/", "/rou", kStrip, kV0, "/rou", "/srv"},
    {"/srv/", "/rou", kStrip, kV1, "/rou", "/srv/"},
    // 22
    {"/service", "/", kBothStrip, kBothV, "/", "/service"},
    {"/service", "/", kBothStrip, kV0, "/route", "/service/route"},
    {"/service", "/", kBothStrip, kV1, "/route", "/serviceroute"},
    {"/service", "/", kBothStrip, kV0, "/route/", "/service/route/"},
    {"/service", "/", kBothStrip, kV1, "/route/", "/serviceroute/"},
    // 27
    {"/service", "/", kBothStrip, kV0, "/routereq", "/service/routereq"},
    {"/service", "/", kBothStrip, kV1, "/routereq", "/serviceroutereq"},
    {"/service", "/", kBothStrip, kV0, "/route/req", "/service/route/req"},
    {"/service", "/", kBothStrip, kV1, "/route/req", "/serviceroute/req"},
    // 31
    {"/service", "/route", kNoStrip, kV0, "/route", "/service/route"},
    {"/service", "/route", kNoStrip, kV1, "/route", "/serviceroute"},
    {"/service", "/route", kNoStrip, kV0, "/route/", "/service/route/"},
    {"/service", "/route", kNoStrip, kV1, "/route/", "/serviceroute/"},
    {"/service", "/route", kNoStrip, kV0, "/routereq", "/service/routereq"},
    {"/service", "/route", kNoStrip, kV1, "/routereq", "/serviceroutereq"},
    {"/service", "/route", kStrip, kBothV, "/route", "/service"},
    {"/service", "/route", kStrip, kBothV, "/route/", "/service/"},
    {"/service", "/route", kStrip, kV0, "/routereq", "/service/req"},
    {"/service", "/route", kStrip, kV1, "/routereq", "/servicereq"},
    // 41
    {"/service", "/route/", kNoStrip, kV0, "/route/", "/service/route/"},
    {"/service", "/route/", kNoStrip, kV1, "/route/", "/serviceroute/"},
    {"/service", "/route/", kNoStrip, kV0, "/route/req", "/service/route/req"},
    {"/service", "/route/", kNoStrip, kV1, "/route/req", "/serviceroute/req"},
    {"/service", "/route/", kStrip, kV0, "/route/", "/service/"},
    {"/service", "/route/", kStrip, kV1, "/route/", "/service"},
    {"/service", "/route/", kStrip, kV0, "/route/req", "/service/req"},
    {"/service", "/route/", kStrip, kV1, "/route/req", "/servicereq"},
    // 49
    {"/service/", "/", kBothStrip, kV0, "/route/", "/service/route/"},
    {"/service/", "/", kBothStrip, kV1, "/route/", "/service/route/"},
    {"/service/", "/", kBothStrip, kBothV, "/", "/service/"},
    {"/service/", "/", kBothStrip, kBothV, "/route", "/service/route"},
    {"/service/", "/", kBothStrip, kBothV, "/routereq", "/service/routereq"},
    {"/service/", "/", kBothStrip, kBothV, "/route/req", "/service/route/req"},
    // 55
    {"/service/", "/route", kNoStrip, kBothV, "/route", "/service/route"},
    {"/service/", "/route", kNoStrip, kBothV, "/route/", "/service/route/"},
    {"/service/", "/route", kNoStrip, kBothV, "/routereq", "/service/routereq"},
    {"/service/", "/route", kStrip, kV0, "/route", "/service"},
    {"/service/", "/route", kStrip, kV1, "/route", "/service/"},
    {"/service/", "/route", kStrip, kBothV, "/route/", "/service/"},
    {"/service/", "/route", kStrip, kBothV, "/routereq", "/service/req"},
    // 62
    {"/service/", "/route/", kNoStrip, kBothV, "/route/", "/service/route/"},
    {"/service/", "/route/", kNoStrip, kBothV, "/route/req", "/service/route/req"},
    {"/service/", "/route/", kStrip, kBothV, "/route/", "/service/"},
    {"/service/", "/route/", kStrip, kBothV, "/route/req", "/service/req"},
    // 66: matched on host, not on a path
    {"/", nullptr, kBothStrip, kBothV, "/", "/"},
    {"/", nullptr, kBothStrip, kBothV, "/route", "/route"},
    {"/", nullptr, kBothStrip, kBothV, "/route/", "/route/"},
    // 69
    {"/service", nullptr, kBothStrip, kBothV, "/", "/service"},
    {"/service", nullptr, kBothStrip, kV0, "/route", "/service/route"},
    {"/service", nullptr, kBothStrip, kV1, "/route", "/serviceroute"},
    {"/service", nullptr, kBothStrip, kV0, "/route/", "/service/route/"},
    {"/service", nullptr, kBothStrip, kV1, "/route/", "/serviceroute/"},
    // 74
    {"/service/", nullptr, kBothStrip, kBothV, "/", "/service/"},
    {"/service/", nullptr, kBothStrip, kBothV, "/route", "/service/route"},
    {"/service/", nullptr, kBothStrip, kBothV, "/route/", "/service/route/"},
};

UpstreamPathParams Params(const char* service, const char* matched, bool strip, PathHandling h,
                          std::string_view path) {
  UpstreamPathParams p;
  if (service) p.service_path = service;
  if (matched) p.matched_path = matched;
  p.path = path;
  p.strip_path = strip;
  p.path_handling = h;
  return p;
}

}  // namespace

TEST_SUITE("proxy") {
  TEST_CASE("every row of Kong's path-handling table, expanded over strip_path and v0/v1") {
    int cases = 0;
    for (const Row& row : kRows) {
      for (bool strip : {false, true}) {
        if (!(row.strip & (strip ? kStrip : kNoStrip))) continue;
        for (PathHandling h : {PathHandling::kV0, PathHandling::kV1}) {
          if (!(row.handling & (h == PathHandling::kV0 ? kV0 : kV1))) continue;
          const UpstreamPathParams p =
              Params(row.service_path, row.route_path, strip, h, row.request);
          INFO("service=" << std::string(row.service_path) << " route="
                          << std::string(row.route_path ? row.route_path : "(host)")
                          << " strip=" << strip << " v" << (h == PathHandling::kV0 ? 0 : 1)
                          << " request=" << std::string(row.request));
          CHECK(kong::proxy::UpstreamPath(p) == std::string(row.expected));
          CHECK(kong::proxy::UpstreamTarget(p, std::nullopt) == std::string(row.expected));
          ++cases;
        }
      }
    }
    // Kong's fixture has 77 rows, 164 cases once expanded (kong-entities.md says 113: it is not).
    CHECK(std::size(kRows) == 77);
    CHECK(cases == 164);
  }

  TEST_CASE("the reference's examples, null service path and dot-segment postfixes") {
    // §4.6 examples.
    CHECK(kong::proxy::UpstreamPath(
              Params("/service", "/route", true, PathHandling::kV0, "/route./req")) ==
          "/service/req");
    CHECK(kong::proxy::UpstreamPath(
              Params("/service", "/route", true, PathHandling::kV0, "/route../req")) ==
          "/service/req");
    CHECK(kong::proxy::UpstreamPath(
              Params("/service", "/route", true, PathHandling::kV0, "/route..")) == "/service");
    // A null service path is "/".
    CHECK(kong::proxy::UpstreamPath(
              Params(nullptr, "/route", true, PathHandling::kV0, "/routereq")) == "/req");
    CHECK(kong::proxy::UpstreamPath(
              Params(nullptr, "/route", false, PathHandling::kV0, "/route/x")) == "/route/x");
    CHECK(kong::proxy::UpstreamPath(Params(nullptr, nullptr, true, PathHandling::kV0, "/")) ==
          "/");
  }

  TEST_CASE("regex routes strip their whole match") {
    // Route "~/users/\d+" matched "/users/42" of "/users/42/profile".
    const std::string path = "/users/42/profile";
    UpstreamPathParams p = Params("/api", nullptr, true, PathHandling::kV0, path);
    p.matched_path = std::string_view(path).substr(0, 9);
    CHECK(kong::proxy::UpstreamPath(p) == "/api/profile");
    CHECK(kong::proxy::StrippedPrefix(p) == std::optional<std::string_view>("/users/42"));
    p.strip_path = false;
    CHECK(kong::proxy::UpstreamPath(p) == "/api/users/42/profile");
    CHECK_FALSE(kong::proxy::StrippedPrefix(p));
    p.strip_path = true;
    p.path_handling = PathHandling::kV1;
    CHECK(kong::proxy::UpstreamPath(p) == "/api/profile");
    // The regex matched everything: as a prefix route matching the whole path.
    p.path_handling = PathHandling::kV0;
    p.matched_path = path;
    CHECK(kong::proxy::UpstreamPath(p) == "/api");
  }

  TEST_CASE("X-Forwarded-Prefix is the stripped prefix, never '/'") {
    CHECK(kong::proxy::StrippedPrefix(Params("/s", "/route", true, PathHandling::kV0,
                                             "/route/x")) ==
          std::optional<std::string_view>("/route"));
    CHECK_FALSE(kong::proxy::StrippedPrefix(Params("/s", "/", true, PathHandling::kV0, "/x")));
    CHECK_FALSE(kong::proxy::StrippedPrefix(Params("/s", nullptr, true, PathHandling::kV0, "/x")));
    CHECK_FALSE(
        kong::proxy::StrippedPrefix(Params("/s", "/route", false, PathHandling::kV0, "/route")));
  }

  TEST_CASE("the target is escaped like Kong's escape() and keeps the query as received") {
    UpstreamPathParams p = Params("/svc", "/r", true, PathHandling::kV0, "/r/a b/\"q\"/é/%2F");
    CHECK(kong::proxy::UpstreamTarget(p, std::nullopt) == "/svc/a%20b/%22q%22/%C3%A9/%2F");
    CHECK(kong::proxy::UpstreamTarget(p, std::string_view("x=1&y=%20z+w")) ==
          "/svc/a%20b/%22q%22/%C3%A9/%2F?x=1&y=%20z+w");
    CHECK(kong::proxy::UpstreamTarget(p, std::string_view("")) ==
          "/svc/a%20b/%22q%22/%C3%A9/%2F?");
    // Reserved and sub-delimiter characters stay as they are.
    p.path = "/r/!$&'()*+,;=:@[]~-_.";
    CHECK(kong::proxy::UpstreamTarget(p, std::nullopt) == "/svc/!$&'()*+,;=:@[]~-_.");
  }

  TEST_CASE("raw query and raw path of a request-target") {
    CHECK_FALSE(kong::proxy::RawQuery("/a/b"));
    CHECK(kong::proxy::RawQuery("/a?") == std::optional<std::string_view>(""));
    CHECK(kong::proxy::RawQuery("/a?x=1&y#frag") == std::optional<std::string_view>("x=1&y"));
    CHECK(kong::proxy::RawPath("/a%20b/?x=1") == "/a%20b/");
    CHECK(kong::proxy::RawPath("http://example.com/p/q?x") == "/p/q");
    CHECK(kong::proxy::RawPath("http://example.com") == "/");
  }
}
