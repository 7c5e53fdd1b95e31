// Node settings shared by ControlPlane::Impl and DataPlane::Impl.
#include "api/node_settings.h"

#include <limits.h>
#include <unistd.h>

#include "api/node_identity.h"
#include "base/macros.h"

namespace kong::api {
namespace {

std::string LocalHostname() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

schema::RouterFlavor RouterFlavorOf(const std::string& word) {
  if (word == "traditional") return schema::RouterFlavor::kTraditional;
  if (word == "expressions") return schema::RouterFlavor::kExpressions;
  return schema::RouterFlavor::kTraditionalCompatible;
}

}  // namespace

NodeSettings NodeSettingsFrom(const Conf& conf, std::optional<LogLevel> log_level,
                              const std::string& hostname) {
  NodeSettings settings;
  if (log_level) {
    settings.min_level = *log_level;
  } else if (!ParseLogLevel(conf.GetString("log_level"), &settings.min_level)) {
    settings.min_level = LogLevel::kNotice;
  }
  settings.hostname = hostname.empty() ? LocalHostname() : hostname;
  settings.catalog_options.router_flavor = RouterFlavorOf(conf.GetString("router_flavor"));
  return settings;
}

Result<std::string> PrepareNodePrefix(const Conf& conf,
                                      const std::function<void(const std::string&)>& warn) {
  const std::string prefix = conf.GetString("prefix");
  KONG_RETURN_IF_ERROR(EnsureFolder(prefix));
  return LoadOrCreateNodeId(prefix, conf.Has("node_id") ? conf.GetString("node_id") : "", warn);
}

}  // namespace kong::api
