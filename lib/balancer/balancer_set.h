// kong::balancer::BalancerSet: every upstream of one configuration snapshot with its targets,
// built once per snapshot and shared read-only by the proxy workers.
#ifndef KONG_BALANCER_BALANCER_SET_H_
#define KONG_BALANCER_BALANCER_SET_H_

#include <memory>
#include <string_view>
#include <vector>

#include "balancer/upstream_balancer.h"
#include "json/value.h"
#include "kong/status.h"

namespace kong::balancer {

// Immutable after Build except for the targets' runtime state (atomics), so any number of
// threads may Find, Pick, Release and report at once without locks.
class BalancerSet {
 public:
  // Builds from Kong's flat declarative form: {"upstreams":[...],"targets":[...]}, targets
  // referencing upstreams as {"id": "..."} (a name is accepted too). A target listed twice
  // for one upstream keeps the last entry (Kong's cache_key {upstream, target}).
  // With `previous` (the set of the snapshot being replaced), targets found again under the
  // same upstream name and address keep their health and latency state, so a config push does
  // not resurrect an unhealthy target. In-flight counts start at 0 (releases of requests
  // still running go to the old set).
  // Errors (kInvalidArgument with a JSON path): a malformed upstream or target, a duplicate
  // upstream name, a target whose upstream does not exist.
  static Result<std::shared_ptr<const BalancerSet>> Build(const json::Value& flat_config,
                                                          const BalancerSet* previous = nullptr);

  // The balancer of the upstream called `name` (a service's host), or null (the proxy then
  // resolves the host by DNS, as Kong does).
  const UpstreamBalancer* Find(std::string_view name) const;
  const UpstreamBalancer* FindById(std::string_view id) const;

  size_t size() const { return upstreams_.size(); }
  const UpstreamBalancer& at(size_t i) const { return *upstreams_[i]; }

  // {"<upstream name>": <UpstreamBalancer::HealthView()>, ...}, for the DP status API.
  json::Value HealthView() const;

 private:
  BalancerSet() = default;
  std::vector<std::unique_ptr<UpstreamBalancer>> upstreams_;  // sorted by name
};

}  // namespace kong::balancer

#endif  // KONG_BALANCER_BALANCER_SET_H_
