// Flat-config builders for plugin tests over the Gateway: a `plugins` row and extra top-level
// arrays added to a gateway::test::Config(...) object.
#ifndef KONG_TESTS_UNIT_PLUGINS_PLUGIN_ROWS_H_
#define KONG_TESTS_UNIT_PLUGINS_PLUGIN_ROWS_H_

#include <string>

namespace kong::plugins::testing {

// `base` (a JSON object) with `extra` ("\"plugins\":[...]", ...) appended to its members.
inline std::string With(std::string base, const std::string& extra) {
  base.pop_back();  // the closing brace
  return base + "," + extra + "}";
}

// One enabled `plugins` row for http/https; `scope` is "" (global) or members such as
// "\"route\":{\"id\":\"r\"}".
inline std::string PluginRow(const std::string& id, const std::string& name,
                             const std::string& scope, const std::string& config) {
  return R"({"id":")" + id + R"(","name":")" + name +
         R"(","enabled":true,"protocols":["http","https"])" +
         (scope.empty() ? "" : "," + scope) + R"(,"config":)" + config + "}";
}

}  // namespace kong::plugins::testing

#endif  // KONG_TESTS_UNIT_PLUGINS_PLUGIN_ROWS_H_
