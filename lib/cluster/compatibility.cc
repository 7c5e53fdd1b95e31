// Version parsing and the compatibility checks that decide a data plane's sync_status.
#include "cluster/compatibility.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

namespace kong::cluster {
namespace {

constexpr std::array<std::pair<SyncStatus, std::string_view>, 6> kSyncStatusNames = {{
    {SyncStatus::kUnknown, "unknown"},
    {SyncStatus::kNormal, "normal"},
    {SyncStatus::kKongVersionIncompatible, "kong_version_incompatible"},
    {SyncStatus::kPluginSetIncompatible, "plugin_set_incompatible"},
    {SyncStatus::kPluginVersionIncompatible, "plugin_version_incompatible"},
    {SyncStatus::kFilterSetIncompatible, "filter_set_incompatible"},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Consumes a run of digits at `pos` into `out` (saturating: Lua would lose precision instead,
// and either way such a version cannot match a real one). False when there is no digit.
bool ReadNumber(std::string_view s, size_t& pos, int64_t& out) {
  size_t start = pos;
  out = 0;
  while (pos < s.size() && IsDigit(s[pos])) {
    int digit = s[pos] - '0';
    if (out > (std::numeric_limits<int64_t>::max() - digit) / 10) {
      out = std::numeric_limits<int64_t>::max();
    } else {
      out = out * 10 + digit;
    }
    ++pos;
  }
  return pos > start;
}

std::string Itoa(int64_t v) { return std::to_string(v); }

}  // namespace

std::string_view SyncStatusName(SyncStatus status) {
  for (const auto& [value, name] : kSyncStatusNames) {
    if (value == status) return name;
  }
  return "unknown";
}

std::optional<SyncStatus> SyncStatusFromName(std::string_view name) {
  for (const auto& [value, known] : kSyncStatusNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

std::optional<MajorMinor> ExtractMajorMinor(std::string_view version) {
  MajorMinor mm;
  int64_t patch = 0;
  size_t pos = 0;
  if (!ReadNumber(version, pos, mm.major)) return std::nullopt;
  if (pos >= version.size() || version[pos++] != '.') return std::nullopt;
  if (!ReadNumber(version, pos, mm.minor)) return std::nullopt;
  if (pos >= version.size() || version[pos++] != '.') return std::nullopt;
  if (!ReadNumber(version, pos, patch)) return std::nullopt;
  return mm;  // anything after the patch digits is ignored, as the unanchored Lua tail is
}

int64_t VersionNumber(std::string_view version) {
  int64_t base = 1000000000;
  int64_t total = 0;
  // utils.split(s, ".", 4): at most four pieces; the last keeps any further dots.
  for (int piece = 0; piece < 4; ++piece) {
    size_t dot = piece < 3 ? version.find('.') : std::string_view::npos;
    std::string_view part = version.substr(0, dot);
    size_t pos = 0;
    int64_t n = 0;
    // The cap only keeps absurd components from overflowing (Lua's doubles would not).
    if (ReadNumber(part, pos, n)) total += base * std::min<int64_t>(n, 1000000000);
    base /= 1000;
    if (dot == std::string_view::npos) break;
    version.remove_prefix(dot + 1);
  }
  return total;
}

Compatibility CheckKongVersion(std::string_view cp_version, std::string_view dp_version) {
  std::optional<MajorMinor> cp = ExtractMajorMinor(cp_version);
  std::optional<MajorMinor> dp = ExtractMajorMinor(dp_version);
  const SyncStatus kBad = SyncStatus::kKongVersionIncompatible;
  std::string dp_s(dp_version);
  std::string cp_s(cp_version);
  if (!cp) {
    return {kBad, "data plane version " + dp_s + " is incompatible with control plane version"};
  }
  if (!dp) {
    return {kBad, "data plane version is incompatible with control plane version " + cp_s + " (" +
                      Itoa(cp->major) + ".x.y are accepted)"};
  }
  if (cp->major != dp->major) {
    return {kBad, "data plane version " + dp_s + " is incompatible with control plane version " +
                      cp_s + " (" + Itoa(cp->major) + ".x.y are accepted)"};
  }
  if (cp->minor < dp->minor) {
    return {kBad,
            "data plane version " + dp_s + " is incompatible with older control plane version " + cp_s};
  }
  return {};
}

PluginMap PluginsListToMap(const std::vector<PluginVersion>& plugins) {
  PluginMap map;
  for (const PluginVersion& p : plugins) {
    PluginVersionInfo info;
    info.major_minor = ExtractMajorMinor(p.version);
    if (info.major_minor) info.version = p.version;
    map[p.name] = std::move(info);  // a repeated name: the last entry wins, as in Lua
  }
  return map;
}

std::set<std::string> ConfiguredPluginNames(const json::Value& config_table) {
  std::set<std::string> names;
  const json::Value* plugins = config_table.Find("plugins");
  if (plugins == nullptr || !plugins->is_array()) return names;
  for (const json::Value& plugin : plugins->as_array()) {
    const json::Value* name = plugin.Find("name");
    if (name != nullptr && name->is_string()) names.insert(name->as_string());
  }
  return names;
}

Compatibility CheckConfigurationCompatibility(const std::vector<PluginVersion>& cp_plugins,
                                              const std::set<std::string>& configured,
                                              const PluginMap& dp_plugins) {
  PluginMap cp_map = PluginsListToMap(cp_plugins);
  for (const PluginVersion& plugin : cp_plugins) {
    const std::string& name = plugin.name;
    if (configured.count(name) == 0) continue;
    const PluginVersionInfo& cp = cp_map[name];
    auto dp_it = dp_plugins.find(name);
    if (dp_it == dp_plugins.end()) {
      std::string version = cp.major_minor ? " " + cp.version : "";
      return {SyncStatus::kPluginSetIncompatible,
              "configured " + name + " plugin" + version + " is missing from data plane"};
    }
    const PluginVersionInfo& dp = dp_it->second;
    if (cp.major_minor && dp.major_minor &&
        (cp.major_minor->major != dp.major_minor->major ||
         cp.major_minor->minor < dp.major_minor->minor)) {
      return {SyncStatus::kPluginVersionIncompatible,
              "configured data plane " + name + " plugin version " + dp.version +
                  " is different to control plane plugin version " + cp.version};
    }
  }
  return {};
}

}  // namespace kong::cluster
