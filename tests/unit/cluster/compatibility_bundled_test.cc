// The CP's plugin_set / plugin_version checks over the bundled plugin list, as the CP and the
// DP both build it from a registry filled by RegisterBundledPlugins.
#include <doctest/doctest.h>

#include "cluster/compatibility.h"
#include "schema/plugins/bundled.h"

namespace kong::cluster {
namespace {

std::vector<PluginVersion> Listed(const schema::PluginSchemaRegistry& registry,
                                  const std::string& except = "") {
  std::vector<PluginVersion> out;
  for (const std::string& name : registry.Names()) {
    if (name != except) out.push_back({name, registry.Find(name)->version});
  }
  return out;
}

}  // namespace

TEST_SUITE("cluster") {
  TEST_CASE("compatibility: bundled plugins on both sides") {
    schema::PluginSchemaRegistry cp;
    REQUIRE(schema::RegisterBundledPlugins(cp).ok());
    const std::vector<PluginVersion> cp_plugins = Listed(cp);
    REQUIRE(cp_plugins.size() == 11);
    const std::set<std::string> configured{"key-auth", "acl", "rate-limiting"};

    Compatibility same = CheckConfigurationCompatibility(cp_plugins, configured,
                                                         PluginsListToMap(Listed(cp)));
    CHECK(same.ok());

    // A DP built with `plugins = bundled` minus acl.
    Compatibility missing = CheckConfigurationCompatibility(
        cp_plugins, configured, PluginsListToMap(Listed(cp, "acl")));
    CHECK(missing.status == SyncStatus::kPluginSetIncompatible);
    CHECK(missing.message == "configured acl plugin 3.10.0 is missing from data plane");
    // A plugin the DP lacks but nothing configures does not matter.
    CHECK(CheckConfigurationCompatibility(cp_plugins, configured,
                                          PluginsListToMap(Listed(cp, "cors")))
              .ok());

    // A DP whose plugin is a newer minor.
    std::vector<PluginVersion> newer = Listed(cp);
    for (PluginVersion& p : newer) {
      if (p.name == "rate-limiting") p.version = "3.11.0";
    }
    Compatibility version =
        CheckConfigurationCompatibility(cp_plugins, configured, PluginsListToMap(newer));
    CHECK(version.status == SyncStatus::kPluginVersionIncompatible);
    CHECK(version.message ==
          "configured data plane rate-limiting plugin version 3.11.0 is different to control "
          "plane plugin version 3.10.0");
  }
}

}  // namespace kong::cluster
