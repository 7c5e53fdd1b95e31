// PrometheusMetricsText: the gateway's PrometheusMetrics rendered with this node's facts.
#include "api/node_metrics.h"

#include <utility>

#include "admin/responses.h"
#include "api/kong_version.h"
#include "plugins/prometheus_metrics.h"
#include "plugins/state.h"

namespace kong::api {

std::string PrometheusMetricsText(const NodeProxy* proxy, const std::string& node_id,
                                  bool datastore_reachable) {
  plugins::NodeMetricsInfo node;
  node.node_id = node_id;
  node.version = kKongCompatibleVersion;
  node.datastore_reachable = datastore_reachable;
  plugins::SharedState* state = proxy ? proxy->plugin_state() : nullptr;
  if (state == nullptr) {
    static plugins::PrometheusMetrics none;  // no proxy: nothing recorded
    return none.Render(node);
  }
  node.upstream_health = proxy->UpstreamHealth();
  return state->Get<plugins::PrometheusMetrics>().Render(node);
}

void RegisterAdminMetricsEndpoint(admin::AdminApi& admin, store::AsyncStore& store,
                                  std::function<const NodeProxy*()> proxy, std::string node_id) {
  admin.AddEndpoint(
      "GET", "/metrics",
      [&store, proxy = std::move(proxy), node_id = std::move(node_id)](
          http::Request&, http::ResponseWriter& writer, const admin::AdminApi::PathParams&) {
        store.Submit([](store::Store& s) { return s.ConfigVersion(); },
                     [writer, proxy, node_id](Result<int64_t> version) mutable {
                       http::Response r;
                       r.headers.Add("Content-Type", plugins::kPrometheusContentType);
                       r.body = PrometheusMetricsText(proxy(), node_id, version.ok());
                       admin::Reply(writer, std::move(r));
                     });
      });
}

}  // namespace kong::api
