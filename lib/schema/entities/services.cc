// services (services.lua): upstream endpoints, with the `url` shorthand.
#include <cstdlib>

#include "schema/entities/entities.h"
#include "schema/host_syntax.h"
#include "schema/typedefs.h"

namespace kong::schema {
namespace {

Field NonzeroTimeout() {
  Field f = IntegerField();
  f.between = {1, 2147483646.0};
  f.default_value = json::Value(60000);
  return f;
}

// Lua's tonumber on a port string: digits only here, as url.parse never yields a sign.
std::optional<int64_t> ToNumber(const std::string& s) {
  if (s.empty() || s.size() > 15) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return std::strtoll(s.c_str(), nullptr, 10);
}

}  // namespace

json::Value ExpandServiceUrl(const std::string& url) {
  ParsedUrl parsed = ParseUrl(url);
  std::optional<int64_t> port = parsed.port ? ToNumber(*parsed.port) : std::nullopt;
  int64_t port_number = port.value_or(-1);
  std::string protocol;
  if (parsed.scheme) {
    protocol = *parsed.scheme;
  } else if (port_number == 80) {
    protocol = "http";
  } else if (port_number == 443) {
    protocol = "https";
  } else {
    protocol = "http";
  }
  json::Value out = json::Value::EmptyObject();
  out.Set("protocol", protocol);
  out.Set("host", parsed.host ? json::Value(*parsed.host) : json::Value());
  if (port_number >= 0) {
    out.Set("port", port_number);
  } else if (parsed.port) {
    out.Set("port", *parsed.port);  // not a number: the port validator reports it
  } else {
    out.Set("port", protocol == "https" ? 443 : 80);
  }
  out.Set("path", parsed.path ? json::Value(*parsed.path) : json::Value());
  return out;
}

EntitySchema ServicesSchema() {
  EntitySchema s;
  s.name = "services";
  s.endpoint_key = "name";
  s.workspaceable = true;

  Field retries = IntegerField();
  retries.default_value = json::Value(5);
  retries.between = {0, 32767};
  Field protocol = typedefs::Protocol();
  protocol.required = true;
  protocol.default_value = json::Value("http");
  Field host = typedefs::Host();
  host.required = true;
  Field port = typedefs::Port();
  port.required = true;
  port.default_value = json::Value(80);
  Field tls_verify_depth = IntegerField();
  tls_verify_depth.default_value = json::Value();
  tls_verify_depth.between = {0, 64};
  Field ca_cert_id = StringField();
  ca_cert_id.uuid = true;
  Field enabled = BooleanField();
  enabled.required = true;
  enabled.default_value = json::Value(true);

  s.fields = {
      {"id", typedefs::Uuid()},
      {"created_at", typedefs::AutoTimestampS()},
      {"updated_at", typedefs::AutoTimestampS()},
      {"name", typedefs::Utf8Name()},
      {"retries", retries},
      {"protocol", protocol},
      {"host", host},
      {"port", port},
      {"path", typedefs::Path()},
      {"connect_timeout", NonzeroTimeout()},
      {"write_timeout", NonzeroTimeout()},
      {"read_timeout", NonzeroTimeout()},
      {"tags", typedefs::Tags()},
      {"client_certificate", Foreign("certificates")},
      {"tls_verify", BooleanField()},
      {"tls_verify_depth", tls_verify_depth},
      {"ca_certificates", ArrayOf(ca_cert_id)},
      {"enabled", enabled},
  };

  Field must_be_null;
  must_be_null.eq = json::Value();
  Field stream_or_grpc;
  stream_or_grpc.one_of = StringValues({"tcp", "tls", "udp", "grpc", "grpcs"});
  Field not_tls;
  not_tls.not_one_of = StringValues({"https", "tls"});
  s.entity_checks = {
      Conditional("protocol", stream_or_grpc, "path", must_be_null),
      Conditional("protocol", not_tls, "client_certificate", must_be_null),
      Conditional("protocol", not_tls, "tls_verify", must_be_null),
      Conditional("protocol", not_tls, "tls_verify_depth", must_be_null),
      Conditional("protocol", not_tls, "ca_certificates", must_be_null),
  };

  s.shorthand_fields = {{"url", StringField(), [](const json::Value& v) -> std::optional<json::Value> {
                           return ExpandServiceUrl(v.as_string());
                         }}};
  return s;
}

}  // namespace kong::schema
