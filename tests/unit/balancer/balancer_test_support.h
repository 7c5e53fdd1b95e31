// Helpers for balancer tests: build a BalancerSet from upstream/target JSON and count picks.
#ifndef KONG_TESTS_UNIT_BALANCER_BALANCER_TEST_SUPPORT_H_
#define KONG_TESTS_UNIT_BALANCER_BALANCER_TEST_SUPPORT_H_

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <string>

#include "balancer/balancer_set.h"
#include "json/value.h"

namespace kong::balancer::test {

// `upstream` is one upstream object's JSON (its id is forced to "u1"); `targets` maps
// "host:port" to weight.
inline std::shared_ptr<const BalancerSet> BuildOne(const std::string& upstream,
                                                   const std::map<std::string, int>& targets,
                                                   const BalancerSet* previous = nullptr) {
  auto up = json::Parse(upstream);
  REQUIRE_MESSAGE(up.ok(), up.status().ToString());
  up->Set("id", "u1");
  json::Array list;
  for (const auto& [address, weight] : targets) {
    json::Value t = json::Value::EmptyObject();
    t.Set("id", "t-" + address);
    t.Set("target", address);
    t.Set("weight", weight);
    json::Value ref = json::Value::EmptyObject();
    ref.Set("id", "u1");
    t.Set("upstream", std::move(ref));
    list.push_back(std::move(t));
  }
  json::Value cfg = json::Value::EmptyObject();
  cfg.Set("upstreams", json::Array{std::move(up).value()});
  cfg.Set("targets", std::move(list));
  auto set = BalancerSet::Build(cfg, previous);
  REQUIRE_MESSAGE(set.ok(), set.status().ToString());
  return set.value();
}

// The address a fresh request gets (released at once).
inline std::string PickOnce(const UpstreamBalancer& b, const RequestKeys& keys = {}) {
  PickState state;
  auto peer = b.Pick(keys, state);
  if (!peer.ok()) return "";
  b.Release(*peer);
  return peer->target->address;
}

// Picks `n` times; address -> count.
inline std::map<std::string, int> Count(const UpstreamBalancer& b, int n) {
  std::map<std::string, int> counts;
  for (int i = 0; i < n; ++i) counts[PickOnce(b)]++;
  return counts;
}

}  // namespace kong::balancer::test

#endif  // KONG_TESTS_UNIT_BALANCER_BALANCER_TEST_SUPPORT_H_
