// GET /schemas/{entity} and GET /schemas/plugins/{name}: a schema rendered in Kong's JSON shape,
// {"fields":[{"<name>":{"type":...,"required":...,"default":...,...}}, ...],
//  "entity_checks":[{"<checker>": <argument>}, ...]}. Custom validators and custom entity check
// functions are code, so, as in Kong, only their field lists appear.
#ifndef KONG_SCHEMA_RENDER_H_
#define KONG_SCHEMA_RENDER_H_

#include "json/value.h"
#include "schema/field.h"
#include "schema/plugin_registry.h"

namespace kong::schema {

json::Value RenderField(const Field& field);
json::Value RenderEntityCheck(const EntityCheck& check);
// An entity, or a subschema/record: its fields and (when any) its entity checks.
json::Value RenderRecord(const Record& record);
// The plugins subschema for one plugin: protocols, config (and no_* scopes), entity checks.
// REQUIRES: registry.Find(name) != nullptr.
json::Value RenderPluginSchema(const PluginSchemaRegistry& registry, std::string_view name);

}  // namespace kong::schema

#endif  // KONG_SCHEMA_RENDER_H_
