// The plugins bundled with Kong 3.10 whose schemas this library carries, and the `plugins`
// kong.conf property that selects them (kong/constants.lua BUNDLED_PLUGINS).
#ifndef KONG_SCHEMA_PLUGINS_BUNDLED_H_
#define KONG_SCHEMA_PLUGINS_BUNDLED_H_

#include <string>
#include <vector>

#include "kong/status.h"
#include "schema/plugin_registry.h"

namespace kong::schema {

// Kong's kong_meta.version: the VERSION every bundled plugin reports.
inline constexpr char kBundledPluginVersion[] = "3.10.0";

// One builder per bundled plugin (kong/plugins/<name>/schema.lua, handler.lua, daos.lua).
PluginSchema KeyAuthPlugin();
PluginSchema BasicAuthPlugin();
PluginSchema AclPlugin();
PluginSchema RateLimitingPlugin();
PluginSchema IpRestrictionPlugin();
PluginSchema CorsPlugin();
PluginSchema RequestTransformerPlugin();
PluginSchema ResponseTransformerPlugin();
PluginSchema CorrelationIdPlugin();
PluginSchema RequestSizeLimitingPlugin();
PluginSchema PrometheusPlugin();

// The bundled names, sorted.
std::vector<std::string> BundledPluginNames();

// Registers the plugins the `plugins` property lists: "bundled" stands for every bundled
// plugin, "off" for none (Kong: alone only). kInvalidArgument names an entry that is not a
// bundled plugin (Kong fails to start: the plugin's handler cannot be loaded). Plugins already
// registered are left as they are.
Status RegisterBundledPlugins(PluginSchemaRegistry& registry,
                              const std::vector<std::string>& plugins_property = {"bundled"});

}  // namespace kong::schema

#endif  // KONG_SCHEMA_PLUGINS_BUNDLED_H_
