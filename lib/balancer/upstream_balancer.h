// UpstreamBalancer: one upstream's targets and its selection algorithm, immutable after Create,
// with per-target runtime state (in-flight count, latency EWMA, health) in atomics.
#ifndef KONG_BALANCER_UPSTREAM_BALANCER_H_
#define KONG_BALANCER_UPSTREAM_BALANCER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "balancer/hash_key.h"
#include "balancer/target_health.h"
#include "balancer/upstream_config.h"
#include "json/value.h"
#include "kong/status.h"

namespace kong::balancer {

// Per-request balancer state, owned by the caller across the tries of one request.
struct PickState {
  std::vector<uint32_t> tried;  // target indices already picked, in order
  bool hashed = false;          // `hash` was computed (consistent-hashing)
  uint64_t hash = 0;
  // hash_on=cookie found no cookie: Kong generates one and sets it on the response as
  // "Set-Cookie: <hash_on_cookie>=<value>; Path=<hash_on_cookie_path>". Empty otherwise.
  std::string set_cookie_value;
};

// The chosen target. `index` is stable for the lifetime of the UpstreamBalancer.
struct Peer {
  uint32_t index = 0;
  const TargetConfig* target = nullptr;
};

// Mutable per-target state. Cache-line aligned: worker threads update neighbours at once.
struct alignas(64) TargetRuntime {
  TargetHealth health;
  std::atomic<int64_t> in_flight{0};
  std::atomic<double> ewma_ms{0};         // 0 = no sample yet
  std::atomic<int64_t> ewma_stamp_ns{0};  // steady clock of the last sample
};

enum class FailureKind { kTcp, kTimeout, kHttp };

// Thread safety: every const method may run on any number of threads at once. Nothing on the
// pick path locks: selection reads the immutable wheel/ring and the targets' atomics.
class UpstreamBalancer {
 public:
  // Builds the round-robin wheel or the hash ring. Targets keep their configuration order;
  // weight-0 targets are kept (for the health view) but never picked.
  static std::unique_ptr<UpstreamBalancer> Create(UpstreamConfig config,
                                                  std::vector<TargetConfig> targets);
  UpstreamBalancer(const UpstreamBalancer&) = delete;
  UpstreamBalancer& operator=(const UpstreamBalancer&) = delete;

  // The next target for a request. Targets in `state.tried` are skipped while another one is
  // available (a retry goes to a different target); when every healthy target was tried, a
  // tried one is picked again, as Kong's balancer does for retries beyond the target count.
  // Appends the pick to `state.tried` and counts it in flight: call Release() when done.
  // Fails with kUnavailable "failure to get a peer from the ring-balancer" (the proxy's 503)
  // when no target has weight, all are unhealthy, or the healthy weight is under
  // healthchecks.threshold percent.
  Result<Peer> Pick(const RequestKeys& keys, PickState& state) const;

  // Ends a pick: decrements its in-flight count and, when `response_ms` >= 0, feeds the
  // latency EWMA (decay time 10 s, as Kong's latency balancer).
  void Release(const Peer& peer, double response_ms = -1) const;

  // Passive health checks (healthchecks.passive): the proxy reports every response status
  // and every connect failure / timeout. Return true when the target's health flipped.
  bool ReportSuccess(uint32_t index) const;
  bool ReportFailure(uint32_t index, FailureKind kind, int status = 0) const;
  bool ReportResponse(uint32_t index, int status) const;  // classified by passive statuses
  // Active probes (healthchecks.active), same counters with the active thresholds.
  bool ReportActive(uint32_t index, HealthReport report) const;
  bool ReportActiveStatus(uint32_t index, int status) const;
  // Kong's PUT /upstreams/{u}/targets/{t}/healthy|unhealthy.
  void SetHealthy(uint32_t index, bool healthy) const;

  bool healthy(uint32_t index) const { return runtime_[index].health.healthy(); }
  int64_t in_flight(uint32_t index) const {
    return runtime_[index].in_flight.load(std::memory_order_relaxed);
  }
  double latency_ewma_ms(uint32_t index) const {
    return runtime_[index].ewma_ms.load(std::memory_order_relaxed);
  }
  // "HEALTHY", "UNHEALTHY" or "HEALTHCHECKS_OFF" (Kong's /upstreams/{u}/health words).
  const char* HealthName(uint32_t index) const;
  // The shape of Kong's /upstreams/{u}/health body: {"total":n,"data":[{"id","target",
  // "weight","upstream":{"id"},"health"}, ...]}, targets in configuration order. A copy.
  json::Value HealthView() const;

  const UpstreamConfig& config() const { return config_; }
  const std::vector<TargetConfig>& targets() const { return targets_; }
  // Copies health and latency state of targets with the same address from `previous`.
  void CarryStateFrom(const UpstreamBalancer& previous) const;

  // Test hooks: the wheel (round-robin) and the ring's size.
  const std::vector<uint32_t>& TEST_wheel() const { return wheel_; }
  size_t TEST_ring_size() const { return ring_.size(); }

 private:
  UpstreamBalancer(UpstreamConfig config, std::vector<TargetConfig> targets);
  void BuildWheel();
  void BuildRing();
  bool Eligible(uint32_t i, const PickState& state, bool allow_tried) const;
  bool AboveThreshold() const;
  uint64_t HashFor(const RequestKeys& keys, PickState& state) const;
  int64_t PickIndex(const RequestKeys& keys, PickState& state, bool allow_tried) const;
  int64_t PickWheel(const PickState& state, bool allow_tried) const;
  int64_t PickRing(uint64_t hash, const PickState& state, bool allow_tried) const;
  int64_t PickScored(const PickState& state, bool allow_tried) const;

  UpstreamConfig config_;
  std::vector<TargetConfig> targets_;
  std::unique_ptr<TargetRuntime[]> runtime_;
  uint64_t total_weight_ = 0;
  std::vector<uint32_t> wheel_;                      // round-robin order, one full cycle
  std::vector<std::pair<uint64_t, uint32_t>> ring_;  // sorted (point hash, target index)
  mutable std::atomic<uint64_t> cursor_{0};          // wheel position / tie-break rotation
};

}  // namespace kong::balancer

#endif  // KONG_BALANCER_UPSTREAM_BALANCER_H_
