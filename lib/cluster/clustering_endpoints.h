// The CP's Admin API endpoints over the data-plane registry: GET /clustering/status and
// GET /clustering/data-planes.
#ifndef KONG_CLUSTER_CLUSTERING_ENDPOINTS_H_
#define KONG_CLUSTER_CLUSTERING_ENDPOINTS_H_

#include <cstdint>
#include <vector>

#include "admin/admin_api.h"
#include "kong/status.h"
#include "store/async_store.h"
#include "store/row.h"

namespace kong::cluster {

// /clustering/status: Kong's map {"<id>": {"config_hash", "hostname", "ip", "last_seen"}}
// with the `Deprecation: true` header. /clustering/data-planes: Kong's paginated list
// ({"data": [...], "next": ...}, `size` and `offset` as for entities) with id, hostname, ip,
// last_seen, config_hash, version, sync_status, labels, cert_details, ttl, updated_at.
// Rows come from the store, so every CP sharing a database reports every DP.
void RegisterClusteringEndpoints(admin::AdminApi& api, store::AsyncStore& store);

// Every unexpired data plane row, in id order (all pages). Store thread.
Result<std::vector<store::DataPlaneRecord>> ListAllDataPlanes(store::Store& store, int64_t now);

// A traditional node's answer on both paths, as Kong's: 400 {"message":"this endpoint is only
// available when Kong is configured to run as Control Plane for the cluster"}.
void RegisterClusteringEndpointsOffControlPlane(admin::AdminApi& api);

}  // namespace kong::cluster

#endif  // KONG_CLUSTER_CLUSTERING_ENDPOINTS_H_
