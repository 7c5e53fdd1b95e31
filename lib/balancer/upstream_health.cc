// UpstreamBalancer's health side: passive and active reports, the health view, carry-over.
#include <string_view>
#include <unordered_map>

#include "balancer/upstream_balancer.h"

namespace kong::balancer {

bool UpstreamBalancer::ReportSuccess(uint32_t index) const {
  return runtime_[index].health.Report(HealthReport::kSuccess, config_.healthchecks.passive);
}

bool UpstreamBalancer::ReportFailure(uint32_t index, FailureKind kind, int status) const {
  const CheckRules& rules = config_.healthchecks.passive;
  switch (kind) {
    case FailureKind::kTcp:
      return runtime_[index].health.Report(HealthReport::kTcpFailure, rules);
    case FailureKind::kTimeout:
      return runtime_[index].health.Report(HealthReport::kTimeout, rules);
    case FailureKind::kHttp:
      // Kong counts an http failure only for a status in unhealthy.http_statuses.
      if (status != 0 &&
          (status < 0 || status >= static_cast<int>(rules.unhealthy_statuses.size()) ||
           !rules.unhealthy_statuses.test(static_cast<size_t>(status))))
        return false;
      return runtime_[index].health.Report(HealthReport::kHttpFailure, rules);
  }
  return false;
}

bool UpstreamBalancer::ReportResponse(uint32_t index, int status) const {
  return runtime_[index].health.ReportStatus(status, config_.healthchecks.passive);
}

bool UpstreamBalancer::ReportActive(uint32_t index, HealthReport report) const {
  return runtime_[index].health.Report(report, config_.healthchecks.active.rules);
}

bool UpstreamBalancer::ReportActiveStatus(uint32_t index, int status) const {
  return runtime_[index].health.ReportStatus(status, config_.healthchecks.active.rules);
}

void UpstreamBalancer::SetHealthy(uint32_t index, bool healthy) const {
  runtime_[index].health.Set(healthy);
}

const char* UpstreamBalancer::HealthName(uint32_t index) const {
  // A target forced unhealthy (PUT .../unhealthy) is UNHEALTHY even with checks off, as in Kong.
  if (!runtime_[index].health.healthy()) return "UNHEALTHY";
  return config_.healthchecks.off() ? "HEALTHCHECKS_OFF" : "HEALTHY";
}

json::Value UpstreamBalancer::HealthView() const {
  json::Array data;
  for (uint32_t i = 0; i < targets_.size(); ++i) {
    const TargetConfig& t = targets_[i];
    json::Value entry = json::Value::EmptyObject();
    entry.Set("id", t.id);
    entry.Set("target", t.address);
    entry.Set("weight", static_cast<int64_t>(t.weight));
    json::Value up = json::Value::EmptyObject();
    up.Set("id", config_.id);
    entry.Set("upstream", std::move(up));
    entry.Set("health", HealthName(i));
    data.push_back(std::move(entry));
  }
  json::Value out = json::Value::EmptyObject();
  out.Set("total", static_cast<int64_t>(data.size()));
  out.Set("data", std::move(data));
  return out;
}

void UpstreamBalancer::CarryStateFrom(const UpstreamBalancer& previous) const {
  std::unordered_map<std::string_view, uint32_t> old_index;
  for (uint32_t j = 0; j < previous.targets_.size(); ++j)
    old_index.emplace(previous.targets_[j].address, j);
  for (uint32_t i = 0; i < targets_.size(); ++i) {
    auto it = old_index.find(targets_[i].address);
    if (it == old_index.end()) continue;
    const TargetRuntime& from = previous.runtime_[it->second];
    runtime_[i].health.Restore(from.health.raw());
    runtime_[i].ewma_ms.store(from.ewma_ms.load(std::memory_order_relaxed),
                              std::memory_order_relaxed);
    runtime_[i].ewma_stamp_ns.store(from.ewma_stamp_ns.load(std::memory_order_relaxed),
                                    std::memory_order_relaxed);
  }
}

}  // namespace kong::balancer
