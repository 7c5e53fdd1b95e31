// PrometheusMetrics: sharded recording and Kong's exposition text.
#include "plugins/prometheus_metrics.h"

#include <cctype>
#include <cstdio>
#include <span>
#include <utility>

namespace kong::plugins {

namespace {

constexpr char kSep = '\0';

// Kong's prometheus.lua label escaping.
void AppendEscaped(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// `{a="x",b="y"` (no closing brace, so a histogram can append le) from names and a key of
// '\0'-terminated values.
std::string OpenLabels(std::span<const std::string_view> names, std::string_view key) {
  std::string out = "{";
  size_t i = 0;
  for (std::string_view name : names) {
    size_t end = key.find(kSep, i);
    if (end == std::string_view::npos) end = key.size();
    if (out.size() > 1) out += ',';
    out.append(name).append("=\"");
    AppendEscaped(out, key.substr(i, end - i));
    out += '"';
    i = end + 1;
  }
  return out;
}

// Every value is followed by the separator, so empty values keep their place.
void AppendKey(std::string& key, std::string_view value) {
  key.append(value);
  key += kSep;
}

void Header(std::string& out, std::string_view name, std::string_view help,
            std::string_view type) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void Line(std::string& out, std::string_view name, std::string_view labels, uint64_t value) {
  out.append(name).append(labels).append(" ").append(std::to_string(value)).append("\n");
}

// A labelled counter or gauge: series rendered as `{...}` -> value, in Kong's (sorted) order.
void EmitSimple(std::string& out, std::string_view name, std::string_view help,
                std::string_view type, const std::map<std::string, uint64_t>& series) {
  if (series.empty()) return;  // like Kong: no HELP/TYPE for a metric without series
  Header(out, name, help, type);
  for (const auto& [labels, value] : series) Line(out, name, labels, value);
}

}  // namespace

struct PrometheusMetrics::Merged {
  std::map<std::string, uint64_t> requests;   // rendered labels -> value
  std::map<std::string, uint64_t> bandwidth;
  std::map<std::string, LatencySeries> latency;  // open labels (no '}') -> series
};

PrometheusMetrics::PrometheusMetrics() : shards_(new Shard[kShards]) {}
PrometheusMetrics::~PrometheusMetrics() = default;

PrometheusMetrics::Shard& PrometheusMetrics::LocalShard() {
  // One shard per thread (workers are far fewer than kShards): the lock is uncontended
  // except while a scrape copies the shard.
  static std::atomic<size_t> next_thread{0};
  thread_local size_t index = next_thread.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shards_[index];
}

namespace {

template <size_t N, size_t M>
void Observe(std::array<uint64_t, M>& counts, const std::array<int, N>& buckets,
             uint64_t& count, int64_t& sum, int64_t value) {
  static_assert(N + 1 <= M);
  size_t i = 0;
  while (i < N && value > buckets[i]) ++i;
  ++counts[i];
  ++count;
  sum += value;
}

}  // namespace

void PrometheusMetrics::Record(const RequestSample& s) {
  const bool latency = s.kong_latency_ms >= 0 || s.upstream_latency_ms >= 0 ||
                       s.request_latency_ms >= 0;
  if (s.status <= 0 && !latency && s.ingress_bytes == 0 && s.egress_bytes == 0) return;
  // Reused per thread: no allocation once the keys' sizes were seen.
  thread_local std::string key;
  Shard& shard = LocalShard();
  std::lock_guard lock(shard.mu);
  auto bump = [&](Map<uint64_t>& map, uint64_t by) {
    auto it = map.find(std::string_view(key));
    if (it == map.end()) it = map.emplace(key, 0).first;
    it->second += by;
  };
  if (s.status > 0) {
    key.clear();
    char code[8];
    int n = std::snprintf(code, sizeof(code), "%d", s.status);
    for (std::string_view v : {s.service, s.route, std::string_view(code, n),
                               std::string_view(s.from_service ? "service" : "kong"),
                               s.workspace, s.consumer})
      AppendKey(key, v);
    bump(shard.requests, 1);
  }
  for (auto [bytes, direction] : {std::pair{s.ingress_bytes, std::string_view("ingress")},
                                  std::pair{s.egress_bytes, std::string_view("egress")}}) {
    if (bytes == 0) continue;
    key.clear();
    for (std::string_view v : {s.service, s.route, direction, s.workspace, s.consumer})
      AppendKey(key, v);
    bump(shard.bandwidth, bytes);
  }
  if (latency) {
    key.clear();
    for (std::string_view v : {s.service, s.route, s.workspace}) AppendKey(key, v);
    auto it = shard.latency.find(std::string_view(key));
    if (it == shard.latency.end()) it = shard.latency.emplace(key, LatencySeries{}).first;
    LatencySeries& series = it->second;
    if (s.kong_latency_ms >= 0) {
      series.has_kong = true;
      Observe(series.kong.counts, kKongLatencyBuckets, series.kong.count, series.kong.sum,
              s.kong_latency_ms);
    }
    if (s.upstream_latency_ms >= 0) {
      series.has_upstream = true;
      Observe(series.upstream.counts, kUpstreamLatencyBuckets, series.upstream.count,
              series.upstream.sum, s.upstream_latency_ms);
    }
    if (s.request_latency_ms >= 0) {
      series.has_request = true;
      Observe(series.request.counts, kUpstreamLatencyBuckets, series.request.count,
              series.request.sum, s.request_latency_ms);
    }
  }
}

void PrometheusMetrics::AddInstance(bool upstream_health) {
  instances_.fetch_add(1, std::memory_order_relaxed);
  if (upstream_health) upstream_health_instances_.fetch_add(1, std::memory_order_relaxed);
}

void PrometheusMetrics::RemoveInstance(bool upstream_health) {
  instances_.fetch_sub(1, std::memory_order_relaxed);
  if (upstream_health) upstream_health_instances_.fetch_sub(1, std::memory_order_relaxed);
}

void PrometheusMetrics::MergeInto(Merged& out) const {
  static constexpr std::string_view kRequestLabels[] = {"service", "route", "code",
                                                        "source", "workspace", "consumer"};
  static constexpr std::string_view kBandwidthLabels[] = {"service", "route", "direction",
                                                          "workspace", "consumer"};
  static constexpr std::string_view kLatencyLabels[] = {"service", "route", "workspace"};
  auto add = [](Histogram& to, const Histogram& from) {
    for (size_t i = 0; i < to.counts.size(); ++i) to.counts[i] += from.counts[i];
    to.count += from.count;
    to.sum += from.sum;
  };
  for (size_t i = 0; i < kShards; ++i) {
    Shard& shard = shards_[i];
    std::lock_guard lock(shard.mu);
    for (const auto& [key, value] : shard.requests)
      out.requests[OpenLabels(kRequestLabels, key) + "}"] += value;
    for (const auto& [key, value] : shard.bandwidth)
      out.bandwidth[OpenLabels(kBandwidthLabels, key) + "}"] += value;
    for (const auto& [key, series] : shard.latency) {
      LatencySeries& to = out.latency[OpenLabels(kLatencyLabels, key)];
      add(to.kong, series.kong);
      add(to.upstream, series.upstream);
      add(to.request, series.request);
      to.has_kong |= series.has_kong;
      to.has_upstream |= series.has_upstream;
      to.has_request |= series.has_request;
    }
  }
}

namespace {

// One histogram, Kong's layout: every series' buckets (cumulative, le as Lua prints the
// bound), then every _count, then every _sum.
template <size_t N, typename Pick>
void EmitHistogram(std::string& out, std::string_view name, std::string_view help,
                   const std::array<int, N>& buckets, const auto& latency, Pick pick) {
  bool any = false;
  for (const auto& [labels, series] : latency) any |= pick(series) != nullptr;
  if (!any) return;
  Header(out, name, help, "histogram");
  const std::string bucket = std::string(name) + "_bucket";
  for (const auto& [labels, series] : latency) {
    const auto* h = pick(series);
    if (h == nullptr) continue;
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= N; ++i) {
      cumulative += h->counts[i];
      std::string le = i < N ? std::to_string(buckets[i]) : std::string("+Inf");
      Line(out, bucket, labels + ",le=\"" + le + "\"}", cumulative);
    }
  }
  for (const auto& [labels, series] : latency)
    if (const auto* h = pick(series)) Line(out, std::string(name) + "_count", labels + "}", h->count);
  for (const auto& [labels, series] : latency) {
    const auto* h = pick(series);
    if (h == nullptr) continue;
    out.append(name).append("_sum").append(labels).append("} ").append(std::to_string(h->sum));
    out += '\n';
  }
}

std::string LowerState(std::string_view health) {
  std::string s(health);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string PrometheusMetrics::Render(const NodeMetricsInfo& node) const {
  const bool enabled = instances_.load(std::memory_order_relaxed) > 0;
  Merged merged;
  if (enabled) MergeInto(merged);
  std::string out;
  out.reserve(4096);
  // Metrics in the order Kong's sorted keys give.
  EmitSimple(out, "kong_bandwidth_bytes", "Total bandwidth (ingress/egress) throughput in bytes",
             "counter", merged.bandwidth);
  if (node.cluster_cert_expiry) {
    Header(out, "kong_data_plane_cluster_cert_expiry_timestamp",
           "Unix timestamp of Data Plane's cluster_cert expiry time", "gauge");
    Line(out, "kong_data_plane_cluster_cert_expiry_timestamp", "",
         static_cast<uint64_t>(*node.cluster_cert_expiry));
  }
  Header(out, "kong_datastore_reachable", "Datastore reachable from Kong, 0 is unreachable",
         "gauge");
  Line(out, "kong_datastore_reachable", "", node.datastore_reachable ? 1 : 0);
  EmitSimple(out, "kong_http_requests_total",
             "HTTP status codes per consumer/service/route in Kong", "counter", merged.requests);
  EmitHistogram(out, "kong_kong_latency_ms",
                "Latency added by Kong and enabled plugins for each service/route in Kong",
                kKongLatencyBuckets, merged.latency,
                [](const LatencySeries& s) { return s.has_kong ? &s.kong : nullptr; });
  const std::string node_labels = [&] {
    std::string l = "{node_id=\"";
    AppendEscaped(l, node.node_id);
    return l + "\",subsystem=\"http\"";
  }();
  if (node.connections) {
    const NodeMetricsInfo::Connections& c = *node.connections;
    std::map<std::string, uint64_t> states;
    for (auto [state, value] : {std::pair{"accepted", c.accepted}, {"active", c.active},
                                {"handled", c.handled}, {"reading", c.reading},
                                {"total", c.total_requests}, {"waiting", c.waiting},
                                {"writing", c.writing}})
      states[node_labels + ",state=\"" + state + "\"}"] = value;
    EmitSimple(out, "kong_nginx_connections_total", "Number of connections by subsystem",
               "gauge", states);
  }
  Header(out, "kong_nginx_metric_errors_total", "Number of nginx-lua-prometheus errors",
         "counter");
  Line(out, "kong_nginx_metric_errors_total", "", 0);
  if (node.connections) {
    Header(out, "kong_nginx_requests_total", "Number of requests total", "gauge");
    Line(out, "kong_nginx_requests_total", node_labels + "}", node.connections->total_requests);
  }
  {
    std::string labels = "{node_id=\"";
    AppendEscaped(labels, node.node_id);
    labels += "\",version=\"";
    AppendEscaped(labels, node.version);
    labels += "\"}";
    Header(out, "kong_node_info", "Kong Node metadata information", "gauge");
    Line(out, "kong_node_info", labels, 1);
  }
  EmitHistogram(out, "kong_request_latency_ms",
                "Total latency incurred during requests for each service/route in Kong",
                kUpstreamLatencyBuckets, merged.latency,
                [](const LatencySeries& s) { return s.has_request ? &s.request : nullptr; });
  EmitHistogram(out, "kong_upstream_latency_ms",
                "Latency added by upstream response for each service/route in Kong",
                kUpstreamLatencyBuckets, merged.latency,
                [](const LatencySeries& s) { return s.has_upstream ? &s.upstream : nullptr; });
  if (upstream_health_instances_.load(std::memory_order_relaxed) > 0 &&
      node.upstream_health.is_object()) {
    std::map<std::string, uint64_t> health;
    for (const auto& [upstream, view] : node.upstream_health.as_object()) {
      const json::Value* data = view.Find("data");
      if (data == nullptr || !data->is_array()) continue;
      for (const json::Value& entry : data->as_array()) {
        const json::Value* target = entry.Find("target");
        const json::Value* state = entry.Find("health");
        if (target == nullptr || !target->is_string()) continue;
        const std::string current =
            state && state->is_string() ? LowerState(state->as_string()) : "dns_error";
        // Our health view is per target; its address is the target itself.
        std::string base = "{upstream=\"";
        AppendEscaped(base, upstream);
        base += "\",target=\"";
        AppendEscaped(base, target->as_string());
        base += "\",address=\"";
        if (current != "dns_error") AppendEscaped(base, target->as_string());
        base += "\",state=\"";
        for (const char* s : {"healthchecks_off", "healthy", "unhealthy", "dns_error"})
          health[base + s + "\",subsystem=\"http\"}"] = current == s ? 1 : 0;
      }
    }
    EmitSimple(out, "kong_upstream_target_health",
               "Health status of targets of upstream. States = "
               "healthchecks_off|healthy|unhealthy|dns_error, value is 1 when state is "
               "populated.",
               "gauge", health);
  }
  return out;
}

}  // namespace kong::plugins
