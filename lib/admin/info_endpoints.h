// Kong's node-information Admin API endpoints (kong/api/routes/kong.lua, health.lua,
// config.lua): GET /, /status, /endpoints, /plugins/enabled, the /schemas family and /config,
// registered on an AdminApi with AddEndpoint.
#ifndef KONG_ADMIN_INFO_ENDPOINTS_H_
#define KONG_ADMIN_INFO_ENDPOINTS_H_

#include <memory>

#include "admin/admin_api.h"
#include "kong/logger.h"
#include "schema/catalog.h"
#include "store/async_store.h"

namespace kong::admin {

// What the endpoints report and read. `store` and `catalog` must outlive the AdminApi; the
// plugin registry is catalog.plugins() (null: no plugins available on this node).
struct InfoContext {
  store::AsyncStore& store;
  const schema::Catalog& catalog;
  NodeInfo node;
  LogSink log;  // store failures behind a 500 (may be empty)
};

// Registers every endpoint below on `api` (loop thread, like AddEndpoint):
//  GET  /                           tagline, version, edition, hostname, node_id, plugins
//                                   {available_on_server, enabled_in_cluster}, configuration,
//                                   pids. Kong's lua_version and timers have no counterpart
//                                   here and are left out.
//  GET  /status                     {"database":{"reachable":bool}} from a store round trip.
//  GET  /endpoints                  {"data":[templates]} in Kong's segment-wise order.
//  GET  /plugins/enabled            {"enabled_plugins":[names]}.
//  GET  /schemas/{name}             an entity schema, 404 "No entity named 'x'".
//  GET  /schemas/plugins/{name}     a plugin schema, 404 "No plugin named 'x'".
//  POST /schemas/{name}/validate    200 {"message":"schema validation successful"} or 400
//  POST /schemas/plugins/validate   with the schema-violation body (no store access).
//  GET  /config                     {"config":"<kong.yml YAML of the whole configuration>"}.
//  POST /config                     Kong's 400 for a database-backed node.
void RegisterInfoEndpoints(AdminApi& api, InfoContext context);

// The parts of RegisterInfoEndpoints, one per source file.
void RegisterNodeEndpoints(AdminApi& api, const std::shared_ptr<const InfoContext>& context);
void RegisterSchemaEndpoints(AdminApi& api, const std::shared_ptr<const InfoContext>& context);
void RegisterConfigEndpoints(AdminApi& api, const std::shared_ptr<const InfoContext>& context);

}  // namespace kong::admin

#endif  // KONG_ADMIN_INFO_ENDPOINTS_H_
