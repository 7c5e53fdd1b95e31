// Kong's DP/CP compatibility rules (compat/init.lua, compat/version.lua) and sync_status values.
#ifndef KONG_CLUSTER_COMPATIBILITY_H_
#define KONG_CLUSTER_COMPATIBILITY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "json/value.h"

namespace kong::cluster {

// constants.CLUSTERING_SYNC_STATUS; the names are the clustering_data_planes column values.
enum class SyncStatus {
  kUnknown,
  kNormal,
  kKongVersionIncompatible,
  kPluginSetIncompatible,
  kPluginVersionIncompatible,
  kFilterSetIncompatible,
};

// "unknown", "normal", "kong_version_incompatible", ...
std::string_view SyncStatusName(SyncStatus status);
// The inverse; nullopt for names Kong does not define.
std::optional<SyncStatus> SyncStatusFromName(std::string_view name);

struct MajorMinor {
  int64_t major = 0;
  int64_t minor = 0;
};

// version.lua extract_major_minor: matches ^(\d+)\.(\d+)\.\d+ (so "3.6" does not parse, while
// "3.6.1-rc1" and "3.3.0.0" do).
std::optional<MajorMinor> ExtractMajorMinor(std::string_view version);

// version.lua string_to_number: up to four dot-separated components weighted 1e9, 1e6, 1e3, 1;
// each contributes its leading digits (0 if none). "3.6.1" -> 3006001000.
int64_t VersionNumber(std::string_view version);

// The outcome of a check: status kNormal with an empty message, or the failing status and
// Kong's message for it.
struct Compatibility {
  SyncStatus status = SyncStatus::kNormal;
  std::string message;
  bool ok() const { return status == SyncStatus::kNormal; }
};

// check_kong_version_compatibility: same major, and the DP minor not newer than the CP's.
Compatibility CheckKongVersion(std::string_view cp_version, std::string_view dp_version);

// One loaded plugin as basic_info lists it; an empty version means "not specified".
struct PluginVersion {
  std::string name;
  std::string version;
};

// plugins_list_to_map's entry: the version is kept only when it parses as major.minor.patch.
struct PluginVersionInfo {
  std::optional<MajorMinor> major_minor;
  std::string version;  // empty unless major_minor is set
};
using PluginMap = std::map<std::string, PluginVersionInfo>;

PluginMap PluginsListToMap(const std::vector<PluginVersion>& plugins);

// The names of the plugins configured in a declarative config_table (config_table.plugins[].name).
std::set<std::string> ConfiguredPluginNames(const json::Value& config_table);

// check_configuration_compatibility: walks `cp_plugins` in order and, for each one that is
// configured, requires it on the DP (plugin_set_incompatible) with the same major and a minor
// not newer than the CP's when both sides have a version (plugin_version_incompatible).
Compatibility CheckConfigurationCompatibility(const std::vector<PluginVersion>& cp_plugins,
                                              const std::set<std::string>& configured,
                                              const PluginMap& dp_plugins);

}  // namespace kong::cluster

#endif  // KONG_CLUSTER_COMPATIBILITY_H_
