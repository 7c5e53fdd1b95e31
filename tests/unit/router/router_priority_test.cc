// Kong's traditional_compatible ordering and tie-breaking (reference §4.5).
#include <doctest/doctest.h>

#include "router_test_support.h"

using namespace kong::router;
using namespace kong::router::test;

TEST_SUITE("router") {
  TEST_CASE("priority: more matching fields win over a longer path") {
    auto r = BuildRouter(R"J([{"id":"long","paths":["/a/very/long/prefix"]},
                             {"id":"hostpath","hosts":["h.com"],"paths":["/a"]}])J");
    CHECK(Match(*r, Get("h.com", "/a/very/long/prefix/x")) == "hostpath");
    CHECK(Match(*r, Get("other.com", "/a/very/long/prefix/x")) == "long");
  }

  TEST_CASE("priority: plain hosts beat wildcard hosts") {
    auto r = BuildRouter(R"J([{"id":"wild","hosts":["*.h.com"],"paths":["/abc"]},
                             {"id":"plain","hosts":["x.h.com"],"paths":["/a"]}])J");
    CHECK(Match(*r, Get("x.h.com", "/abc")) == "plain");
    CHECK(Match(*r, Get("y.h.com", "/abc")) == "wild");
  }

  TEST_CASE("priority: more headers win") {
    auto r = BuildRouter(R"J([{"id":"one","headers":{"a":["1"]},"paths":["/long/path"]},
                             {"id":"two","headers":{"a":["1"],"b":["2"]},"paths":["/"]}])J");
    Req q = Get("x", "/long/path");
    q.headers.Add("a", "1");
    CHECK(Match(*r, q) == "one");
    q.headers.Add("b", "2");
    CHECK(Match(*r, q) == "two");
  }

  TEST_CASE("priority: a regex path beats a prefix path of any length") {
    auto r = BuildRouter(R"J([{"id":"prefix","paths":["/users/profile/settings"]},
                             {"id":"regex","paths":["~/users/\\w+"]}])J");
    CHECK(Match(*r, Get("x", "/users/profile/settings")) == "regex");
    CHECK(Match(*r, Get("x", "/users/")) == "");
  }

  TEST_CASE("priority: regex_priority orders regex routes; it is ignored on prefix routes") {
    auto r = BuildRouter(R"J([{"id":"low","paths":["~/status/\\d+"],"regex_priority":1},
                             {"id":"high","paths":["~/status/2"],"regex_priority":5},
                             {"id":"neg","paths":["~/status"],"regex_priority":-3},
                             {"id":"pre","paths":["/status/200/x"],"regex_priority":100}])J");
    CHECK(Match(*r, Get("x", "/status/200/x")) == "high");
    CHECK(Match(*r, Get("x", "/status/300")) == "low");
    CHECK(Match(*r, Get("x", "/status/x")) == "neg");
  }

  TEST_CASE("priority: the longest prefix wins") {
    auto r = BuildRouter(R"J([{"id":"root","paths":["/"]},
                             {"id":"api","paths":["/api"]},
                             {"id":"v1","paths":["/api/v1"]}])J");
    CHECK(Match(*r, Get("x", "/api/v1/users")) == "v1");
    CHECK(Match(*r, Get("x", "/api/v2")) == "api");
    CHECK(Match(*r, Get("x", "/other")) == "root");
  }

  TEST_CASE("priority: equal priorities are broken by the higher route UUID") {
    auto r = BuildRouter(R"J([{"id":"11111111-0000-4000-8000-000000000000","paths":["/same"]},
                             {"id":"ffffffff-0000-4000-8000-000000000000","paths":["/same"]},
                             {"id":"88888888-0000-4000-8000-000000000000","paths":["/same"]}])J");
    CHECK(Match(*r, Get("x", "/same")) == "ffffffff-0000-4000-8000-000000000000");
    auto r2 = BuildRouter(R"J([{"id":"11111111-0000-4000-8000-000000000000","hosts":["a"]},
                              {"id":"22222222-0000-4000-8000-000000000000","hosts":["a"]}])J");
    CHECK(Match(*r2, Get("a", "/")) == "22222222-0000-4000-8000-000000000000");
  }

  TEST_CASE("priority: routes with mixed paths are split per prefix length and regex") {
    auto r = BuildRouter(R"J([{"id":"A","paths":["/a","/abcd","~/re/\\d"]},
                             {"id":"B","paths":["/abc"]},
                             {"id":"C","paths":["~/re/1"],"regex_priority":9}])J");
    CHECK(r->route_count() == 3);
    CHECK(r->matcher_count() == 5);
    CHECK(Match(*r, Get("x", "/abcde")) == "A");  // A's "/abcd" group (length 5)
    CHECK(Match(*r, Get("x", "/abcx")) == "B");   // beats A's "/a" group (length 2)
    CHECK(Match(*r, Get("x", "/ab")) == "A");
    CHECK(Match(*r, Get("x", "/re/1")) == "C");   // regex_priority 9 over A's regex group
    CHECK(Match(*r, Get("x", "/re/2")) == "A");
  }

  TEST_CASE("priority: a hosts+snis route wins over hosts only, also for plain http (#6425)") {
    auto r = BuildRouter(R"J([{"id":"hosts","hosts":["a.com"]},
                             {"id":"hosts_snis","hosts":["a.com"],"snis":["a.com"]}])J");
    CHECK(Match(*r, Get("a.com", "/")) == "hosts_snis");
    Req q = Get("a.com", "/");
    q.scheme = "https";
    q.sni = "other.com";
    CHECK(Match(*r, q) == "hosts");
  }

  TEST_CASE("priority: host:port routes and plain host routes") {
    auto r = BuildRouter(R"J([{"id":"plain","hosts":["domain-1.org"],"paths":["/ab"]},
                             {"id":"port","hosts":["domain-1.org:321"],"paths":["/a"]}])J");
    // Same weight and both plain: the longer prefix decides, the port only filters.
    CHECK(Match(*r, Get("domain-1.org:321", "/ab")) == "plain");
    CHECK(Match(*r, Get("domain-1.org:321", "/a")) == "port");
    CHECK(Match(*r, Get("domain-1.org:322", "/a")) == "");
  }

  TEST_CASE("priority: an empty hosts array still counts as 'plain hosts only' (Kong quirk)") {
    // transform.lua sets the bit for any hosts table without '*', empty included, while the
    // match weight ignores empty fields.
    auto r = BuildRouter(R"J([{"id":"empty_hosts","hosts":[],"paths":["/a"]},
                              {"id":"longer","paths":["/abc"]}])J");
    CHECK(Match(*r, Get("x", "/abc")) == "empty_hosts");
    auto r2 = BuildRouter(R"J([{"id":"null_hosts","hosts":null,"paths":["/a"]},
                               {"id":"longer","paths":["/abc"]}])J");
    CHECK(Match(*r2, Get("x", "/abc")) == "longer");
  }

  TEST_CASE("priority: methods add weight") {
    auto r = BuildRouter(R"J([{"id":"path","paths":["/x/longer"]},
                             {"id":"method","paths":["/x"],"methods":["POST"]}])J");
    Req q = Get("h", "/x/longer");
    CHECK(Match(*r, q) == "path");
    q.method = "POST";
    CHECK(Match(*r, q) == "method");
  }
}
