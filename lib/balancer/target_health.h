// TargetHealth: one target's health state and counters, updated lock-free by any thread.
#ifndef KONG_BALANCER_TARGET_HEALTH_H_
#define KONG_BALANCER_TARGET_HEALTH_H_

#include <atomic>
#include <cstdint>

#include "balancer/upstream_config.h"

namespace kong::balancer {

// What one request (passive) or probe (active) told about a target.
enum class HealthReport { kSuccess, kHttpFailure, kTcpFailure, kTimeout };

// lua-resty-healthcheck's counting, which Kong uses for both active and passive checks (they
// share one state per target, each with its own thresholds):
// - a success clears the failure counters; while unhealthy it counts towards
//   `successes`, and reaching it makes the target healthy;
// - a failure clears the success counter; while healthy it counts towards its own threshold
//   (http_failures, tcp_failures or timeouts), and reaching it makes the target unhealthy;
// - a report whose threshold is 0 is ignored (that counter is disabled).
// State and the four counters live in one 64-bit word changed by compare-and-swap, so reports
// from several worker threads never lose an update and never need a lock.
class TargetHealth {
 public:
  // Applies one report; returns true when it flipped the health state.
  bool Report(HealthReport report, const CheckRules& rules);
  // Classifies an HTTP status with `rules` (healthy statuses first, then unhealthy ones or 0
  // as an http failure; others are ignored) and applies it. Returns true on a flip.
  bool ReportStatus(int status, const CheckRules& rules);

  bool healthy() const { return (word_.load(std::memory_order_acquire) & kUnhealthyBit) == 0; }
  // Forces a state and clears the counters (Kong's PUT .../healthy|unhealthy).
  void Set(bool healthy);

  // The packed word, to carry the state into the next config snapshot.
  uint64_t raw() const { return word_.load(std::memory_order_acquire); }
  void Restore(uint64_t raw) { word_.store(raw, std::memory_order_release); }

 private:
  static constexpr uint64_t kUnhealthyBit = uint64_t{1} << 63;
  std::atomic<uint64_t> word_{0};
};

}  // namespace kong::balancer

#endif  // KONG_BALANCER_TARGET_HEALTH_H_
