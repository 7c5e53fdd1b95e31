// Kong's check_and_parse rules after typing, in Kong's order, plus the rules of our own properties.
#include <cmath>

#include "base/text.h"
#include "conf/address_syntax.h"
#include "conf/validation.h"

namespace kong::conf {
namespace {

constexpr std::string_view kHeaderTokens[] = {
    "server_tokens",
    "latency_tokens",
    "via",
    "server",
    "x-kong-proxy-latency",
    "x-kong-response-latency",
    "x-kong-admin-latency",
    "x-kong-upstream-latency",
    "x-kong-upstream-status",
    "x-kong-request-id",
};

bool IsOff(const Value& listen) {
  return listen.list.empty() || base::Trim(listen.list[0]) == "off";
}

void CheckHeaders(const ValueMap& values, std::vector<std::string>& errors) {
  for (const std::string& token : ValueOf(values, "headers").list) {
    if (token == "off") continue;
    const std::string lower = base::ToLower(token);
    bool known = false;
    for (std::string_view t : kHeaderTokens) known = known || t == lower;
    if (!known) errors.push_back("headers: invalid entry '" + token + "'");
  }
  // Kong's headers_upstream knows one header so far.
  for (const std::string& token : ValueOf(values, "headers_upstream").list) {
    if (token != "off" && base::ToLower(token) != "x-kong-request-id") {
      errors.push_back("headers_upstream: invalid entry '" + token + "'");
    }
  }
}

void CheckDns(const ValueMap& values, std::vector<std::string>& errors) {
  for (const std::string& server : ValueOf(values, "dns_resolver").list) {
    if (!IsIpWithOptionalPort(server)) {
      errors.push_back(
          "dns_resolver must be a comma separated list in the form of IPv4/6 or IPv4/6:port, "
          "got '" +
          server + "'");
    }
  }
  for (const std::string& name : ValueOf(values, "dns_order").list) {
    const std::string upper = base::ToUpper(name);
    if (upper != "LAST" && upper != "A" && upper != "AAAA" && upper != "CNAME" && upper != "SRV") {
      errors.push_back("dns_order: invalid entry '" + name + "'");
    }
  }
}

void CheckTrustedIps(const ValueMap& values, std::vector<std::string>& errors) {
  for (const std::string& address : ValueOf(values, "trusted_ips").list) {
    if (address != "unix:" && !IsIpOrCidr(address)) {
      errors.push_back(
          "trusted_ips must be a comma separated list in the form of IPv4 or IPv6 address or "
          "CIDR block or 'unix:', got '" +
          address + "'");
    }
  }
}

// Kong's "<key> must be greater than 0" / "must be an integer greater than 0" pair.
void CheckNonNegativeInteger(const ValueMap& values, const std::string& key,
                             std::vector<std::string>& errors) {
  const Value& v = ValueOf(values, key);
  if (!v.set) return;
  if (v.number < 0) errors.push_back(key + " must be greater than 0");
  if (v.number != std::floor(v.number)) {
    errors.push_back(key + " must be an integer greater than 0");
  }
}

void CheckAtLeast(const ValueMap& values, const std::string& key, double min,
                  const std::string& message, std::vector<std::string>& errors) {
  const Value& v = ValueOf(values, key);
  if (v.set && v.number < min) errors.push_back(message);
}

void CheckRoles(const ValueMap& values, std::vector<std::string>& errors) {
  const std::string& role = ValueOf(values, "role").text;
  const Value& labels = ValueOf(values, "cluster_dp_labels");
  const std::string& database = ValueOf(values, "database").text;
  const bool use_proxy = ValueOf(values, "cluster_use_proxy").boolean;
  if (role == "control_plane") {
    if (IsOff(ValueOf(values, "admin_listen"))) {
      errors.push_back("admin_listen must be specified when role = \"control_plane\"");
    }
    if (ValueOf(values, "cluster_mtls").text == "pki" && !ValueOf(values, "cluster_ca_cert").set) {
      errors.push_back("cluster_ca_cert must be specified when cluster_mtls = \"pki\"");
    }
    if (IsOff(ValueOf(values, "cluster_listen"))) {
      errors.push_back("cluster_listen must be specified when role = \"control_plane\"");
    }
    if (database == "off") {
      errors.push_back("in-memory storage can not be used when role = \"control_plane\"");
    }
    if (use_proxy) {
      errors.push_back("cluster_use_proxy can not be used when role = \"control_plane\"");
    }
    if (labels.set) {
      errors.push_back("cluster_dp_labels can not be used when role = \"control_plane\"");
    }
  } else if (role == "data_plane") {
    if (IsOff(ValueOf(values, "proxy_listen"))) {
      errors.push_back("proxy_listen must be specified when role = \"data_plane\"");
    }
    if (database != "off") {
      errors.push_back(
          "only in-memory storage can be used when role = \"data_plane\"\n"
          "Hint: set database = off in your kong.conf");
    }
    if (use_proxy && !ValueOf(values, "proxy_server").set) {
      errors.push_back("cluster_use_proxy is turned on but no proxy_server is configured");
    }
    if (labels.set) {
      if (std::string err = CheckDpLabels(labels.list); !err.empty()) errors.push_back(err);
    }
    // Ours: Kong uses the value verbatim and finds a bad one only when connecting.
    std::vector<ControlPlaneAddress> control_planes;
    if (std::string err =
            ParseControlPlaneList(ValueOf(values, "cluster_control_plane").text, &control_planes);
        !err.empty()) {
      errors.push_back(err);
    }
  } else if (labels.set) {
    errors.push_back("cluster_dp_labels can only be used when role = \"data_plane\"");
  }
}

// Kong parses listeners after check_and_parse and stops at the first bad one; we report each
// bad property, after every other error, so the first error stays Kong's.
void CheckListeners(const ValueMap& values, std::vector<std::string>& errors) {
  for (const char* name :
       {"proxy_listen", "admin_listen", "admin_gui_listen", "status_listen", "cluster_listen"}) {
    if (!IsValidListen(ValueOf(values, name).list)) {
      errors.push_back(std::string(name) + " " + std::string(ListenUsage()));
    }
  }
}

}  // namespace

const Value& ValueOf(const ValueMap& values, std::string_view key) {
  static const Value kUnset;
  auto it = values.find(key);
  return it == values.end() ? kUnset : it->second;
}

void CheckProperties(ValueMap& values, PemMap& pems, std::vector<std::string>& errors) {
  CheckTrustedCertificates(values, errors);
  CheckListenerCertificates(values, errors);
  CheckHeaders(values, errors);
  CheckDns(values, errors);
  CheckTrustedIps(values, errors);
  CheckNonNegativeInteger(values, "pg_max_concurrent_queries", errors);
  CheckNonNegativeInteger(values, "pg_semaphore_timeout", errors);
  const Value& wsuf = ValueOf(values, "worker_state_update_frequency");
  if (wsuf.set && wsuf.number <= 0) {
    errors.push_back("worker_state_update_frequency must be greater than 0");
  }
  if (const Value& proxy = ValueOf(values, "proxy_server"); proxy.set) {
    if (std::string err = CheckProxyServer(proxy.text); !err.empty()) errors.push_back(err);
  }
  const std::string& role = ValueOf(values, "role").text;
  CheckClusterCertificates(values, pems, role == "control_plane" || role == "data_plane", errors);
  CheckRoles(values, errors);
  CheckAtLeast(values, "cluster_data_plane_purge_delay", 60,
               "cluster_data_plane_purge_delay must be 60 or greater", errors);
  CheckAtLeast(values, "cluster_max_payload", 4194304,
               "cluster_max_payload must be 4194304 (4MB) or greater", errors);
  for (const char* key : {"upstream_keepalive_pool_size", "upstream_keepalive_max_requests",
                          "upstream_keepalive_idle_timeout", "cluster_push_coalesce_ms"}) {
    CheckAtLeast(values, key, 0, std::string(key) + " must be 0 or greater", errors);
  }
  if (const Value& node_id = ValueOf(values, "node_id");
      node_id.set && !IsValidUuid(node_id.text)) {
    errors.push_back("node_id must be a valid UUID");
  }
  CheckListeners(values, errors);

  // Kong (master) forces incremental sync off when the RPC channel it rides on is off.
  if (!ValueOf(values, "cluster_rpc").boolean) values["cluster_rpc_sync"].boolean = false;
}

}  // namespace kong::conf
