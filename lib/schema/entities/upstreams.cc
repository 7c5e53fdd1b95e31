// upstreams (upstreams.lua): load-balancer settings, hashing rules and health checks.
#include "schema/entities/entities.h"
#include "schema/host_syntax.h"
#include "schema/typedefs.h"

namespace kong::schema {
namespace {

Field HashOn() {
  Field f = StringField();
  f.default_value = json::Value("none");
  f.one_of = StringValues({"none", "consumer", "ip", "header", "cookie", "path", "query_arg",
                           "uri_capture"});
  return f;
}

Field Between(Field f, double lo, double hi, json::Value def) {
  f.between = {lo, hi};
  if (!def.is_null()) f.default_value = std::move(def);
  return f;
}

Field HttpStatuses(std::vector<int> defaults) {
  Field element = IntegerField();
  element.between = {100, 999};
  Field f = ArrayOf(std::move(element));
  json::Array d;
  for (int s : defaults) d.emplace_back(s);
  f.default_value = json::Value(std::move(d));
  return f;
}

Field CheckType() {
  Field f = StringField();
  f.one_of = StringValues({"tcp", "http", "https", "grpc", "grpcs"});
  f.default_value = json::Value("http");
  return f;
}

// A record whose default is its fields' defaults (Kong's gen_fields sets both).
Field RecordWithDefaults(std::vector<NamedField> fields) {
  json::Value def = json::Value::EmptyObject();
  for (const NamedField& nf : fields) {
    if (nf.field.default_value) def.Set(nf.name, *nf.field.default_value);
  }
  Field f = RecordOf(std::move(fields));
  f.default_value = std::move(def);
  return f;
}

Field Healthchecks() {
  Field seconds = NumberField();
  Field positive = IntegerField();
  Field counter = IntegerField();
  Field http_path = typedefs::Path();
  http_path.default_value = json::Value("/");
  Field verify = BooleanField();
  verify.default_value = json::Value(true);
  Field active = RecordWithDefaults({
      {"type", CheckType()},
      {"timeout", Between(seconds, 0, 65535, json::Value(1))},
      {"concurrency", Between(positive, 1, 2147483648.0, json::Value(10))},
      {"http_path", http_path},
      {"https_sni", typedefs::Sni()},
      {"https_verify_certificate", verify},
      {"headers", typedefs::Headers()},
      {"healthy", RecordWithDefaults({
                      {"interval", Between(seconds, 0, 65535, json::Value(0))},
                      {"http_statuses", HttpStatuses({200, 302})},
                      {"successes", Between(counter, 0, 2147483648.0, json::Value(0))},
                  })},
      {"unhealthy", RecordWithDefaults({
                        {"interval", Between(seconds, 0, 65535, json::Value(0))},
                        {"http_statuses", HttpStatuses({429, 404, 500, 501, 502, 503, 504, 505})},
                        {"tcp_failures", Between(counter, 0, 2147483648.0, json::Value(0))},
                        {"timeouts", Between(counter, 0, 2147483648.0, json::Value(0))},
                        {"http_failures", Between(counter, 0, 2147483648.0, json::Value(0))},
                    })},
  });
  Field passive = RecordWithDefaults({
      {"type", CheckType()},
      {"healthy", RecordWithDefaults({
                      {"http_statuses", HttpStatuses({200, 201, 202, 203, 204, 205, 206, 207, 208,
                                                      226, 300, 301, 302, 303, 304, 305, 306, 307,
                                                      308})},
                      {"successes", Between(counter, 0, 2147483648.0, json::Value(0))},
                  })},
      {"unhealthy", RecordWithDefaults({
                        {"http_statuses", HttpStatuses({429, 500, 503})},
                        {"tcp_failures", Between(counter, 0, 2147483648.0, json::Value(0))},
                        {"timeouts", Between(counter, 0, 2147483648.0, json::Value(0))},
                        {"http_failures", Between(counter, 0, 2147483648.0, json::Value(0))},
                    })},
  });
  return RecordWithDefaults({
      {"active", active},
      {"passive", passive},
      {"threshold", Between(NumberField(), 0, 100, json::Value(0))},
  });
}

std::optional<std::string> ValidateUpstreamName(const json::Value& v) {
  if (!v.is_string()) return std::nullopt;
  const std::string& name = v.as_string();
  std::string err;
  std::optional<NormalizedHost> h = NormalizeIp(name, &err);
  if (!h) return "Invalid name ('" + name + "'); must be a valid hostname";
  if (h->kind != HostKind::kName) return "Invalid name ('" + name + "'); no ip addresses allowed";
  if (h->port) return "Invalid name ('" + name + "'); no port allowed";
  return std::nullopt;
}

EntityCheck IfThenRequired(const char* if_field, const char* value, const char* then_field) {
  Field if_match;
  if_match.match = std::string("^") + value + "$";
  Field then_match;
  then_match.required = true;
  return Conditional(if_field, if_match, then_field, then_match);
}

EntityCheck IfThenOneOf(const char* value, std::initializer_list<const char*> allowed) {
  Field if_match;
  if_match.match = std::string("^") + value + "$";
  Field then_match;
  then_match.one_of = StringValues(allowed);
  return Conditional("hash_on", if_match, "hash_fallback", then_match);
}

}  // namespace

EntitySchema UpstreamsSchema() {
  EntitySchema s;
  s.name = "upstreams";
  s.endpoint_key = "name";
  s.workspaceable = true;
  Field name = StringField();
  name.required = true;
  name.unique = true;
  name.custom_validator = ValidateUpstreamName;
  Field algorithm = StringField();
  algorithm.default_value = json::Value("round-robin");
  algorithm.one_of = StringValues({"consistent-hashing", "least-connections", "round-robin", "latency"});
  Field cookie_path = typedefs::Path();
  cookie_path.default_value = json::Value("/");
  Field slots = IntegerField();
  slots.default_value = json::Value(10000);
  slots.between = {10, 65536};
  Field use_srv_name = BooleanField();
  use_srv_name.default_value = json::Value(false);
  Field simple_param = StringField();
  s.fields = {
      {"id", typedefs::Uuid()},
      {"created_at", typedefs::AutoTimestampS()},
      {"updated_at", typedefs::AutoTimestampS()},
      {"name", name},
      {"algorithm", algorithm},
      {"hash_on", HashOn()},
      {"hash_fallback", HashOn()},
      {"hash_on_header", typedefs::HeaderName()},
      {"hash_fallback_header", typedefs::HeaderName()},
      {"hash_on_cookie", typedefs::CookieName()},
      {"hash_on_cookie_path", cookie_path},
      {"hash_on_query_arg", simple_param},
      {"hash_fallback_query_arg", simple_param},
      {"hash_on_uri_capture", simple_param},
      {"hash_fallback_uri_capture", simple_param},
      {"slots", slots},
      {"healthchecks", Healthchecks()},
      {"tags", typedefs::Tags()},
      {"host_header", typedefs::HostWithOptionalPort()},
      {"client_certificate", Foreign("certificates")},
      {"use_srv_name", use_srv_name},
  };
  s.entity_checks = {
      IfThenRequired("hash_on", "header", "hash_on_header"),
      IfThenRequired("hash_fallback", "header", "hash_fallback_header"),
      IfThenRequired("hash_on", "cookie", "hash_on_cookie"),
      IfThenRequired("hash_fallback", "cookie", "hash_on_cookie"),
      IfThenOneOf("none", {"none"}),
      IfThenOneOf("cookie", {"none"}),
      IfThenOneOf("consumer", {"none", "ip", "header", "cookie", "path", "query_arg", "uri_capture"}),
      IfThenOneOf("ip", {"none", "consumer", "header", "cookie", "path", "query_arg", "uri_capture"}),
      IfThenOneOf("path", {"none", "consumer", "ip", "header", "cookie", "query_arg", "uri_capture"}),
      IfThenRequired("hash_on", "query_arg", "hash_on_query_arg"),
      IfThenRequired("hash_fallback", "query_arg", "hash_fallback_query_arg"),
      Distinct({"hash_on_query_arg", "hash_fallback_query_arg"}),
      IfThenRequired("hash_on", "uri_capture", "hash_on_uri_capture"),
      IfThenRequired("hash_fallback", "uri_capture", "hash_fallback_uri_capture"),
      Distinct({"hash_on_uri_capture", "hash_fallback_uri_capture"}),
      Distinct({"hash_on_header", "hash_fallback_header"}),
  };
  // algorithm and hash_on are coupled: hashing implies consistent-hashing, none implies
  // round-robin, and least-connections/latency drop hash_on (back to "none").
  s.shorthand_fields = {
      {"algorithm", StringField(),
       [](const json::Value& v) -> std::optional<json::Value> {
         json::Value out = json::Value::EmptyObject();
         out.Set("algorithm", v);
         if (v.as_string() == "least-connections" || v.as_string() == "latency") {
           out.Set("hash_on", json::Value());
         }
         return out;
       }},
      {"hash_on", StringField(),
       [](const json::Value& v) -> std::optional<json::Value> {
         json::Value out = json::Value::EmptyObject();
         if (v.is_null()) {
           out.Set("hash_on", "none");
         } else if (v.as_string() == "none") {
           out.Set("hash_on", v);
           out.Set("algorithm", "round-robin");
         } else {
           out.Set("hash_on", v);
           out.Set("algorithm", "consistent-hashing");
         }
         return out;
       }},
  };
  return s;
}

}  // namespace kong::schema
