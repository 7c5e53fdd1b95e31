// prometheus (priority 13): Kong's handler.lua log phase. Records, for the requests of the
// routes/services it applies to, what its config enables into the node's PrometheusMetrics
// (SharedState); the status listener's (and a traditional node's Admin API's) /metrics renders
// them. With every *_metrics flag false (Kong's defaults) it records nothing per request.
#include <memory>

#include "plugins/config_fields.h"
#include "plugins/consumers.h"
#include "plugins/factory.h"
#include "plugins/prometheus_metrics.h"
#include "plugins/state.h"

namespace kong::plugins {
namespace {

struct PrometheusConfig {
  bool per_consumer = false;
  bool status_code_metrics = false;
  bool latency_metrics = false;
  bool bandwidth_metrics = false;
  bool upstream_health_metrics = false;
};

// Whether the response came from the upstream (Kong's kong.response.get_source() ==
// "service"), seen in header_filter.
struct SourceState : PluginRequestState {
  bool from_service = false;
};

// The service label: its name, else its host (exporter.lua).
std::string_view ServiceLabel(const router::RouteMatch* match) {
  const json::Value* service = match && match->route ? match->route->service : nullptr;
  if (service == nullptr) return {};
  for (std::string_view field : {"name", "host"}) {
    const json::Value* v = service->Find(field);
    if (v != nullptr && v->is_string()) return v->as_string();
  }
  return {};
}

class Prometheus final : public Plugin {
 public:
  Prometheus(PluginSpec spec, PrometheusConfig config, PrometheusMetrics& metrics)
      : Plugin(std::move(spec)), config_(config), metrics_(metrics) {
    metrics_.AddInstance(config_.upstream_health_metrics);
  }
  ~Prometheus() override { metrics_.RemoveInstance(config_.upstream_health_metrics); }

  uint32_t phases() const override {
    uint32_t bits = 0;
    if (config_.status_code_metrics) bits |= kHeaderFilterPhase;
    if (config_.status_code_metrics || config_.latency_metrics || config_.bandwidth_metrics)
      bits |= kLogPhase;
    return bits;
  }

  void HeaderFilter(PluginContext& ctx, ResponseHead& head) const override {
    auto state = std::make_unique<SourceState>();
    state->from_service = head.from_upstream;
    ctx.state() = std::move(state);
  }

  void Log(PluginContext& ctx, const LogRecord& record) const override {
    // exporter.lua: nothing without a route.
    if (ctx.match == nullptr || ctx.match->route == nullptr) return;
    const router::RouteInfo& route = *ctx.match->route;
    RequestSample sample;
    sample.service = ServiceLabel(ctx.match);
    sample.route = route.name.empty() ? std::string_view(route.id) : route.name;
    if (config_.per_consumer && ctx.consumer() != nullptr && ctx.consumer()->username)
      sample.consumer = *ctx.consumer()->username;
    if (config_.status_code_metrics) {
      sample.status = record.status;
      const auto* source = static_cast<const SourceState*>(ctx.state().get());
      sample.from_service = source != nullptr && source->from_service;
    }
    if (config_.latency_metrics) {
      sample.request_latency_ms = record.request_time_ms;
      sample.upstream_latency_ms = record.upstream_latency_ms;
      // Kong's latencies.kong: the proxy latency, or for a response Kong produced itself the
      // time until that response.
      sample.kong_latency_ms =
          record.proxy_latency_ms >= 0 ? record.proxy_latency_ms
          : record.upstream_latency_ms < 0 ? record.request_time_ms
                                           : 0;
    }
    if (config_.bandwidth_metrics) {
      sample.ingress_bytes = record.request_bytes;
      sample.egress_bytes = record.response_bytes;
    }
    metrics_.Record(sample);
  }

 private:
  PrometheusConfig config_;
  PrometheusMetrics& metrics_;
};

}  // namespace

PluginDescriptor PrometheusDescriptor() {
  PluginDescriptor d;
  d.name = "prometheus";
  d.priority = 13;
  d.create = [](PluginSpec spec, const PluginEnv& env) -> Result<std::unique_ptr<Plugin>> {
    if (env.shared == nullptr) return Status::InvalidArgument("prometheus: no shared state");
    PrometheusConfig conf;
    conf.per_consumer = config::Bool(spec.config, "per_consumer", false);
    conf.status_code_metrics = config::Bool(spec.config, "status_code_metrics", false);
    conf.latency_metrics = config::Bool(spec.config, "latency_metrics", false);
    conf.bandwidth_metrics = config::Bool(spec.config, "bandwidth_metrics", false);
    conf.upstream_health_metrics = config::Bool(spec.config, "upstream_health_metrics", false);
    PrometheusMetrics& metrics = env.shared->Get<PrometheusMetrics>();
    return std::unique_ptr<Plugin>(new Prometheus(std::move(spec), conf, metrics));
  };
  return d;
}

}  // namespace kong::plugins
