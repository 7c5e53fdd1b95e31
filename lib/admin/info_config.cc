// /config (kong/api/routes/config.lua): GET exports the whole configuration as kong.yml text;
// POST is refused as Kong refuses it on a database-backed node.
#include <utility>

#include "admin/info_endpoints.h"
#include "admin/responses.h"
#include "dao/dao.h"
#include "declarative/yaml.h"

namespace kong::admin {

void RegisterConfigEndpoints(AdminApi& api, const std::shared_ptr<const InfoContext>& ctx) {
  // Kong serves GET /config only in DB-less mode, from its in-memory config; a control plane
  // has the same information in its database, so it answers with the same shape.
  api.AddEndpoint("GET", "/config", [ctx](http::Request&, http::ResponseWriter& writer,
                                          const AdminApi::PathParams&) {
    RunOnStore(EndpointContext{ctx->store, ctx->catalog, ctx->log}, writer,
               [](dao::Dao& dao) -> StoreReply {
                 dao::DaoResult<json::Value> config = dao.Export();
                 if (!config.ok()) return StoreReply::FromError(config.error());
                 json::Value body = json::Value::EmptyObject();
                 body.Set("config", declarative::EmitYaml(config.value()));
                 return JsonResponse(200, body);
               });
  });

  api.AddEndpoint("POST", "/config", [](http::Request&, http::ResponseWriter& writer,
                                        const AdminApi::PathParams&) {
    Reply(writer, MessageResponse(400, "this endpoint is only available when Kong is "
                                       "configured to not use a database"));
  });
}

}  // namespace kong::admin
