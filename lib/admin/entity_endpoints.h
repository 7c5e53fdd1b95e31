// Kong's generated entity endpoints (kong/api/endpoints.lua) registered on a Router: collections,
// entities by id or endpoint key, foreign-key fields, and nested collections under a parent.
#ifndef KONG_ADMIN_ENTITY_ENDPOINTS_H_
#define KONG_ADMIN_ENTITY_ENDPOINTS_H_

#include "admin/responses.h"
#include "admin/router.h"

namespace kong::admin {

// For every catalog entity E except targets (whose top-level routes Kong disables):
//   /E                GET (size, offset, tags; consumers also ?custom_id=), POST (201)
//   /E/{E}            GET, PATCH, PUT (upsert by id or endpoint key), DELETE (204)
//   /E/{E}/{fk}       GET, PATCH, PUT the referenced parent; DELETE is 405 (404 if none)
// `context` must outlive the router.
void AddEntityEndpoints(Router& router, const EndpointContext* context);

// For every foreign key child.field -> parent P (Catalog::ReferencesTo):
//   /P/{P}/child          GET (list of the parent's children), POST (FK forced)
//   /P/{P}/child/{child}  GET, PATCH, PUT, DELETE of a child that belongs to that parent
// plus /upstreams/{upstreams}/targets/all. Targets are found by id or address.
void AddNestedEndpoints(Router& router, const EndpointContext* context);

}  // namespace kong::admin

#endif  // KONG_ADMIN_ENTITY_ENDPOINTS_H_
