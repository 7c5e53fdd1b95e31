// The /schemas endpoints (kong/api/routes/kong.lua): rendered entity and plugin schemas and
// dry-run validation of a request body, with Kong's route templates and messages.
#include <string>
#include <utility>

#include "admin/body_decoder.h"
#include "admin/info_endpoints.h"
#include "admin/responses.h"
#include "schema/plugin_registry.h"
#include "schema/render.h"

namespace kong::admin {
namespace {

using Context = std::shared_ptr<const InfoContext>;

const std::string& Param(const AdminApi::PathParams& params, const char* name) {
  static const std::string kEmpty;
  auto it = params.find(name);
  return it == params.end() ? kEmpty : it->second;
}

// validate_schema(): defaults and shorthands as for an insert, then the schema's own checks;
// nothing is read from or written to the store (no uniqueness or foreign key lookups).
void ValidateBody(const InfoContext& ctx, const schema::EntitySchema& entity,
                  http::Request& request, http::ResponseWriter& writer) {
  // Kong's custom routes load their arguments without a schema: form values stay strings.
  dao::DaoResult<json::Value> body = DecodeRequestBody(request, nullptr);
  if (!body.ok()) return Reply(writer, DaoErrorResponse(body.error()));
  schema::EntityResult result = ctx.catalog.ValidateInsert(entity, body.value());
  if (!result.ok()) return Reply(writer, JsonResponse(400, result.error().ToBody()));
  Reply(writer, MessageResponse(200, "schema validation successful"));
}

}  // namespace

void RegisterSchemaEndpoints(AdminApi& api, const Context& ctx) {
  api.AddEndpoint("GET", "/schemas/{name}", [ctx](http::Request&, http::ResponseWriter& writer,
                                                  const AdminApi::PathParams& params) {
    const std::string& name = Param(params, "name");
    const schema::EntitySchema* entity = ctx->catalog.Find(name);
    if (entity == nullptr) {
      return Reply(writer, MessageResponse(404, "No entity named '" + name + "'"));
    }
    Reply(writer, JsonResponse(200, schema::RenderRecord(*entity)));
  });

  api.AddEndpoint("GET", "/schemas/plugins/{name}", [ctx](http::Request&,
                                                          http::ResponseWriter& writer,
                                                          const AdminApi::PathParams& params) {
    const std::string& name = Param(params, "name");
    const schema::PluginSchemaRegistry* registry = ctx->catalog.plugins();
    if (registry == nullptr || registry->Find(name) == nullptr) {
      return Reply(writer, MessageResponse(404, "No plugin named '" + name + "'"));
    }
    Reply(writer, JsonResponse(200, schema::RenderPluginSchema(*registry, name)));
  });

  api.AddEndpoint("POST", "/schemas/{db_entity_name}/validate",
                  [ctx](http::Request& request, http::ResponseWriter& writer,
                        const AdminApi::PathParams& params) {
                    const std::string& name = Param(params, "db_entity_name");
                    const schema::EntitySchema* entity = ctx->catalog.Find(name);
                    if (entity == nullptr) {
                      return Reply(writer,
                                   MessageResponse(404, "No entity named '" + name + "'"));
                    }
                    ValidateBody(*ctx, *entity, request, writer);
                  });

  api.AddEndpoint("POST", "/schemas/plugins/validate",
                  [ctx](http::Request& request, http::ResponseWriter& writer,
                        const AdminApi::PathParams&) {
                    const schema::EntitySchema* plugins = ctx->catalog.Find("plugins");
                    if (plugins == nullptr) {
                      return Reply(writer, MessageResponse(404, "No entity named 'plugins'"));
                    }
                    ValidateBody(*ctx, *plugins, request, writer);
                  });
}

}  // namespace kong::admin
