// The bundled plugin list and the `plugins` property.
#include "schema/plugins/bundled.h"

#include <algorithm>
#include <functional>
#include <utility>

namespace kong::schema {
namespace {

const std::vector<std::pair<const char*, PluginSchema (*)()>>& Builders() {
  static const std::vector<std::pair<const char*, PluginSchema (*)()>> kBuilders = {
      {"acl", AclPlugin},
      {"basic-auth", BasicAuthPlugin},
      {"correlation-id", CorrelationIdPlugin},
      {"cors", CorsPlugin},
      {"ip-restriction", IpRestrictionPlugin},
      {"key-auth", KeyAuthPlugin},
      {"prometheus", PrometheusPlugin},
      {"rate-limiting", RateLimitingPlugin},
      {"request-size-limiting", RequestSizeLimitingPlugin},
      {"request-transformer", RequestTransformerPlugin},
      {"response-transformer", ResponseTransformerPlugin},
  };
  return kBuilders;
}

}  // namespace

std::vector<std::string> BundledPluginNames() {
  std::vector<std::string> out;
  for (const auto& [name, build] : Builders()) out.emplace_back(name);
  return out;
}

Status RegisterBundledPlugins(PluginSchemaRegistry& registry,
                              const std::vector<std::string>& plugins_property) {
  std::vector<std::string> wanted;
  for (const std::string& entry : plugins_property) {
    if (entry == "off") continue;
    if (entry == "bundled") {
      for (const auto& [name, build] : Builders()) wanted.emplace_back(name);
      continue;
    }
    auto it = std::find_if(Builders().begin(), Builders().end(),
                           [&](const auto& b) { return entry == b.first; });
    if (it == Builders().end()) {
      return Status::InvalidArgument("plugin '" + entry +
                                     "' is enabled but not installed (not a bundled plugin)");
    }
    wanted.push_back(entry);
  }
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  for (const std::string& name : wanted) {
    if (registry.Find(name) != nullptr) continue;  // "bundled,key-auth" lists it twice
    auto it = std::find_if(Builders().begin(), Builders().end(),
                           [&](const auto& b) { return name == b.first; });
    PluginSchema schema = it->second();
    schema.version = kBundledPluginVersion;
    Status s = registry.Register(std::move(schema));
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace kong::schema
