// The prometheus plugin's /metrics text for a node (Kong serves it on the Status API, and on a
// traditional node's Admin API too): what the proxy's prometheus plugins recorded, plus the
// node's own facts.
#ifndef KONG_API_NODE_METRICS_H_
#define KONG_API_NODE_METRICS_H_

#include <functional>
#include <string>

#include "admin/admin_api.h"
#include "api/node_proxy.h"
#include "store/async_store.h"

namespace kong::api {

// `proxy` may be null (proxy_listen off, or stopped): node-level metrics only. A DB-less or
// data plane node has no datastore to lose (Kong's off connector always connects): reachable.
// Called on the node's loop per scrape.
std::string PrometheusMetricsText(const NodeProxy* proxy, const std::string& node_id,
                                  bool datastore_reachable = true);

// Kong's prometheus api.lua: GET /metrics on a traditional node's Admin API. `proxy` is read
// per scrape (may return null); kong_datastore_reachable comes from a store round trip, like
// GET /status. `store` must outlive `admin`.
void RegisterAdminMetricsEndpoint(admin::AdminApi& admin, store::AsyncStore& store,
                                  std::function<const NodeProxy*()> proxy, std::string node_id);

}  // namespace kong::api

#endif  // KONG_API_NODE_METRICS_H_
