// What a reload (kongd's SIGHUP) may change on a running node, shared by ControlPlane and
// DataPlane: the log level and the cluster certificates apply in place, the rest waits for a
// restart.
#ifndef KONG_API_NODE_RELOAD_H_
#define KONG_API_NODE_RELOAD_H_

#include <string>
#include <vector>

#include "kong/conf.h"
#include "kong/status.h"

namespace kong::api {

struct ReloadPlan {
  bool log_level_changed = false;
  // cluster_mtls, cluster_cert, cluster_cert_key, cluster_ca_cert or cluster_server_name
  // (property or file content) changed: new handshakes use the new trust.
  bool cluster_trust_changed = false;
  // Changed properties a running node keeps until it restarts (listen addresses, database,
  // prefix, ...), sorted.
  std::vector<std::string> needs_restart;
};

// Compares the running configuration with the re-read one. kInvalidArgument when the role
// differs: a node cannot change kind in place.
Result<ReloadPlan> PlanReload(const Conf& running, const Conf& next);

// "reload: admin_listen, pg_host changed; they take effect after a restart".
std::string NeedsRestartLine(const std::vector<std::string>& names);

}  // namespace kong::api

#endif  // KONG_API_NODE_RELOAD_H_
