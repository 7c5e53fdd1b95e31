// Top-level entity endpoints: /E, /E/{E} and the foreign-key field endpoints /E/{E}/{fk}.
#include "admin/entity_endpoints.h"

#include <string>
#include <utility>

#include "admin/entity_access.h"
#include "admin/list_request.h"
#include "schema/uuid.h"

namespace kong::admin {
namespace {

using dao::Dao;
using dao::DaoResult;
using schema::EntitySchema;

// Kong's Admin API path of an entity ("/services", "/key-auths").
std::string CollectionPath(const EntitySchema& entity) { return "/" + CollectionName(entity); }

void ListCollection(const EndpointContext* ctx, const EntitySchema* entity, http::Request& request,
                    http::ResponseWriter& writer) {
  // Kong's consumers endpoint filters by custom_id instead of paging.
  if (entity->name == "consumers") {
    if (std::optional<std::string_view> custom_id = request.Query("custom_id")) {
      RunOnStore(*ctx, writer, [custom_id = std::string(*custom_id)](Dao& dao) -> StoreReply {
        DaoResult<json::Value> found = dao.GetByField("consumers", "custom_id", custom_id);
        json::Value body = json::Value::EmptyObject();
        json::Value data = json::Value::EmptyArray();
        if (found.ok()) {
          data.as_array().push_back(std::move(found).value());
        } else if (found.error().http_status != 404) {
          return StoreReply::FromError(found.error());
        }
        body.Set("data", std::move(data));
        body.Set("next", nullptr);
        return JsonResponse(200, body);
      });
      return;
    }
  }
  DaoResult<dao::ListOptions> options = ParseListOptions(request);
  if (!options.ok()) return Reply(writer, DaoErrorResponse(options.error()));
  RunOnStore(*ctx, writer,
             [entity, options = std::move(options).value(),
              carried = CarriedListArguments(request)](Dao& dao) -> StoreReply {
               DaoResult<dao::ListPage> page = dao.List(entity->name, options);
               if (!page.ok()) return StoreReply::FromError(page.error());
               return JsonResponse(
                   200, ListBody(std::move(page).value(), CollectionPath(*entity), carried));
             });
}

void Create(const EndpointContext* ctx, const EntitySchema* entity, http::Request& request,
            http::ResponseWriter& writer) {
  std::optional<json::Value> body = DecodeBodyOrReply(request, writer, entity);
  if (!body) return;
  RunOnStore(*ctx, writer, [entity, body = std::move(*body)](Dao& dao) -> StoreReply {
    DaoResult<json::Value> created = dao.Insert(entity->name, body);
    if (!created.ok()) return StoreReply::FromError(created.error());
    return JsonResponse(201, created.value());
  });
}

// The key the Dao should use for an existing entity: certificates' SNI names become the
// certificate id, other keys pass through.
DaoResult<std::string> DaoKey(Dao& dao, const EntitySchema& entity, const std::string& key) {
  if (entity.name != "certificates" || schema::IsUuid(key)) return key;
  DaoResult<json::Value> found = GetByUrlKey(dao, entity, key);
  if (!found.ok()) return found.error();
  const json::Value* id = found.value().Find("id");
  return id && id->is_string() ? id->as_string() : key;
}

void AddEntityRoutes(Router& router, const EndpointContext* ctx, const EntitySchema* entity) {
  const std::string collection = CollectionPath(*entity);
  const std::string item = collection + "/{" + entity->name + "}";
  const std::string param = entity->name;

  router.Add("GET", collection,
             [ctx, entity](http::Request& r, http::ResponseWriter& w, const PathParams&) {
               ListCollection(ctx, entity, r, w);
             });
  router.Add("POST", collection,
             [ctx, entity](http::Request& r, http::ResponseWriter& w, const PathParams&) {
               Create(ctx, entity, r, w);
             });

  router.Add("GET", item,
             [ctx, entity, param](http::Request&, http::ResponseWriter& w, const PathParams& p) {
               RunOnStore(*ctx, w, [entity, key = p.at(param)](Dao& dao) -> StoreReply {
                 DaoResult<json::Value> found = GetByUrlKey(dao, *entity, key);
                 if (!found.ok()) return StoreReply::FromError(found.error());
                 return JsonResponse(200, found.value());
               });
             });
  router.Add("PATCH", item,
             [ctx, entity, param](http::Request& r, http::ResponseWriter& w, const PathParams& p) {
               std::optional<json::Value> body = DecodeBodyOrReply(r, w, entity);
               if (!body) return;
               RunOnStore(*ctx, w, [entity, key = p.at(param), body = std::move(*body)](Dao& dao) {
                 DaoResult<std::string> dao_key = DaoKey(dao, *entity, key);
                 if (!dao_key.ok()) return StoreReply::FromError(dao_key.error());
                 DaoResult<json::Value> updated = dao.Update(entity->name, dao_key.value(), body);
                 if (!updated.ok()) return StoreReply::FromError(updated.error());
                 return StoreReply(JsonResponse(200, updated.value()));
               });
             });
  router.Add("PUT", item,
             [ctx, entity, param](http::Request& r, http::ResponseWriter& w, const PathParams& p) {
               std::optional<json::Value> body = DecodeBodyOrReply(r, w, entity);
               if (!body) return;
               RunOnStore(*ctx, w, [entity, key = p.at(param), body = std::move(*body)](Dao& dao) {
                 std::string dao_key = key;
                 if (entity->name == "certificates" && !schema::IsUuid(key)) {
                   // An SNI name that exists names its certificate; creating one by SNI is not
                   // supported.
                   DaoResult<std::string> existing = DaoKey(dao, *entity, key);
                   if (!existing.ok()) return StoreReply::FromError(existing.error());
                   dao_key = existing.value();
                 }
                 DaoResult<json::Value> upserted = dao.Upsert(entity->name, dao_key, body);
                 if (!upserted.ok()) return StoreReply::FromError(upserted.error());
                 return StoreReply(JsonResponse(200, upserted.value()));
               });
             });
  router.Add("DELETE", item,
             [ctx, entity, param](http::Request&, http::ResponseWriter& w, const PathParams& p) {
               RunOnStore(*ctx, w, [entity, key = p.at(param)](Dao& dao) {
                 std::string dao_key = key;
                 if (entity->name == "certificates" && !schema::IsUuid(key)) {
                   DaoResult<std::string> existing = DaoKey(dao, *entity, key);
                   // Kong answers 204 for a missing entity; an unknown SNI is a missing
                   // certificate.
                   if (!existing.ok()) {
                     return existing.error().http_status == 404
                                ? StoreReply(NoContentResponse())
                                : StoreReply::FromError(existing.error());
                   }
                   dao_key = existing.value();
                 }
                 DaoResult<bool> deleted = dao.Delete(entity->name, dao_key);
                 if (!deleted.ok()) return StoreReply::FromError(deleted.error());
                 return StoreReply(NoContentResponse());
               });
             });
}

// /E/{E}/{field}: the parent an entity references through `field`.
void AddForeignFieldRoutes(Router& router, const EndpointContext* ctx, const EntitySchema* entity,
                           const std::string& field, const EntitySchema* parent) {
  const std::string pattern = CollectionPath(*entity) + "/{" + entity->name + "}/" + field;
  const std::string param = entity->name;
  // Looks the referencing entity up and hands the parent's id (or a 404) to `then`.
  auto with_parent_id = [entity, field](Dao& dao, const std::string& key,
                                        const std::function<StoreReply(const std::string&)>& then) {
    DaoResult<json::Value> child = GetByUrlKey(dao, *entity, key);
    if (!child.ok()) return StoreReply::FromError(child.error());
    std::string parent_id = ForeignId(child.value(), field);
    if (parent_id.empty()) return StoreReply(MessageResponse(404, "Not found"));
    return then(parent_id);
  };

  router.Add("GET", pattern, [=](http::Request&, http::ResponseWriter& w, const PathParams& p) {
    RunOnStore(*ctx, w, [=, key = p.at(param)](Dao& dao) {
      return with_parent_id(dao, key, [&](const std::string& id) {
        DaoResult<json::Value> found = dao.Get(parent->name, id);
        if (!found.ok()) return StoreReply::FromError(found.error());
        return StoreReply(JsonResponse(200, found.value()));
      });
    });
  });
  for (const char* method : {"PATCH", "PUT"}) {
    const bool patch = std::string_view(method) == "PATCH";
    router.Add(
        method, pattern, [=](http::Request& r, http::ResponseWriter& w, const PathParams& p) {
          std::optional<json::Value> body = DecodeBodyOrReply(r, w, parent);
          if (!body) return;
          RunOnStore(*ctx, w, [=, key = p.at(param), body = std::move(*body)](Dao& dao) {
            return with_parent_id(dao, key, [&](const std::string& id) {
              DaoResult<json::Value> written =
                  patch ? dao.Update(parent->name, id, body) : dao.Upsert(parent->name, id, body);
              if (!written.ok()) return StoreReply::FromError(written.error());
              return StoreReply(JsonResponse(200, written.value()));
            });
          });
        });
  }
  // Kong refuses to delete a parent through its child: 405 when there is one, else 404.
  router.Add("DELETE", pattern, [=](http::Request&, http::ResponseWriter& w, const PathParams& p) {
    RunOnStore(*ctx, w, [=, key = p.at(param)](Dao& dao) {
      return with_parent_id(dao, key, [&](const std::string&) {
        return StoreReply(MessageResponse(405, "Method not allowed"));
      });
    });
  });
}

}  // namespace

void AddEntityEndpoints(Router& router, const EndpointContext* context) {
  for (const EntitySchema* entity : context->catalog.All()) {
    if (entity->name == "targets") continue;  // Kong disables /targets
    AddEntityRoutes(router, context, entity);
    for (const schema::NamedField& f : entity->fields) {
      if (f.field.type != schema::FieldType::kForeign) continue;
      if (entity->name == "snis" && f.name == "certificate") continue;  // disabled in Kong
      const EntitySchema* parent = context->catalog.Find(f.field.reference);
      if (parent) AddForeignFieldRoutes(router, context, entity, f.name, parent);
    }
  }
}

}  // namespace kong::admin
