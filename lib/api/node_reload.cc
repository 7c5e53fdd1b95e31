// PlanReload: which changed properties a running node applies in place.
#include "api/node_reload.h"

#include <map>
#include <set>
#include <string_view>

#include "base/text.h"

namespace kong::api {
namespace {

// The cluster trust settings (cluster/cluster_conf.cc reads exactly these).
const std::set<std::string_view> kTrustProperties = {
    "cluster_mtls", "cluster_cert", "cluster_cert_key", "cluster_ca_cert", "cluster_server_name"};

}  // namespace

Result<ReloadPlan> PlanReload(const Conf& running, const Conf& next) {
  if (running.GetString("role") != next.GetString("role")) {
    return Status::InvalidArgument("role cannot change on reload (" + running.GetString("role") +
                                   " -> " + next.GetString("role") + "); restart the node");
  }
  std::map<std::string, std::string> before;
  for (auto& [name, value] : running.Entries(/*redact_secrets=*/false)) before[name] = value;
  std::map<std::string, std::string> after;
  for (auto& [name, value] : next.Entries(/*redact_secrets=*/false)) after[name] = value;
  std::set<std::string> names;
  for (const auto& entry : before) names.insert(entry.first);
  for (const auto& entry : after) names.insert(entry.first);

  ReloadPlan plan;
  for (const std::string& name : names) {
    auto b = before.find(name);
    auto a = after.find(name);
    std::string old_value = b == before.end() ? std::string() : b->second;
    std::string new_value = a == after.end() ? std::string() : a->second;
    if (kTrustProperties.count(name) != 0) {
      // A path that stayed the same may name renewed files: compare what was read.
      if (old_value != new_value || running.Pem(name) != next.Pem(name)) {
        plan.cluster_trust_changed = true;
      }
      continue;
    }
    if (old_value == new_value) continue;
    if (name == "log_level") {
      plan.log_level_changed = true;
    } else {
      plan.needs_restart.push_back(name);
    }
  }
  return plan;
}

std::string NeedsRestartLine(const std::vector<std::string>& names) {
  return "reload: " + base::Join(names, ", ") +
         (names.size() == 1 ? " changed; it takes effect" : " changed; they take effect") +
         " after a restart";
}

}  // namespace kong::api
