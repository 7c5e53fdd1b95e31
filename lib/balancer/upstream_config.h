// Upstream and target settings as the balancer reads them from Kong's flat declarative config
// (reference kong-entities.md §1.5, §1.6), with Kong's defaults for absent or null fields.
#ifndef KONG_BALANCER_UPSTREAM_CONFIG_H_
#define KONG_BALANCER_UPSTREAM_CONFIG_H_

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json/value.h"
#include "kong/status.h"

namespace kong::balancer {

enum class Algorithm { kRoundRobin, kConsistentHashing, kLeastConnections, kLatency };
enum class HashOn { kNone, kConsumer, kIp, kHeader, kCookie, kPath, kQueryArg, kUriCapture };

// HTTP statuses 0..999 as a set (Kong's http_statuses arrays).
using StatusSet = std::bitset<1000>;

// One side (active or passive) of `healthchecks`: statuses and thresholds. A threshold of 0
// disables that counter, as in Kong.
struct CheckRules {
  StatusSet healthy_statuses;
  StatusSet unhealthy_statuses;
  uint32_t successes = 0;      // healthy.successes
  uint32_t http_failures = 0;  // unhealthy.http_failures
  uint32_t tcp_failures = 0;   // unhealthy.tcp_failures
  uint32_t timeouts = 0;       // unhealthy.timeouts
  // Active only: seconds between probes of a healthy / an unhealthy target; 0 = no probes.
  double healthy_interval = 0;
  double unhealthy_interval = 0;

  // Whether any unhealthy counter can trip (passive checks are "on").
  bool any_failure_threshold() const { return http_failures || tcp_failures || timeouts; }
};

struct ActiveChecks {
  CheckRules rules;
  std::string type = "http";  // http, https, tcp, grpc, grpcs
  double timeout = 1;         // seconds
  uint32_t concurrency = 10;
  std::string http_path = "/";
  bool https_verify_certificate = true;
  std::string https_sni;                                     // "" = none
  std::vector<std::pair<std::string, std::string>> headers;  // active.headers, flattened

  bool enabled() const { return rules.healthy_interval > 0 || rules.unhealthy_interval > 0; }
};

struct HealthcheckConfig {
  ActiveChecks active;
  CheckRules passive;
  double threshold = 0;  // percent of healthy weight below which the upstream is unhealthy

  HealthcheckConfig();  // Kong's default status lists
  // Kong reports HEALTHCHECKS_OFF when neither active probes nor passive thresholds are set.
  bool off() const { return !active.enabled() && !passive.any_failure_threshold(); }
};

struct UpstreamConfig {
  std::string id;
  std::string name;
  Algorithm algorithm = Algorithm::kRoundRobin;
  HashOn hash_on = HashOn::kNone;
  HashOn hash_fallback = HashOn::kNone;
  std::string hash_on_header, hash_fallback_header;
  std::string hash_on_cookie, hash_on_cookie_path = "/";
  std::string hash_on_query_arg, hash_fallback_query_arg;
  std::string hash_on_uri_capture, hash_fallback_uri_capture;
  uint32_t slots = 10000;
  HealthcheckConfig healthchecks;
};

struct TargetConfig {
  std::string id;
  std::string upstream_ref;  // the upstream's id (or name) the target points to
  std::string host;          // IPv6 without brackets
  uint16_t port = 8000;      // Kong's DAO default when "target" has no port
  uint32_t weight = 100;
  std::string address;  // "host:port" ("[v6]:port"), how Kong's health endpoint names it
};

// Parses one upstream object. Errors are kInvalidArgument naming `where` and the field, e.g.
// "$.upstreams[0].algorithm: unknown algorithm 'fastest'".
Result<UpstreamConfig> ParseUpstream(const json::Value& upstream, std::string_view where);

// Parses one target object ("target": "host[:port]", "weight" 0..65535, "upstream": {"id"}).
Result<TargetConfig> ParseTarget(const json::Value& target, std::string_view where);

// Splits "host[:port]" / "[v6][:port]" with Kong's default port 8000.
Result<std::pair<std::string, uint16_t>> SplitTargetAddress(std::string_view text);

}  // namespace kong::balancer

#endif  // KONG_BALANCER_UPSTREAM_CONFIG_H_
