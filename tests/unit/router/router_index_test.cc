// The lookup index gives the same answers as trying every route in priority order; regex
// literal heads; concurrent lookups from several threads.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "router/matcher.h"
#include "router_test_support.h"

using namespace kong::router;
using namespace kong::router::test;

namespace {

template <typename T>
const T& Pick(std::mt19937& rng, const std::vector<T>& pool) {
  return pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(rng)];
}

// A JSON array of up to `max` items from `pool`, or "" for none.
std::string JsonList(std::mt19937& rng, const std::vector<std::string>& pool, int max) {
  int n = std::uniform_int_distribution<int>(0, max)(rng);
  if (n == 0) return "";
  std::string out = "[";
  for (int i = 0; i < n; ++i) out += (i ? ",\"" : "\"") + Pick(rng, pool) + "\"";
  return out + "]";
}

const std::vector<std::string> kHosts = {"a.com", "b.com", "x.a.com", "*.a.com", "a.*",
                                         "a.com:8080", "*.com", "y.x.a.com", "b.*:9000"};
const std::vector<std::string> kPaths = {"/", "/a", "/ab", "/a/b", "/abc/d", "/b",
                                         "~/a/\\\\d+", "~/ab?", "~(?i)/A", "~/a|/b",
                                         "~/(?<x>[a-z]+)/z", "~/abc$", "~/a{2}"};
const std::vector<std::string> kMethods = {"GET", "POST", "PUT"};
const std::vector<std::string> kSnis = {"a.com", "*.a.com", "b.*"};

std::string RandomRoutes(std::mt19937& rng, int count) {
  std::string out = "[";
  for (int i = 0; i < count; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "%08x-0000-4000-8000-%012x", static_cast<unsigned>(rng()), i);
    std::string r = std::string("{\"id\":\"") + id + "\"";
    if (auto l = JsonList(rng, kHosts, 2); !l.empty()) r += ",\"hosts\":" + l;
    if (auto l = JsonList(rng, kPaths, 3); !l.empty()) r += ",\"paths\":" + l;
    if (rng() % 3 == 0) r += ",\"methods\":[\"" + Pick(rng, kMethods) + "\"]";
    if (rng() % 4 == 0) {
      r += ",\"headers\":{\"x-v\":[\"" + std::string(rng() % 2 ? "1" : "~*^[2-3]") + "\"]}";
    }
    if (rng() % 5 == 0) r += ",\"snis\":[\"" + Pick(rng, kSnis) + "\"]";
    if (rng() % 4 == 0) {
      r += ",\"protocols\":[\"" + std::string(rng() % 2 ? "http" : "https") + "\"]";
    }
    r += ",\"regex_priority\":" + std::to_string(static_cast<int>(rng() % 4) - 1) + "}";
    out += (i ? "," : "") + r;
  }
  return out + "]";
}

}  // namespace

TEST_SUITE("router") {
  TEST_CASE("index: regex literal heads") {
    CHECK(RegexLiteralHead("/users/\\d+") == "/users/");
    CHECK(RegexLiteralHead("/ab?c") == "/a");
    CHECK(RegexLiteralHead("/ab*") == "/a");
    CHECK(RegexLiteralHead("/x{2}") == "/");
    CHECK(RegexLiteralHead("/ab+") == "/ab");
    CHECK(RegexLiteralHead("/a|/b") == "");
    CHECK(RegexLiteralHead("(?i)/abc") == "");
    CHECK(RegexLiteralHead("/a.c") == "/a");
    CHECK(RegexLiteralHead("/plain") == "/plain");
  }

  TEST_CASE("index: a case-insensitive regex and an alternation are still found") {
    auto r = BuildRouter(R"J([{"id":"ci","paths":["~(?i)/ABC"]},
                              {"id":"alt","paths":["~/zz|/yy"],"regex_priority":-1}])J");
    CHECK(Match(*r, Get("h", "/abc")) == "ci");
    CHECK(Match(*r, Get("h", "/zz")) == "alt");
    CHECK(Match(*r, Get("h", "/q/yy")) == "alt");  // "^/zz|/yy": the second branch floats
  }

  TEST_CASE("index: random configurations agree with a linear scan in priority order") {
    std::mt19937 rng(20261127);
    const std::vector<std::string> req_hosts = {"a.com", "b.com", "x.a.com", "a.com:8080",
                                                "b.org:9000", "y.x.a.com", "c.com", "", "a.net"};
    const std::vector<std::string> req_paths = {"/", "/a", "/ab", "/a/12", "/abc", "/abc/d/e",
                                                "/b", "/ABC", "/x/z", "/aa", "/q/b", "/a//b"};
    int compared = 0, matched = 0;
    for (int round = 0; round < 20; ++round) {
      auto router = BuildRouter(RandomRoutes(rng, 150));
      for (int i = 0; i < 300; ++i) {
        Req q;
        q.host = Pick(rng, req_hosts);
        q.path = Pick(rng, req_paths);
        q.method = Pick(rng, kMethods);
        q.port = rng() % 2 ? 8000 : 8080;
        if (rng() % 2) {
          q.scheme = "https";
          q.sni = rng() % 2 ? "a.com" : "z.a.com";
        }
        if (rng() % 2) q.headers.Add("X-V", rng() % 2 ? "1" : "3");
        RouteRequest rr;
        rr.method = q.method;
        rr.scheme = q.scheme;
        rr.host = q.host;
        rr.path = q.path;
        rr.sni = q.sni;
        rr.port = q.port;
        rr.headers = &q.headers;
        auto fast = router->Find(rr);
        auto slow = router->TEST_FindLinear(rr);
        ++compared;
        REQUIRE(fast.has_value() == slow.has_value());
        if (!fast) continue;
        ++matched;
        CHECK(fast->route == slow->route);
        CHECK(fast->matched_path == slow->matched_path);
        CHECK(fast->captures == slow->captures);
      }
    }
    CHECK(compared == 6000);
    CHECK(matched > 1000);  // the pools overlap enough for the comparison to mean something
  }

  TEST_CASE("index: concurrent lookups from several threads") {
    std::string routes = "[";
    for (int i = 0; i < 1000; ++i) {
      std::string n = std::to_string(i);
      routes += (i ? "," : "") + std::string("{\"id\":\"r") + n + "\",\"paths\":[\"~/r" + n +
                "/(\\\\d+)$\"],\"hosts\":[\"h" + std::to_string(i % 7) + ".com\"]}";
    }
    auto router = BuildRouter(routes + "]");
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int k = 0; k < 2000; ++k) {
          int i = (k * 7 + t * 13) % 1000;
          std::string path = "/r" + std::to_string(i) + "/" + std::to_string(k);
          std::string host = "h" + std::to_string(i % 7) + ".com";
          RouteRequest q;
          q.host = host;
          q.path = path;
          auto m = router->Find(q);
          if (!m || m->route->id != "r" + std::to_string(i) ||
              m->capture(1) != std::optional<std::string_view>(std::to_string(k))) {
            ++wrong;
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(wrong.load() == 0);
  }
}
