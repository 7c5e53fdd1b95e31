// PluginFactories: the plugins this data plane can run, by name (Kong's loaded handlers).
// Each factory compiles one `plugins` row into a Plugin, validating what the CP's schema
// cannot (regexes, CIDRs); an error fails the whole snapshot (the DP keeps its config).
#ifndef KONG_PLUGINS_FACTORY_H_
#define KONG_PLUGINS_FACTORY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kong/status.h"
#include "plugins/plugin.h"

namespace kong::plugins {

// What a factory may keep a reference to (outlives every snapshot).
struct PluginEnv {
  SharedState* shared = nullptr;
};

using PluginFactory =
    std::function<Result<std::unique_ptr<Plugin>>(PluginSpec spec, const PluginEnv& env)>;

struct PluginDescriptor {
  std::string name;
  int priority = 0;  // handler PRIORITY (kong-entities.md §6.2)
  PluginFactory create;
};

class PluginFactories {
 public:
  // kConflict for a name registered twice.
  Status Register(PluginDescriptor descriptor);
  const PluginDescriptor* Find(std::string_view name) const;
  std::vector<std::string> Names() const;  // ascending

 private:
  std::map<std::string, PluginDescriptor, std::less<>> entries_;
};

// Every bundled plugin this library runs (key-auth, basic-auth, acl, rate-limiting,
// ip-restriction, cors, request-transformer, response-transformer, correlation-id,
// request-size-limiting, prometheus), restricted to the `plugins` property's list
// ("bundled", names, "off"), like schema::RegisterBundledPlugins.
Result<PluginFactories> BundledPluginFactories(
    const std::vector<std::string>& plugins_property = {"bundled"});

// One registration function per bundled plugin, each in its own file.
PluginDescriptor KeyAuthDescriptor();
PluginDescriptor BasicAuthDescriptor();
PluginDescriptor AclDescriptor();
PluginDescriptor RateLimitingDescriptor();
PluginDescriptor IpRestrictionDescriptor();
PluginDescriptor CorsDescriptor();
PluginDescriptor RequestTransformerDescriptor();
PluginDescriptor ResponseTransformerDescriptor();
PluginDescriptor CorrelationIdDescriptor();
PluginDescriptor RequestSizeLimitingDescriptor();
PluginDescriptor PrometheusDescriptor();

}  // namespace kong::plugins

#endif  // KONG_PLUGINS_FACTORY_H_
