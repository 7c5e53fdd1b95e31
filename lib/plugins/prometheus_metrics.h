// PrometheusMetrics: the prometheus plugin's registry (Kong's prometheus_metrics shm), one per
// node in plugins::SharedState, kept across configuration snapshots. Workers record into
// per-thread shards (an uncontended lock each); a scrape merges the shards and renders Kong
// 3.10's exposition text (kong/plugins/prometheus/exporter.lua names, HELP, labels, buckets).
#ifndef KONG_PLUGINS_PROMETHEUS_METRICS_H_
#define KONG_PLUGINS_PROMETHEUS_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "json/value.h"

namespace kong::plugins {

// The /metrics answer's Content-Type (exporter.lua's collect()).
inline constexpr char kPrometheusContentType[] = "text/plain; charset=UTF-8";

// What one log phase records; empty label views are Kong's "" labels.
struct RequestSample {
  std::string_view service;   // service name, else host; "" without service
  std::string_view route;     // route name, else id
  std::string_view consumer;  // username with per_consumer, else ""
  std::string_view workspace = "default";
  int status = 0;             // recorded when > 0 (status_code_metrics)
  bool from_service = false;  // source="service" (the upstream answered), else "kong"
  // Latencies in ms, recorded when latency_metrics; < 0: not recorded.
  int64_t kong_latency_ms = -1;
  int64_t upstream_latency_ms = -1;
  int64_t request_latency_ms = -1;
  // Recorded when > 0 (bandwidth_metrics).
  uint64_t ingress_bytes = 0;
  uint64_t egress_bytes = 0;
};

// Node-level facts read at scrape time (Kong's LOCAL_STORAGE gauges).
struct NodeMetricsInfo {
  std::string node_id;
  std::string version;              // kong.version, "3.10.0"
  bool datastore_reachable = true;  // DB-less and data plane nodes: always 1, as Kong's
  // nginx stub_status counters, when the node counts them (absent: series omitted).
  struct Connections {
    uint64_t accepted = 0, handled = 0, active = 0, reading = 0, writing = 0, waiting = 0;
    uint64_t total_requests = 0;
  };
  std::optional<Connections> connections;
  // gateway::Gateway::UpstreamHealth(): {"<upstream>": {"data": [{"target","health"}...]}};
  // rendered only while a prometheus plugin has upstream_health_metrics.
  json::Value upstream_health;
  // Data plane: its cluster certificate's notAfter (unix seconds).
  std::optional<int64_t> cluster_cert_expiry;
};

// Thread-safe.
class PrometheusMetrics {
 public:
  PrometheusMetrics();
  ~PrometheusMetrics();
  PrometheusMetrics(const PrometheusMetrics&) = delete;
  PrometheusMetrics& operator=(const PrometheusMetrics&) = delete;

  void Record(const RequestSample& sample);

  // Live prometheus plugin instances: per-request series are exported only while one exists
  // (Kong's IS_PROMETHEUS_ENABLED), upstream health while one asks for it.
  void AddInstance(bool upstream_health);
  void RemoveInstance(bool upstream_health);

  // The /metrics body.
  std::string Render(const NodeMetricsInfo& node) const;

  static constexpr std::array<int, 17> kKongLatencyBuckets = {
      1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000, 3000, 6000};
  static constexpr std::array<int, 13> kUpstreamLatencyBuckets = {
      25, 50, 80, 100, 250, 400, 700, 1000, 2000, 5000, 10000, 30000, 60000};

 private:
  struct Histogram {
    // Per-bucket (non-cumulative) counts; the last slot is +Inf.
    std::array<uint64_t, kKongLatencyBuckets.size() + 1> counts{};
    uint64_t count = 0;
    int64_t sum = 0;
  };
  struct LatencySeries {
    Histogram kong, upstream, request;
    bool has_kong = false, has_upstream = false, has_request = false;
  };
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  template <typename T>
  using Map = std::unordered_map<std::string, T, KeyHash, std::equal_to<>>;
  // Keys are label values joined with '\0', in Kong's label order.
  struct Shard {
    std::mutex mu;
    Map<uint64_t> requests;    // service, route, code, source, workspace, consumer
    Map<uint64_t> bandwidth;   // service, route, direction, workspace, consumer
    Map<LatencySeries> latency;  // service, route, workspace
  };
  struct Merged;
  static constexpr size_t kShards = 32;

  Shard& LocalShard();
  void MergeInto(Merged& out) const;

  std::unique_ptr<Shard[]> shards_;
  std::atomic<int> instances_{0};
  std::atomic<int> upstream_health_instances_{0};
};

}  // namespace kong::plugins

#endif  // KONG_PLUGINS_PROMETHEUS_METRICS_H_
