// lua-resty-healthcheck's counters and thresholds on one atomic word.
#include "balancer/target_health.h"

namespace kong::balancer {
namespace {

// Counter slots in the word: four 15-bit saturating counters (Kong's thresholds are <= 255).
constexpr int kSuccessShift = 0;
constexpr uint64_t kCounterMask = 0x7fff;

int Shift(HealthReport r) { return 16 * static_cast<int>(r); }

uint32_t Threshold(HealthReport r, const CheckRules& rules) {
  switch (r) {
    case HealthReport::kSuccess:
      return rules.successes;
    case HealthReport::kHttpFailure:
      return rules.http_failures;
    case HealthReport::kTcpFailure:
      return rules.tcp_failures;
    case HealthReport::kTimeout:
      return rules.timeouts;
  }
  return 0;
}

}  // namespace

bool TargetHealth::Report(HealthReport report, const CheckRules& rules) {
  uint32_t limit = Threshold(report, rules);
  if (limit == 0) return false;
  const bool success = report == HealthReport::kSuccess;
  uint64_t old = word_.load(std::memory_order_acquire);
  for (;;) {
    const bool unhealthy = (old & kUnhealthyBit) != 0;
    uint64_t next;
    bool flip = false;
    if (success) {
      // Keep only the state bit and the success counter: failures are cleared.
      next = old & (kUnhealthyBit | (kCounterMask << kSuccessShift));
      if (unhealthy) {
        uint64_t n = ((next >> kSuccessShift) & kCounterMask) + 1;
        if (n >= limit) {
          next = 0;  // healthy, counters cleared
          flip = true;
        } else {
          next = kUnhealthyBit | (n << kSuccessShift);
        }
      }
    } else {
      next = old & ~(kCounterMask << kSuccessShift);
      if (!unhealthy) {
        int shift = Shift(report);
        uint64_t n = ((next >> shift) & kCounterMask) + 1;
        if (n >= limit) {
          next = kUnhealthyBit;
          flip = true;
        } else {
          next = (next & ~(kCounterMask << shift)) | (n << shift);
        }
      }
    }
    if (next == old) return false;
    if (word_.compare_exchange_weak(old, next, std::memory_order_acq_rel,
                                    std::memory_order_acquire))
      return flip;
  }
}

bool TargetHealth::ReportStatus(int status, const CheckRules& rules) {
  if (status >= 0 && status < static_cast<int>(rules.healthy_statuses.size()) &&
      rules.healthy_statuses.test(static_cast<size_t>(status)))
    return Report(HealthReport::kSuccess, rules);
  if (status == 0 || (status > 0 && status < static_cast<int>(rules.unhealthy_statuses.size()) &&
                      rules.unhealthy_statuses.test(static_cast<size_t>(status))))
    return Report(HealthReport::kHttpFailure, rules);
  return false;
}

void TargetHealth::Set(bool healthy) {
  word_.store(healthy ? 0 : kUnhealthyBit, std::memory_order_release);
}

}  // namespace kong::balancer
