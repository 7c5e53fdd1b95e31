// Builders of the core entity schemas (kong/db/schema/entities/*.lua), one file each.
#ifndef KONG_SCHEMA_ENTITIES_ENTITIES_H_
#define KONG_SCHEMA_ENTITIES_ENTITIES_H_

#include "schema/catalog.h"
#include "schema/field.h"

namespace kong::schema {

class PluginSchemaRegistry;

EntitySchema ServicesSchema();
EntitySchema RoutesSchema(RouterFlavor flavor);
EntitySchema ConsumersSchema();
EntitySchema PluginsSchema(const PluginSchemaRegistry* registry);
EntitySchema UpstreamsSchema();
EntitySchema TargetsSchema();
EntitySchema CertificatesSchema();
EntitySchema SnisSchema();
EntitySchema CaCertificatesSchema();

// Kong's services `url` shorthand (LuaSocket url.parse plus the port/protocol inference).
json::Value ExpandServiceUrl(const std::string& url);

}  // namespace kong::schema

#endif  // KONG_SCHEMA_ENTITIES_ENTITIES_H_
