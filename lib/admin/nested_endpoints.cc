// Nested entity endpoints: /P/{P}/child and /P/{P}/child/{child}, scoped to one parent.
#include <string>
#include <utility>

#include "admin/entity_access.h"
#include "admin/entity_endpoints.h"
#include "admin/list_request.h"

namespace kong::admin {
namespace {

using dao::Dao;
using dao::DaoResult;
using schema::EntitySchema;

struct Nesting {
  const EntitySchema* parent;
  const EntitySchema* child;
  std::string field;  // the child's foreign key to the parent
};

// The parent for a URL key, then `then(parent_id)`; 404 {"message":"Not found"} when missing.
StoreReply WithParent(Dao& dao, const Nesting& n, const std::string& key,
                      const std::function<StoreReply(const std::string&)>& then) {
  DaoResult<json::Value> parent = GetByUrlKey(dao, *n.parent, key);
  if (!parent.ok()) {
    // An unknown certificate SNI is a missing parent too.
    if (parent.error().http_status == 404) return MessageResponse(404, "Not found");
    return StoreReply::FromError(parent.error());
  }
  const json::Value* id = parent.value().Find("id");
  return then(id && id->is_string() ? id->as_string() : std::string());
}

void AddCollection(Router& router, const EndpointContext* ctx, const Nesting& n,
                   const std::string& pattern, bool with_post) {
  const std::string pparam = n.parent->name;
  router.Add("GET", pattern, [=](http::Request& r, http::ResponseWriter& w, const PathParams& p) {
    DaoResult<dao::ListOptions> options = ParseListOptions(r);
    if (!options.ok()) return Reply(w, DaoErrorResponse(options.error()));
    const std::string& pkey = p.at(pparam);
    std::string path = "/" + CollectionName(*n.parent) + "/" + http::PercentEncode(pkey) + "/" +
                       NestedCollectionName(*n.child);
    RunOnStore(*ctx, w, [=, options = std::move(options).value()](Dao& dao) {
      return WithParent(dao, n, pkey, [&](const std::string& parent_id) {
        DaoResult<dao::ListPage> page =
            dao.List(n.child->name, options, dao::ParentKey{n.parent->name, n.field, parent_id});
        if (!page.ok()) return StoreReply::FromError(page.error());
        // Nested lists carry neither size nor tags into `next` (Kong's endpoints.lua).
        return StoreReply(JsonResponse(200, ListBody(std::move(page).value(), path, "")));
      });
    });
  });
  if (!with_post) return;
  router.Add("POST", pattern, [=](http::Request& r, http::ResponseWriter& w, const PathParams& p) {
    std::optional<json::Value> body = DecodeBodyOrReply(r, w, n.child);
    if (!body) return;
    RunOnStore(*ctx, w, [=, pkey = p.at(pparam), body = std::move(*body)](Dao& dao) mutable {
      return WithParent(dao, n, pkey, [&](const std::string& parent_id) {
        ForceForeignKey(body, n.field, parent_id);
        DaoResult<json::Value> created = dao.Insert(n.child->name, body);
        if (!created.ok()) return StoreReply::FromError(created.error());
        return StoreReply(JsonResponse(201, created.value()));
      });
    });
  });
}

void AddItem(Router& router, const EndpointContext* ctx, const Nesting& n,
             const std::string& pattern) {
  const std::string pparam = n.parent->name;
  const std::string cparam = n.child->name;
  // The parent's id and the child within it (nullopt when missing or another parent's).
  using Found = std::function<StoreReply(const std::string&, std::optional<json::Value>&)>;
  auto with_child = [n](Dao& dao, const std::string& pkey, const std::string& ckey,
                        const Found& then) {
    return WithParent(dao, n, pkey, [&](const std::string& parent_id) {
      DaoResult<std::optional<json::Value>> child =
          FindChildOf(dao, *n.child, n.field, parent_id, ckey);
      if (!child.ok()) return StoreReply::FromError(child.error());
      return then(parent_id, child.value());
    });
  };
  auto child_id = [](const json::Value& child) {
    const json::Value* id = child.Find("id");
    return id && id->is_string() ? id->as_string() : std::string();
  };

  router.Add("GET", pattern, [=](http::Request&, http::ResponseWriter& w, const PathParams& p) {
    RunOnStore(*ctx, w, [=, pkey = p.at(pparam), ckey = p.at(cparam)](Dao& dao) {
      return with_child(dao, pkey, ckey, [&](const std::string&, std::optional<json::Value>& c) {
        if (!c) return StoreReply(MessageResponse(404, "Not found"));
        return StoreReply(JsonResponse(200, *c));
      });
    });
  });
  router.Add("PATCH", pattern, [=](http::Request& r, http::ResponseWriter& w, const PathParams& p) {
    std::optional<json::Value> body = DecodeBodyOrReply(r, w, n.child);
    if (!body) return;
    RunOnStore(
        *ctx, w,
        [=, pkey = p.at(pparam), ckey = p.at(cparam), body = std::move(*body)](Dao& dao) mutable {
          return with_child(
              dao, pkey, ckey, [&](const std::string& parent_id, std::optional<json::Value>& c) {
                if (!c) return StoreReply(MessageResponse(404, "Not found"));
                ForceForeignKey(body, n.field, parent_id);
                DaoResult<json::Value> updated = dao.Update(n.child->name, child_id(*c), body);
                if (!updated.ok()) return StoreReply::FromError(updated.error());
                return StoreReply(JsonResponse(200, updated.value()));
              });
        });
  });
  router.Add("PUT", pattern, [=](http::Request& r, http::ResponseWriter& w, const PathParams& p) {
    std::optional<json::Value> body = DecodeBodyOrReply(r, w, n.child);
    if (!body) return;
    RunOnStore(
        *ctx, w,
        [=, pkey = p.at(pparam), ckey = p.at(cparam), body = std::move(*body)](Dao& dao) mutable {
          return with_child(
              dao, pkey, ckey, [&](const std::string& parent_id, std::optional<json::Value>& c) {
                std::string key = ckey;
                if (c) {
                  key = child_id(*c);
                } else {
                  // Not this parent's: another parent's child of that key must not be moved here.
                  DaoResult<json::Value> elsewhere = dao.Get(n.child->name, ckey);
                  if (elsewhere.ok()) return StoreReply(MessageResponse(404, "Not found"));
                }
                ForceForeignKey(body, n.field, parent_id);
                DaoResult<json::Value> upserted = dao.Upsert(n.child->name, key, body);
                if (!upserted.ok()) return StoreReply::FromError(upserted.error());
                return StoreReply(JsonResponse(200, upserted.value()));
              });
        });
  });
  router.Add("DELETE", pattern, [=](http::Request&, http::ResponseWriter& w, const PathParams& p) {
    RunOnStore(*ctx, w, [=, pkey = p.at(pparam), ckey = p.at(cparam)](Dao& dao) {
      return with_child(dao, pkey, ckey, [&](const std::string&, std::optional<json::Value>& c) {
        if (!c) {
          // Kong: 204 when nothing is there; 404 when the key names another parent's child.
          DaoResult<json::Value> elsewhere = dao.Get(n.child->name, ckey);
          return elsewhere.ok() ? StoreReply(MessageResponse(404, "Not found"))
                                : StoreReply(NoContentResponse());
        }
        DaoResult<bool> deleted = dao.Delete(n.child->name, child_id(*c));
        if (!deleted.ok()) return StoreReply::FromError(deleted.error());
        return StoreReply(NoContentResponse());
      });
    });
  });
}

}  // namespace

void AddNestedEndpoints(Router& router, const EndpointContext* context) {
  for (const EntitySchema* parent : context->catalog.All()) {
    for (const schema::ForeignKeyRef& ref : context->catalog.ReferencesTo(parent->name)) {
      const EntitySchema* child = context->catalog.Find(ref.child);
      if (!child || child == parent) continue;
      Nesting n{parent, child, ref.field};
      const std::string collection = "/" + CollectionName(*parent) + "/{" + parent->name + "}/" +
                                     NestedCollectionName(*child);
      AddCollection(router, context, n, collection, /*with_post=*/true);
      AddItem(router, context, n, collection + "/{" + child->name + "}");
      // Kong keeps /upstreams/{u}/targets/all from the days when the plain list hid weight-0
      // targets; both list every target now.
      if (child->name == "targets") {
        AddCollection(router, context, n, collection + "/all", /*with_post=*/false);
      }
    }
  }
}

}  // namespace kong::admin
