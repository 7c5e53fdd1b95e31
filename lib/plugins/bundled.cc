// BundledPluginFactories: the runnable bundled plugins, selected by the `plugins` property.
#include <algorithm>

#include "plugins/factory.h"

namespace kong::plugins {
namespace {

// One line per bundled plugin whose runtime is in this library.
std::vector<PluginDescriptor (*)()> BundledDescriptors() {
  return {
      KeyAuthDescriptor,
      BasicAuthDescriptor,
      AclDescriptor,
      CorsDescriptor,
      IpRestrictionDescriptor,
      CorrelationIdDescriptor,
      RequestTransformerDescriptor,
      ResponseTransformerDescriptor,
      RateLimitingDescriptor,
      RequestSizeLimitingDescriptor,
      PrometheusDescriptor,
  };
}

}  // namespace

Result<PluginFactories> BundledPluginFactories(const std::vector<std::string>& plugins_property) {
  std::vector<PluginDescriptor> all;
  for (auto describe : BundledDescriptors()) all.push_back(describe());
  PluginFactories factories;
  auto add = [&factories](const PluginDescriptor& d) -> Status {
    if (factories.Find(d.name) != nullptr) return Status::Ok();  // "bundled,key-auth"
    return factories.Register(d);
  };
  for (const std::string& entry : plugins_property) {
    if (entry == "off") continue;
    if (entry == "bundled") {
      for (const PluginDescriptor& d : all) {
        Status s = add(d);
        if (!s.ok()) return s;
      }
      continue;
    }
    auto it = std::find_if(all.begin(), all.end(),
                           [&entry](const PluginDescriptor& d) { return d.name == entry; });
    if (it == all.end()) {
      return Status::InvalidArgument("plugin '" + entry +
                                     "' is enabled but not installed (no data plane runtime)");
    }
    Status s = add(*it);
    if (!s.ok()) return s;
  }
  return factories;
}

}  // namespace kong::plugins
