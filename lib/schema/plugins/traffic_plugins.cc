// rate-limiting, ip-restriction and request-size-limiting: config schemas and priorities.
#include <cstdio>
#include <string>

#include "schema/plugins/bundled.h"
#include "schema/plugins/plugin_fields.h"
#include "schema/typedefs.h"

namespace kong::schema {
namespace {

using plugin_fields::DefaultBoolean;
using plugin_fields::DefaultString;
using plugin_fields::RequiredBoolean;

const char* const kPeriods[] = {"second", "minute", "hour", "day", "month", "year"};

// schema.lua validate_periods_order: a longer period may not allow fewer requests.
std::optional<std::string> ValidatePeriodsOrder(const json::Value& config) {
  if (!config.is_object()) return std::nullopt;
  for (size_t i = 0; i < std::size(kPeriods); ++i) {
    const json::Value* lower = config.Find(kPeriods[i]);
    if (lower == nullptr || !lower->is_number()) continue;
    for (size_t j = i + 1; j < std::size(kPeriods); ++j) {
      const json::Value* upper = config.Find(kPeriods[j]);
      if (upper == nullptr || !upper->is_number() || upper->as_double() >= lower->as_double()) {
        continue;
      }
      char buf[160];
      std::snprintf(buf, sizeof buf, "The limit for %s(%.1f) cannot be lower than the limit for %s(%.1f)",
                    kPeriods[j], upper->as_double(), kPeriods[i], lower->as_double());
      return std::string(buf);
    }
  }
  return std::nullopt;
}

// kong/tools/redis/schema.lua config_schema.
Field RedisRecord() {
  Field port = typedefs::Port();
  port.default_value = json::Value(6379);
  Field timeout = typedefs::Timeout();
  timeout.default_value = json::Value(2000);
  Field username = StringField();
  username.referenceable = true;
  Field password = StringField();
  password.encrypted = true;
  password.referenceable = true;
  password.len_min = 0;
  Field database = IntegerField();
  database.default_value = json::Value(0);
  Field ssl = DefaultBoolean(false);
  ssl.required = false;
  Field ssl_verify = DefaultBoolean(false);
  ssl_verify.required = false;
  Field server_name = typedefs::Sni();
  server_name.required = false;
  Field redis = RecordOf({
      {"host", typedefs::Host()},
      {"port", port},
      {"timeout", timeout},
      {"username", username},
      {"password", password},
      {"database", database},
      {"ssl", ssl},
      {"ssl_verify", ssl_verify},
      {"server_name", server_name},
  });
  // Required, so an omitted record expands to its defaults (Kong shows redis.port 6379).
  redis.required = true;
  return redis;
}

// The deprecated flat `redis_<field>` names, still accepted (translated into `redis`).
std::vector<ShorthandField> RedisShorthands(const Field& redis) {
  std::vector<ShorthandField> out;
  for (const NamedField& f : redis.record->fields) {
    std::string field = f.name;
    out.push_back({"redis_" + field, f.field, [field](const json::Value& v) {
                     json::Value redis_value = json::Value::EmptyObject();
                     redis_value.Set(field, v);
                     json::Value out_value = json::Value::EmptyObject();
                     out_value.Set("redis", std::move(redis_value));
                     return std::optional<json::Value>(std::move(out_value));
                   }});
  }
  return out;
}

EntityCheck WhenEquals(const char* if_field, const char* value, const char* then_field) {
  Field if_match;
  if_match.eq = json::Value(value);
  Field then_match;
  then_match.required = true;
  return Conditional(if_field, if_match, then_field, then_match);
}

}  // namespace

PluginSchema RateLimitingPlugin() {
  PluginSchema p;
  p.name = "rate-limiting";
  p.priority = 910;
  p.protocols = {"grpc", "grpcs", "http", "https"};
  Field period = NumberField();
  period.gt = 0;
  Field limit_by = DefaultString("consumer");
  limit_by.one_of =
      StringValues({"consumer", "credential", "ip", "service", "header", "path", "consumer-group"});
  Field policy = DefaultString("local");
  policy.len_min = 0;
  policy.one_of = StringValues({"local", "cluster", "redis"});
  Field error_code = NumberField();
  error_code.default_value = json::Value(429);
  error_code.gt = 0;
  Field sync_rate = NumberField();
  sync_rate.required = true;
  sync_rate.default_value = json::Value(-1);
  Field redis = RedisRecord();
  p.config = {
      {"second", period},
      {"minute", period},
      {"hour", period},
      {"day", period},
      {"month", period},
      {"year", period},
      {"limit_by", limit_by},
      {"header_name", typedefs::HeaderName()},
      {"path", typedefs::Path()},
      {"policy", policy},
      {"fault_tolerant", RequiredBoolean(true)},
      {"redis", redis},
      {"hide_client_headers", RequiredBoolean(false)},
      {"error_code", error_code},
      {"error_message", DefaultString("API rate limit exceeded")},
      {"sync_rate", sync_rate},
  };
  p.config_custom_validator = ValidatePeriodsOrder;
  p.config_shorthands = RedisShorthands(redis);
  p.entity_checks = {
      AtLeastOneOf({"config.second", "config.minute", "config.hour", "config.day",
                    "config.month", "config.year"}),
      WhenEquals("config.policy", "redis", "config.redis.host"),
      WhenEquals("config.policy", "redis", "config.redis.port"),
      WhenEquals("config.limit_by", "header", "config.header_name"),
      WhenEquals("config.limit_by", "path", "config.path"),
      WhenEquals("config.policy", "redis", "config.redis.timeout"),
  };
  return p;
}

PluginSchema IpRestrictionPlugin() {
  PluginSchema p;
  p.name = "ip-restriction";
  p.priority = 990;
  p.protocols = typedefs::AllProtocols();
  p.default_protocols = {"http", "https", "tcp", "tls", "grpc", "grpcs"};
  Field status = NumberField();
  status.required = false;
  Field message = StringField();
  message.required = false;
  p.config = {
      {"allow", ArrayOf(typedefs::IpOrCidr())},
      {"deny", ArrayOf(typedefs::IpOrCidr())},
      {"status", status},
      {"message", message},
  };
  p.entity_checks = {AtLeastOneOf({"config.allow", "config.deny"})};
  return p;
}

PluginSchema RequestSizeLimitingPlugin() {
  PluginSchema p;
  p.name = "request-size-limiting";
  p.priority = 951;
  Field allowed = IntegerField();
  allowed.default_value = json::Value(128);
  Field unit = DefaultString("megabytes", /*required=*/true);
  unit.one_of = StringValues({"megabytes", "kilobytes", "bytes"});
  p.config = {
      {"allowed_payload_size", allowed},
      {"size_unit", unit},
      {"require_content_length", RequiredBoolean(false)},
  };
  return p;
}

}  // namespace kong::schema
