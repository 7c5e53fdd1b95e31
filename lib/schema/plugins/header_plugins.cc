// cors, correlation-id and prometheus: config schemas and priorities.
#include <string>

#include "schema/plugins/bundled.h"
#include "schema/plugins/plugin_fields.h"
#include "schema/route_regex.h"
#include "schema/typedefs.h"

namespace kong::schema {
namespace {

using plugin_fields::ArrayOfStrings;
using plugin_fields::DefaultBoolean;
using plugin_fields::DefaultString;
using plugin_fields::RequiredBoolean;

// cors/schema.lua validate_asterisk_or_regex (Kong's is_regex: a PCRE compile).
std::optional<std::string> ValidateAsteriskOrRegex(const json::Value& v) {
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.as_string();
  if (s == "*" || !PcreCompileError(s)) return std::nullopt;
  return "'" + s + "' is not a valid regex";
}

}  // namespace

PluginSchema CorsPlugin() {
  PluginSchema p;
  p.name = "cors";
  p.priority = 2000;
  Field origin = StringField();
  origin.custom_validator = ValidateAsteriskOrRegex;
  Field method = StringField();
  method.one_of = StringValues(
      {"GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"});
  Field methods = ArrayOf(method);
  methods.default_value =
      Strings({"GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"});
  p.config = {
      {"origins", ArrayOf(origin)},
      {"headers", ArrayOfStrings()},
      {"exposed_headers", ArrayOfStrings()},
      {"methods", methods},
      {"max_age", NumberField()},
      {"credentials", RequiredBoolean(false)},
      {"private_network", RequiredBoolean(false)},
      {"preflight_continue", RequiredBoolean(false)},
      {"allow_origin_absent", RequiredBoolean(true)},
  };
  return p;
}

PluginSchema CorrelationIdPlugin() {
  PluginSchema p;
  p.name = "correlation-id";
  p.priority = 100001;
  Field generator = DefaultString("uuid#counter", /*required=*/true);
  generator.one_of = StringValues({"uuid", "uuid#counter", "tracker"});
  p.config = {
      {"header_name", DefaultString("Kong-Request-ID")},
      {"generator", generator},
      {"echo_downstream", RequiredBoolean(false)},
  };
  return p;
}

PluginSchema PrometheusPlugin() {
  PluginSchema p;
  p.name = "prometheus";
  p.priority = 13;
  // No protocols override in schema.lua: every protocol, the http ones by default.
  p.protocols = typedefs::AllProtocols();
  p.config = {
      {"per_consumer", DefaultBoolean(false)},
      {"status_code_metrics", DefaultBoolean(false)},
      {"ai_metrics", DefaultBoolean(false)},
      {"latency_metrics", DefaultBoolean(false)},
      {"bandwidth_metrics", DefaultBoolean(false)},
      {"upstream_health_metrics", DefaultBoolean(false)},
      {"wasm_metrics", DefaultBoolean(false)},
  };
  return p;
}

}  // namespace kong::schema
