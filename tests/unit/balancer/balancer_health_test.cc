// Passive health checks, the health view, config parsing errors, carry-over and threads.
#include <atomic>
#include <thread>
#include <vector>

#include "support/test_support.h"
#include "unit/balancer/balancer_test_support.h"

using kong::balancer::BalancerSet;
using kong::balancer::FailureKind;
using kong::balancer::PickState;
using kong::balancer::UpstreamBalancer;
using kong::balancer::test::BuildOne;
using kong::balancer::test::Count;

namespace {

// Passive checks: 2 tcp failures, 2 timeouts or 3 http failures trip; 2 successes recover.
constexpr const char* kPassive = R"({"name":"p.svc","healthchecks":{"passive":{
  "healthy":{"successes":2},
  "unhealthy":{"tcp_failures":2,"timeouts":2,"http_failures":3}}}})";

std::string HealthOf(const BalancerSet& set, const std::string& up, const std::string& target) {
  kong::json::Value view = set.HealthView();
  for (const auto& e : view.Find(up)->Find("data")->as_array())
    if (e.Find("target")->as_string() == target) return e.Find("health")->as_string();
  return "";
}

kong::Status BuildError(const std::string& json) {
  auto cfg = kong::json::Parse(json);
  REQUIRE(cfg.ok());
  auto set = BalancerSet::Build(*cfg);
  REQUIRE_FALSE(set.ok());
  return set.status();
}

}  // namespace

TEST_SUITE("balancer") {
  TEST_CASE("passive: failures past the threshold take a target out, successes bring it back") {
    auto set = BuildOne(kPassive, {{"a:80", 100}, {"b:80", 100}});
    const UpstreamBalancer& b = *set->Find("p.svc");
    CHECK(HealthOf(*set, "p.svc", "a:80") == "HEALTHY");
    CHECK_FALSE(b.ReportFailure(0, FailureKind::kTcp));
    CHECK(b.healthy(0));
    CHECK(b.ReportFailure(0, FailureKind::kTcp));  // second one trips
    CHECK_FALSE(b.healthy(0));
    CHECK(HealthOf(*set, "p.svc", "a:80") == "UNHEALTHY");
    auto counts = Count(b, 200);
    CHECK(counts["b:80"] == 200);
    CHECK(counts.count("a:80") == 0);
    // Successes (a 2xx the proxy saw) count only once the target is unhealthy.
    CHECK_FALSE(b.ReportResponse(0, 200));
    CHECK(b.ReportResponse(0, 204));
    CHECK(b.healthy(0));
    counts = Count(b, 200);
    CHECK(counts["a:80"] == 100);
    CHECK(counts["b:80"] == 100);
  }

  TEST_CASE("passive: http failures by status list; a success resets the failure count") {
    auto set = BuildOne(kPassive, {{"a:80", 100}});
    const UpstreamBalancer& b = *set->Find("p.svc");
    b.ReportResponse(0, 500);
    b.ReportResponse(0, 503);
    b.ReportResponse(0, 404);  // not in passive.unhealthy.http_statuses: ignored
    CHECK_FALSE(b.ReportFailure(0, FailureKind::kHttp, 502));  // 502 is not in the list either
    CHECK(b.healthy(0));
    b.ReportResponse(0, 200);  // clears the two failures
    b.ReportResponse(0, 429);
    b.ReportResponse(0, 500);
    CHECK(b.healthy(0));
    CHECK(b.ReportResponse(0, 500));
    CHECK_FALSE(b.healthy(0));
    // The only target is unhealthy: the proxy's 503.
    PickState s;
    auto peer = b.Pick({}, s);
    REQUIRE_FALSE(peer.ok());
    CHECK(peer.status().message() == "failure to get a peer from the ring-balancer");
    // Timeouts have their own counter.
    b.SetHealthy(0, true);
    b.ReportFailure(0, FailureKind::kTimeout);
    b.ReportFailure(0, FailureKind::kTcp);
    CHECK(b.healthy(0));
    b.ReportFailure(0, FailureKind::kTimeout);
    CHECK_FALSE(b.healthy(0));
  }

  TEST_CASE("defaults: checks off, nothing ever trips; weight-0 targets are listed") {
    auto set = BuildOne(R"({"name":"d"})", {{"a:80", 100}, {"b:80", 0}});
    const UpstreamBalancer& b = *set->Find("d");
    for (int i = 0; i < 100; ++i) {
      b.ReportFailure(0, FailureKind::kTcp);
      b.ReportResponse(0, 500);
    }
    CHECK(b.healthy(0));
    kong::json::Value view = set->HealthView();
    auto& data = view.Find("d")->Find("data")->as_array();
    REQUIRE(data.size() == 2);
    CHECK(view.Find("d")->Find("total")->as_int() == 2);
    CHECK(data[0].Find("health")->as_string() == "HEALTHCHECKS_OFF");
    CHECK(data[1].Find("weight")->as_int() == 0);
    CHECK(data[0].Find("upstream")->Find("id")->as_string() == "u1");
    b.SetHealthy(0, false);  // Kong's PUT .../unhealthy works with checks off
    CHECK(data[0].Find("health")->as_string() == "HEALTHCHECKS_OFF");  // the view is a copy
    CHECK(HealthOf(*set, "d", "a:80") == "UNHEALTHY");
  }

  TEST_CASE("healthchecks.threshold: too little healthy weight fails the whole upstream") {
    auto set = BuildOne(R"({"name":"t","healthchecks":{"threshold":50,
      "passive":{"unhealthy":{"tcp_failures":1}}}})",
                        {{"a:80", 30}, {"b:80", 30}, {"c:80", 40}});
    const UpstreamBalancer& b = *set->Find("t");
    b.ReportFailure(2, FailureKind::kTcp);  // 60% healthy
    CHECK(kong::balancer::test::PickOnce(b) != "");
    b.ReportFailure(1, FailureKind::kTcp);  // 30% healthy < 50%
    CHECK(kong::balancer::test::PickOnce(b) == "");
  }

  TEST_CASE("a rebuilt set keeps the health of targets that are still there") {
    auto first = BuildOne(kPassive, {{"a:80", 100}, {"b:80", 100}});
    first->Find("p.svc")->ReportFailure(0, FailureKind::kTcp);
    first->Find("p.svc")->ReportFailure(0, FailureKind::kTcp);
    auto second = BuildOne(kPassive, {{"a:80", 100}, {"c:80", 100}}, first.get());
    CHECK_FALSE(second->Find("p.svc")->healthy(0));
    CHECK(second->Find("p.svc")->healthy(1));
    auto fresh = BuildOne(kPassive, {{"a:80", 100}});
    CHECK(fresh->Find("p.svc")->healthy(0));
  }

  TEST_CASE("bad configurations are rejected with a path") {
    CHECK(BuildError(R"({"upstreams":[{"name":"a","algorithm":"fastest"}]})").message() ==
          "$.upstreams[0].algorithm: unknown algorithm 'fastest'");
    CHECK(BuildError(R"({"upstreams":[{"name":"a"}],"targets":[{"target":"x:1",
          "upstream":{"id":"nope"}}]})")
              .message() == "$.targets[0].upstream: upstream 'nope' does not exist");
    CHECK(BuildError(R"({"upstreams":[{"name":"a"}],"targets":[{"target":"x:99999",
          "upstream":{"id":"a"}}]})")
              .message() ==
          "$.targets[0].target: Invalid target ('x:99999'); not a valid hostname or ip address");
    CHECK(BuildError(R"({"upstreams":[{"name":"a"}],"targets":[{"target":"x:1","weight":70000,
          "upstream":{"id":"a"}}]})")
              .message() == "$.targets[0].weight: value should be between 0 and 65535");
    CHECK(BuildError(R"({"upstreams":[{"name":"a","hash_on":"header"}]})").message() ==
          "$.upstreams[0].hash_on_header: required field missing");
    CHECK(BuildError(R"({"upstreams":[{"name":"a"},{"name":"a"}]})").message() ==
          "$.upstreams[1].name: duplicate upstream 'a'");
    CHECK(BuildError(R"({"upstreams":[{"name":"a","slots":5}]})").message() ==
          "$.upstreams[0].slots: value should be between 10 and 65536");
  }

  TEST_CASE("IPv6 targets, with and without a port") {
    auto set = BuildOne(R"({"name":"v6"})", {{"[::1]:81", 5}, {"[::1]", 5}});
    const UpstreamBalancer& b = *set->Find("v6");
    REQUIRE(b.targets().size() == 2);
    CHECK(b.targets()[0].host == "::1");
    CHECK(b.targets()[0].address == "[::1]:8000");
    CHECK(b.targets()[1].address == "[::1]:81");
  }

  TEST_CASE("concurrent picks, releases and reports from 4 threads are safe") {
    for (const char* algo : {"round-robin", "consistent-hashing", "least-connections", "latency"}) {
      CAPTURE(algo);
      auto set = BuildOne(std::string(R"({"name":"c","hash_on":"ip","algorithm":")") + algo +
                              R"(","healthchecks":{"passive":{"healthy":{"successes":1},
                              "unhealthy":{"http_failures":1}}}})",
                          {{"a:80", 10}, {"b:80", 20}, {"c:80", 30}, {"d:80", 40}});
      const UpstreamBalancer& b = *set->Find("c");
      std::atomic<int> picked{0}, failed{0};
      std::vector<std::thread> threads;
      for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < 5000; ++i) {
            kong::balancer::RequestKeys keys;
            std::string ip = std::to_string(t) + "." + std::to_string(i);
            keys.client_ip = ip;
            PickState s;
            auto peer = b.Pick(keys, s);
            if (!peer.ok()) {
              failed++;
              continue;
            }
            picked++;
            // Thread 0 flaps target d; the others report successes.
            if (t == 0 && peer->index == 3)
              b.ReportResponse(3, 500);
            else
              b.ReportResponse(peer->index, 200);
            b.Release(*peer, 1.0 + i % 7);
          }
        });
      }
      for (auto& th : threads) th.join();
      CHECK(picked + failed == 20000);
      CHECK(failed == 0);  // a, b, c never fail
      for (uint32_t i = 0; i < 4; ++i) CHECK(b.in_flight(i) == 0);
    }
  }
}
