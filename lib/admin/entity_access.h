// Helpers shared by the entity endpoint files: request-body decoding on the loop thread, and
// Kong's key lookups that run on the store thread (certificates by SNI name, targets by
// address within their upstream, children scoped to a parent).
#ifndef KONG_ADMIN_ENTITY_ACCESS_H_
#define KONG_ADMIN_ENTITY_ACCESS_H_

#include <optional>
#include <string>
#include <string_view>

#include "dao/dao.h"
#include "http/server.h"
#include "json/value.h"
#include "schema/field.h"

namespace kong::admin {

// Decodes the request body for `schema`; on failure answers the request with Kong's error and
// returns nullopt. Loop thread.
std::optional<json::Value> DecodeBodyOrReply(http::Request& request, http::ResponseWriter& writer,
                                             const schema::EntitySchema* schema);

// Sets `field` to {"id": id} when `body` is an object (a non-object is left for the Dao to
// reject with its schema violation).
void ForceForeignKey(json::Value& body, const std::string& field, const std::string& id);

// The id of `entity`'s row for a URL key. Certificates also accept an SNI name (Kong's
// certificates.lua); an unknown one is 404 {"message":"SNI not found"}. Other keys go to
// Dao::Get: 404 {"message":"Not found"} when missing. Store thread.
dao::DaoResult<json::Value> GetByUrlKey(dao::Dao& dao, const schema::EntitySchema& entity,
                                        std::string_view key);

// Kong's Admin API collection name: admin_api_name when set ("key-auths" for
// keyauth_credentials), else the table name; the nested one under a parent
// (admin_api_nested_name: "/consumers/{c}/key-auth").
std::string CollectionName(const schema::EntitySchema& entity);
std::string NestedCollectionName(const schema::EntitySchema& entity);

// The `id` member of an entity's foreign key `field`, or "" when unset.
std::string ForeignId(const json::Value& entity, const std::string& field);

// The child of `parent_id` (through `field`) whose id or endpoint key is `key`: targets are
// found by their normalized address within the upstream. nullopt when no such child exists
// or it belongs to another parent. acls are also found by group within their consumer (the
// acl plugin's api.lua). Store thread.
dao::DaoResult<std::optional<json::Value>> FindChildOf(dao::Dao& dao,
                                                       const schema::EntitySchema& child,
                                                       const std::string& field,
                                                       const std::string& parent_id,
                                                       std::string_view key);

}  // namespace kong::admin

#endif  // KONG_ADMIN_ENTITY_ACCESS_H_
