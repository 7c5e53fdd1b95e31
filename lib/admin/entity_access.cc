// Body decoding and Kong's URL-key lookups shared by the entity endpoints.
#include "admin/entity_access.h"

#include <utility>

#include "admin/body_decoder.h"
#include "admin/responses.h"
#include "schema/uuid.h"

namespace kong::admin {

std::optional<json::Value> DecodeBodyOrReply(http::Request& request, http::ResponseWriter& writer,
                                             const schema::EntitySchema* schema) {
  dao::DaoResult<json::Value> body = DecodeRequestBody(request, schema);
  if (!body.ok()) {
    Reply(writer, DaoErrorResponse(body.error()));
    return std::nullopt;
  }
  return std::move(body).value();
}

void ForceForeignKey(json::Value& body, const std::string& field, const std::string& id) {
  if (!body.is_object()) return;
  json::Value ref = json::Value::EmptyObject();
  ref.Set("id", id);
  body.Set(field, std::move(ref));
}

dao::DaoResult<json::Value> GetByUrlKey(dao::Dao& dao, const schema::EntitySchema& entity,
                                        std::string_view key) {
  if (entity.name == "certificates" && !schema::IsUuid(key)) {
    dao::DaoResult<json::Value> sni = dao.Get("snis", key);
    if (!sni.ok()) {
      if (sni.error().http_status != 404) return sni.error();
      dao::DaoError missing = dao::DaoError::NotFound();
      missing.body.Set("message", "SNI not found");
      return missing;
    }
    return dao.Get(entity.name, ForeignId(sni.value(), "certificate"));
  }
  return dao.Get(entity.name, key);
}

std::string CollectionName(const schema::EntitySchema& entity) {
  return entity.admin_api_name.empty() ? entity.name : entity.admin_api_name;
}

std::string NestedCollectionName(const schema::EntitySchema& entity) {
  return entity.admin_api_nested_name.empty() ? CollectionName(entity)
                                              : entity.admin_api_nested_name;
}

std::string ForeignId(const json::Value& entity, const std::string& field) {
  const json::Value* ref = entity.Find(field);
  const json::Value* id = ref ? ref->Find("id") : nullptr;
  return id && id->is_string() ? id->as_string() : std::string();
}

dao::DaoResult<std::optional<json::Value>> FindChildOf(dao::Dao& dao,
                                                       const schema::EntitySchema& child,
                                                       const std::string& field,
                                                       const std::string& parent_id,
                                                       std::string_view key) {
  const bool target = child.name == "targets";
  if ((target || child.name == "acls") && !schema::IsUuid(key)) {
    // A target's address is unique only within its upstream, an acl's group within its
    // consumer, so neither has an index of its own: scan the parent's children for the
    // normalized address ("host" means "host:8000") or the group.
    const std::string member = target ? "target" : "group";
    json::Value probe = json::Value::EmptyObject();
    probe.Set(member, key);
    if (child.normalize_input) child.normalize_input(probe);
    const json::Value* wanted = probe.Find(member);
    dao::ListOptions options;
    options.size = 1000;
    dao::ParentKey parent{target ? "upstreams" : "consumers", field, parent_id};
    while (true) {
      dao::DaoResult<dao::ListPage> page = dao.List(child.name, options, parent);
      if (!page.ok()) return page.error();
      for (json::Value& candidate : page.value().data.as_array()) {
        const json::Value* address = candidate.Find(member);
        if (address && wanted && *address == *wanted) {
          return std::optional<json::Value>(std::move(candidate));
        }
      }
      if (!page.value().offset) return std::optional<json::Value>();
      options.offset = *page.value().offset;
    }
  }
  dao::DaoResult<json::Value> found = dao.Get(child.name, key);
  if (!found.ok()) {
    if (found.error().http_status == 404) return std::optional<json::Value>();
    return found.error();
  }
  if (ForeignId(found.value(), field) != parent_id) return std::optional<json::Value>();
  return std::optional<json::Value>(std::move(found).value());
}

}  // namespace kong::admin
