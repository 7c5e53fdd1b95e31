// routes (routes.lua + routes_subschemas.lua): matching rules, one subschema per protocol
// family, and the router-flavor dependent parts.
#include <map>

#include "schema/entities/entities.h"
#include "schema/route_regex.h"
#include "schema/typedefs.h"

namespace kong::schema {
namespace {

Field Forbidden(Field base, const std::string& err) {
  base.eq = json::Value();
  base.err = err;
  return base;
}

EntityCheck ConditionalAtLeastOneOf(Field if_match, std::vector<std::string> then_fields,
                                    std::string then_err, std::optional<Field> else_match = {},
                                    std::vector<std::string> else_fields = {},
                                    std::string else_err = "") {
  EntityCheck c;
  c.kind = CheckKind::kConditionalAtLeastOneOf;
  c.if_field = "protocols";
  c.if_match = std::make_shared<const Field>(std::move(if_match));
  c.then_at_least_one_of = std::move(then_fields);
  c.then_err = std::move(then_err);
  if (else_match) c.else_match = std::make_shared<const Field>(std::move(*else_match));
  c.else_then_at_least_one_of = std::move(else_fields);
  c.else_then_err = std::move(else_err);
  return c;
}

Field Contains(const char* protocol) {
  Field f;
  f.contains = json::Value(protocol);
  return f;
}

Field ElementsOneOf(std::initializer_list<const char*> protocols) {
  Field element = StringField();
  element.one_of = StringValues(protocols);
  Field f;
  f.elements = std::make_shared<const Field>(std::move(element));
  return f;
}

std::shared_ptr<const Subschema> HttpSubschema(bool expressions) {
  auto s = std::make_shared<Subschema>();
  s->name = "http";
  std::vector<std::string> https{"methods", "hosts", "headers", "paths", "snis"};
  std::vector<std::string> http{"methods", "hosts", "headers", "paths"};
  if (!expressions) {
    s->fields = {
        {"sources", Forbidden(typedefs::Sources(), "cannot set 'sources' when 'protocols' is 'http' or 'https'")},
        {"destinations", Forbidden(typedefs::Destinations(), "cannot set 'destinations' when 'protocols' is 'http' or 'https'")},
    };
  } else {
    https.push_back("expression");
    http.push_back("expression");
  }
  s->entity_checks = {ConditionalAtLeastOneOf(
      Contains("https"), https, "must set one of %s when 'protocols' is 'https'", Contains("http"),
      http, "must set one of %s when 'protocols' is 'http'")};
  return s;
}

std::shared_ptr<const Subschema> StreamSubschema(bool expressions) {
  auto s = std::make_shared<Subschema>();
  s->name = "tcp";
  const std::string when = " when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'";
  s->fields = {
      {"methods", Forbidden(typedefs::Methods(), "cannot set 'methods'" + when)},
      {"hosts", Forbidden(typedefs::Hosts(), "cannot set 'hosts'" + when)},
      {"paths", Forbidden(typedefs::RouterPaths(), "cannot set 'paths'" + when)},
      {"headers", Forbidden(typedefs::Headers(), "cannot set 'headers'" + when)},
  };
  std::vector<std::string> l4{"sources", "destinations", "snis"};
  std::vector<std::string> passthrough{"snis"};
  if (expressions) {
    l4.push_back("expression");
    passthrough.push_back("expression");
  }
  s->entity_checks = {
      ConditionalAtLeastOneOf(ElementsOneOf({"tcp", "tls", "udp"}), l4,
                              "must set one of %s when 'protocols' is 'tcp', 'tls' or 'udp'"),
      ConditionalAtLeastOneOf(ElementsOneOf({"tls_passthrough"}), passthrough,
                              "must set snis when 'protocols' is 'tls_passthrough'"),
  };
  return s;
}

std::shared_ptr<const Subschema> GrpcSubschema(bool expressions) {
  auto s = std::make_shared<Subschema>();
  s->name = "grpc";
  Field strip_path = BooleanField();
  strip_path.required = true;
  strip_path.default_value = json::Value(false);
  strip_path.ne = json::Value(true);
  strip_path.err = "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'";
  s->fields = {
      {"strip_path", strip_path},
      {"methods", Forbidden(typedefs::Methods(), "cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'")},
  };
  std::vector<std::string> grpcs{"hosts", "headers", "paths", "snis"};
  std::vector<std::string> grpc{"hosts", "headers", "paths"};
  if (!expressions) {
    s->fields.push_back({"sources", Forbidden(typedefs::Sources(), "cannot set 'sources' when 'protocols' is 'grpc' or 'grpcs'")});
    s->fields.push_back({"destinations", Forbidden(typedefs::Destinations(), "cannot set 'destinations' when 'protocols' is 'grpc' or 'grpcs'")});
  } else {
    grpcs.push_back("expression");
    grpc.push_back("expression");
  }
  s->entity_checks = {ConditionalAtLeastOneOf(
      Contains("grpcs"), grpcs, "must set one of %s when 'protocols' is 'grpcs'", Contains("grpc"),
      grpc, "must set one of %s when 'protocols' is 'grpc'")};
  return s;
}

bool IsEmptyField(const json::Value* v) {
  return v == nullptr || v->is_null() || (v->is_array() && v->as_array().empty()) ||
         (v->is_object() && v->as_object().empty());
}

// The part of routes.lua's validate_route (ATC flavors) that does not need the ATC compiler:
// field combinations, and regex paths the Rust regex engine would refuse.
std::optional<std::string> ValidateAtcRoute(const json::Value& e, bool expressions) {
  static const char* kOthers[] = {"snis", "sources", "destinations", "methods",
                                  "hosts", "paths", "headers"};
  const std::string prefix = "Router Expression failed validation: ";
  bool others_empty = true;
  for (const char* f : kOthers) others_empty = others_empty && IsEmptyField(e.Find(f));
  const json::Value* expression = e.Find("expression");
  bool expression_empty = !expressions || expression == nullptr || !expression->is_string();
  if (expression_empty && others_empty) return std::nullopt;
  const std::string fields = "'methods', 'hosts', 'paths', 'headers', 'snis', 'sources' or 'destinations' ";
  if (!expression_empty && !others_empty) {
    return prefix + "cannot set 'expression' with " + fields + "simultaneously";
  }
  auto is_zero_or_null = [&](const char* name) {
    const json::Value* v = e.Find(name);
    return v == nullptr || v->is_null() || (v->is_number() && v->as_double() == 0);
  };
  if (!expression_empty && !is_zero_or_null("regex_priority")) {
    return prefix + "cannot set 'regex_priority' with 'expression' simultaneously";
  }
  if (expressions && !others_empty && !is_zero_or_null("priority")) {
    return prefix + "cannot set 'priority' with " + fields + "simultaneously";
  }
  if (const json::Value* paths = e.Find("paths"); paths != nullptr && paths->is_array()) {
    for (const json::Value& p : paths->as_array()) {
      if (!p.is_string() || p.as_string().size() < 2 || p.as_string()[0] != '~') continue;
      if (auto why = RustRegexIncompatibility(p.as_string().substr(1))) {
        return prefix + "regex parse error: " + *why;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

EntitySchema RoutesSchema(RouterFlavor flavor) {
  bool expressions = flavor == RouterFlavor::kExpressions;
  EntitySchema s;
  s.name = "routes";
  s.endpoint_key = "name";
  s.workspaceable = true;
  s.subschema_key = "protocols";

  Field protocols = SetOf(typedefs::Protocol());
  protocols.len_min = 1;
  protocols.required = true;
  protocols.mutually_exclusive_subsets = {
      {"http", "https"}, {"tcp", "tls", "udp"}, {"tls_passthrough"}, {"grpc", "grpcs"}};
  protocols.default_value = Strings({"http", "https"});
  Field redirect = IntegerField();
  redirect.one_of = {json::Value(426), json::Value(301), json::Value(302), json::Value(307),
                     json::Value(308)};
  redirect.default_value = json::Value(426);
  redirect.required = true;
  auto required_bool = [](bool def) {
    Field f = BooleanField();
    f.required = true;
    f.default_value = json::Value(def);
    return f;
  };
  Field headers = typedefs::Headers();
  Field header_key = typedefs::HeaderName();
  header_key.match_none = {{"^[Hh][Oo][Ss][Tt]$",
                            "cannot contain 'host' header, which must be specified in the 'hosts' attribute"}};
  headers.keys = std::make_shared<const Field>(std::move(header_key));
  Field regex_priority = IntegerField();
  regex_priority.default_value = json::Value(0);
  Field path_handling = StringField();
  path_handling.default_value = json::Value("v0");
  path_handling.one_of = StringValues({"v0", "v1"});

  s.fields = {
      {"id", typedefs::Uuid()},
      {"created_at", typedefs::AutoTimestampS()},
      {"updated_at", typedefs::AutoTimestampS()},
      {"name", typedefs::Utf8Name()},
      {"protocols", protocols},
      {"https_redirect_status_code", redirect},
      {"strip_path", required_bool(true)},
      {"preserve_host", required_bool(false)},
      {"request_buffering", required_bool(true)},
      {"response_buffering", required_bool(true)},
      {"tags", typedefs::Tags()},
      {"service", Foreign("services")},
      {"snis", SetOf(flavor == RouterFlavor::kTraditional ? typedefs::Sni() : typedefs::WildcardHost())},
      {"sources", typedefs::Sources()},
      {"destinations", typedefs::Destinations()},
      {"methods", typedefs::Methods()},
      {"hosts", typedefs::Hosts()},
      {"paths", typedefs::RouterPaths()},
      {"headers", headers},
      {"regex_priority", regex_priority},
      {"path_handling", path_handling},
  };
  if (expressions) {
    Field priority = IntegerField();
    priority.between = {0, 70368744177663.0};  // 2^46 - 1
    priority.required = true;
    priority.default_value = json::Value(0);
    s.fields.push_back({"expression", StringField()});
    s.fields.push_back({"priority", priority});
  }

  Field no_tls_protocol;
  Field not_tls_element = StringField();
  not_tls_element.not_one_of = StringValues({"grpcs", "https", "tls", "tls_passthrough"});
  no_tls_protocol.elements = std::make_shared<const Field>(std::move(not_tls_element));
  Field empty;
  empty.len_eq = 0;
  s.entity_checks = {Conditional(
      "protocols", no_tls_protocol, "snis", empty,
      "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'")};
  if (flavor != RouterFlavor::kTraditional) {
    EntityCheck atc = CustomCheck(
        {"id", "protocols", "snis", "sources", "destinations", "methods", "hosts", "paths",
         "headers", "expression", "regex_priority", "priority"},
        [expressions](const json::Value& e) { return ValidateAtcRoute(e, expressions); });
    atc.run_with_missing_fields = true;
    s.entity_checks.push_back(std::move(atc));
  }

  std::map<std::string, std::shared_ptr<const Subschema>, std::less<>> subs;
  auto http = HttpSubschema(expressions);
  auto stream = StreamSubschema(expressions);
  auto grpc = GrpcSubschema(expressions);
  subs["http"] = http;
  subs["https"] = http;
  subs["tcp"] = stream;
  subs["tls"] = stream;
  subs["udp"] = stream;
  subs["tls_passthrough"] = stream;
  subs["grpc"] = grpc;
  subs["grpcs"] = grpc;
  s.find_subschema = [subs = std::move(subs)](std::string_view key) -> std::shared_ptr<const Subschema> {
    auto it = subs.find(key);
    return it == subs.end() ? nullptr : it->second;
  };
  return s;
}

}  // namespace kong::schema
