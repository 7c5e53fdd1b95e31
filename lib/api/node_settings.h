// Settings every node kind (control plane, data plane) reads the same way from its Conf.
#ifndef KONG_API_NODE_SETTINGS_H_
#define KONG_API_NODE_SETTINGS_H_

#include <functional>
#include <optional>
#include <string>

#include "kong/conf.h"
#include "kong/logger.h"
#include "kong/status.h"
#include "schema/catalog.h"

namespace kong::api {

struct NodeSettings {
  LogLevel min_level = LogLevel::kNotice;  // the caller's level, else log_level
  std::string hostname;                    // the caller's name, else gethostname(2)
  schema::CatalogOptions catalog_options;  // router_flavor
};

NodeSettings NodeSettingsFrom(const Conf& conf, std::optional<LogLevel> log_level,
                              const std::string& hostname);

// Creates the prefix folder when missing and returns the node id (node_id, or the one kept in
// <prefix>/kong.id); `warn` hears about a kong.id that had to be replaced.
Result<std::string> PrepareNodePrefix(const Conf& conf,
                                      const std::function<void(const std::string&)>& warn);

}  // namespace kong::api

#endif  // KONG_API_NODE_SETTINGS_H_
