// Parsing of upstreams and targets for the balancer, with Kong's schema defaults.
#include "balancer/upstream_config.h"

#include <cmath>
#include <initializer_list>

namespace kong::balancer {
namespace {

Status Bad(std::string_view where, std::string_view field, std::string_view what) {
  return Status::InvalidArgument(std::string(where) + "." + std::string(field) + ": " +
                                 std::string(what));
}

StatusSet Statuses(std::initializer_list<std::pair<int, int>> ranges) {
  StatusSet s;
  for (auto [lo, hi] : ranges)
    for (int i = lo; i <= hi; ++i) s.set(i);
  return s;
}

// Present and not null.
const json::Value* Field(const json::Value& obj, std::string_view key) {
  const json::Value* v = obj.Find(key);
  return (v && !v->is_null()) ? v : nullptr;
}

Status GetString(const json::Value& obj, std::string_view key, std::string_view where,
                 std::string* out) {
  const json::Value* v = Field(obj, key);
  if (!v) return Status::Ok();
  if (!v->is_string()) return Bad(where, key, "expected a string");
  *out = v->as_string();
  return Status::Ok();
}

Status GetNumber(const json::Value& obj, std::string_view key, std::string_view where, double lo,
                 double hi, double* out) {
  const json::Value* v = Field(obj, key);
  if (!v) return Status::Ok();
  if (!v->is_number()) return Bad(where, key, "expected a number");
  double d = v->as_double();
  if (!std::isfinite(d) || d < lo || d > hi)
    return Bad(where, key,
               "value should be between " + std::to_string(static_cast<int64_t>(lo)) + " and " +
                   std::to_string(static_cast<int64_t>(hi)));
  *out = d;
  return Status::Ok();
}

Status GetCount(const json::Value& obj, std::string_view key, std::string_view where,
                uint32_t* out) {
  double d = *out;
  Status s = GetNumber(obj, key, where, 0, 255, &d);
  *out = static_cast<uint32_t>(d);
  return s;
}

Status GetStatuses(const json::Value& obj, std::string_view where, StatusSet* out) {
  const json::Value* v = Field(obj, "http_statuses");
  if (!v) return Status::Ok();
  if (!v->is_array()) return Bad(where, "http_statuses", "expected an array");
  out->reset();
  for (const json::Value& e : v->as_array()) {
    if (!e.is_int() || e.as_int() < 100 || e.as_int() > 999)
      return Bad(where, "http_statuses", "value should be between 100 and 999");
    out->set(static_cast<size_t>(e.as_int()));
  }
  return Status::Ok();
}

// healthchecks.{active,passive}.{healthy,unhealthy}
Status ParseRules(const json::Value* side, const std::string& where, bool active,
                  CheckRules* rules) {
  if (!side) return Status::Ok();
  if (!side->is_object()) return Status::InvalidArgument(where + ": expected an object");
  if (const json::Value* h = Field(*side, "healthy")) {
    std::string w = where + ".healthy";
    if (!h->is_object()) return Status::InvalidArgument(w + ": expected an object");
    if (Status s = GetStatuses(*h, w, &rules->healthy_statuses); !s.ok()) return s;
    if (Status s = GetCount(*h, "successes", w, &rules->successes); !s.ok()) return s;
    if (active) {
      if (Status s = GetNumber(*h, "interval", w, 0, 65535, &rules->healthy_interval); !s.ok())
        return s;
    }
  }
  if (const json::Value* u = Field(*side, "unhealthy")) {
    std::string w = where + ".unhealthy";
    if (!u->is_object()) return Status::InvalidArgument(w + ": expected an object");
    if (Status s = GetStatuses(*u, w, &rules->unhealthy_statuses); !s.ok()) return s;
    if (Status s = GetCount(*u, "http_failures", w, &rules->http_failures); !s.ok()) return s;
    if (Status s = GetCount(*u, "tcp_failures", w, &rules->tcp_failures); !s.ok()) return s;
    if (Status s = GetCount(*u, "timeouts", w, &rules->timeouts); !s.ok()) return s;
    if (active) {
      if (Status s = GetNumber(*u, "interval", w, 0, 65535, &rules->unhealthy_interval); !s.ok())
        return s;
    }
  }
  return Status::Ok();
}

Status ParseActive(const json::Value* a, const std::string& where, ActiveChecks* out) {
  if (!a) return Status::Ok();
  if (Status s = ParseRules(a, where, true, &out->rules); !s.ok()) return s;
  if (Status s = GetString(*a, "type", where, &out->type); !s.ok()) return s;
  if (out->type != "http" && out->type != "https" && out->type != "tcp" && out->type != "grpc" &&
      out->type != "grpcs")
    return Bad(where, "type", "expected one of: tcp, http, https, grpc, grpcs");
  if (Status s = GetNumber(*a, "timeout", where, 0, 65535, &out->timeout); !s.ok()) return s;
  double conc = out->concurrency;
  if (Status s = GetNumber(*a, "concurrency", where, 1, 2147483648.0, &conc); !s.ok()) return s;
  out->concurrency = static_cast<uint32_t>(conc);
  if (Status s = GetString(*a, "http_path", where, &out->http_path); !s.ok()) return s;
  if (out->http_path.empty() || out->http_path[0] != '/')
    return Bad(where, "http_path", "should start with: /");
  if (Status s = GetString(*a, "https_sni", where, &out->https_sni); !s.ok()) return s;
  if (const json::Value* v = Field(*a, "https_verify_certificate")) {
    if (!v->is_bool()) return Bad(where, "https_verify_certificate", "expected a boolean");
    out->https_verify_certificate = v->as_bool();
  }
  if (const json::Value* h = Field(*a, "headers")) {
    if (!h->is_object()) return Bad(where, "headers", "expected a map");
    for (const auto& [name, values] : h->as_object()) {
      if (values.is_string()) {
        out->headers.emplace_back(name, values.as_string());
        continue;
      }
      if (!values.is_array()) return Bad(where, "headers." + name, "expected an array");
      for (const json::Value& v : values.as_array()) {
        if (!v.is_string()) return Bad(where, "headers." + name, "expected a string");
        out->headers.emplace_back(name, v.as_string());
      }
    }
  }
  return Status::Ok();
}

Result<HashOn> ParseHashOn(const json::Value& obj, std::string_view key, std::string_view where) {
  std::string s = "none";
  if (Status st = GetString(obj, key, where, &s); !st.ok()) return st;
  static constexpr std::pair<std::string_view, HashOn> kNames[] = {
      {"none", HashOn::kNone},
      {"consumer", HashOn::kConsumer},
      {"ip", HashOn::kIp},
      {"header", HashOn::kHeader},
      {"cookie", HashOn::kCookie},
      {"path", HashOn::kPath},
      {"query_arg", HashOn::kQueryArg},
      {"uri_capture", HashOn::kUriCapture}};
  for (auto [name, v] : kNames)
    if (s == name) return v;
  return Bad(where, key,
             "expected one of: none, consumer, ip, header, cookie, path, query_arg, uri_capture");
}

// The name a hash source needs (header, cookie, ...) must be set when selected (Kong's entity
// checks).
Status RequireName(HashOn on, std::string_view where, std::string_view field,
                   const std::string& header, const std::string& query_arg,
                   const std::string& capture, const std::string& cookie) {
  auto missing = [&](std::string_view name) { return Bad(where, name, "required field missing"); };
  std::string prefix(field == "hash_on" ? "hash_on_" : "hash_fallback_");
  if (on == HashOn::kHeader && header.empty()) return missing(prefix + "header");
  if (on == HashOn::kQueryArg && query_arg.empty()) return missing(prefix + "query_arg");
  if (on == HashOn::kUriCapture && capture.empty()) return missing(prefix + "uri_capture");
  if (on == HashOn::kCookie && cookie.empty()) return missing("hash_on_cookie");
  return Status::Ok();
}

}  // namespace

HealthcheckConfig::HealthcheckConfig() {
  active.rules.healthy_statuses = Statuses({{200, 200}, {302, 302}});
  active.rules.unhealthy_statuses = Statuses({{429, 429}, {404, 404}, {500, 505}});
  passive.healthy_statuses = Statuses({{200, 208}, {226, 226}, {300, 308}});
  passive.unhealthy_statuses = Statuses({{429, 429}, {500, 500}, {503, 503}});
}

Result<UpstreamConfig> ParseUpstream(const json::Value& v, std::string_view where) {
  if (!v.is_object()) return Status::InvalidArgument(std::string(where) + ": expected an object");
  UpstreamConfig u;
  if (Status s = GetString(v, "id", where, &u.id); !s.ok()) return s;
  if (Status s = GetString(v, "name", where, &u.name); !s.ok()) return s;
  if (u.name.empty()) return Bad(where, "name", "required field missing");
  std::string algorithm = "round-robin";
  if (Status s = GetString(v, "algorithm", where, &algorithm); !s.ok()) return s;
  if (algorithm == "round-robin")
    u.algorithm = Algorithm::kRoundRobin;
  else if (algorithm == "consistent-hashing")
    u.algorithm = Algorithm::kConsistentHashing;
  else if (algorithm == "least-connections")
    u.algorithm = Algorithm::kLeastConnections;
  else if (algorithm == "latency")
    u.algorithm = Algorithm::kLatency;
  else
    return Bad(where, "algorithm", "unknown algorithm '" + algorithm + "'");

  auto on = ParseHashOn(v, "hash_on", where);
  if (!on.ok()) return on.status();
  auto fallback = ParseHashOn(v, "hash_fallback", where);
  if (!fallback.ok()) return fallback.status();
  u.hash_on = *on;
  u.hash_fallback = *fallback;
  for (auto [key, out] : {std::pair{"hash_on_header", &u.hash_on_header},
                          {"hash_fallback_header", &u.hash_fallback_header},
                          {"hash_on_cookie", &u.hash_on_cookie},
                          {"hash_on_cookie_path", &u.hash_on_cookie_path},
                          {"hash_on_query_arg", &u.hash_on_query_arg},
                          {"hash_fallback_query_arg", &u.hash_fallback_query_arg},
                          {"hash_on_uri_capture", &u.hash_on_uri_capture},
                          {"hash_fallback_uri_capture", &u.hash_fallback_uri_capture}}) {
    if (Status s = GetString(v, key, where, out); !s.ok()) return s;
  }
  if (Status s = RequireName(u.hash_on, where, "hash_on", u.hash_on_header, u.hash_on_query_arg,
                             u.hash_on_uri_capture, u.hash_on_cookie);
      !s.ok())
    return s;
  if (Status s =
          RequireName(u.hash_fallback, where, "hash_fallback", u.hash_fallback_header,
                      u.hash_fallback_query_arg, u.hash_fallback_uri_capture, u.hash_on_cookie);
      !s.ok())
    return s;
  if (u.hash_on != HashOn::kNone && u.hash_fallback == u.hash_on && u.hash_on != HashOn::kHeader &&
      u.hash_on != HashOn::kQueryArg && u.hash_on != HashOn::kUriCapture)
    return Bad(where, "hash_fallback", "must be different from hash_on");
  if (u.hash_on == HashOn::kCookie && u.hash_fallback != HashOn::kNone)
    return Bad(where, "hash_fallback", "must be 'none' when hash_on is 'cookie'");
  // Kong's shorthand coupling: hashing implies consistent-hashing unless the algorithm was
  // chosen explicitly as another one (Kong then resets hash_on).
  if (u.hash_on != HashOn::kNone && !v.Find("algorithm"))
    u.algorithm = Algorithm::kConsistentHashing;

  double slots = u.slots;
  if (Status s = GetNumber(v, "slots", where, 10, 65536, &slots); !s.ok()) return s;
  u.slots = static_cast<uint32_t>(slots);

  if (const json::Value* hc = Field(v, "healthchecks")) {
    std::string w = std::string(where) + ".healthchecks";
    if (!hc->is_object()) return Status::InvalidArgument(w + ": expected an object");
    if (Status s = ParseActive(Field(*hc, "active"), w + ".active", &u.healthchecks.active);
        !s.ok())
      return s;
    const json::Value* passive = Field(*hc, "passive");
    if (Status s = ParseRules(passive, w + ".passive", false, &u.healthchecks.passive); !s.ok())
      return s;
    if (Status s = GetNumber(*hc, "threshold", w, 0, 100, &u.healthchecks.threshold); !s.ok())
      return s;
  }
  return u;
}

Result<std::pair<std::string, uint16_t>> SplitTargetAddress(std::string_view text) {
  auto invalid = [&] {
    return Status::InvalidArgument("Invalid target ('" + std::string(text) +
                                   "'); not a valid hostname or ip address");
  };
  std::string host;
  std::string_view rest;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close == 1) return invalid();
    host = std::string(text.substr(1, close - 1));
    rest = text.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return invalid();
  } else {
    size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      host = std::string(text);  // a bare IPv6 address: no port
    } else {
      host = std::string(text.substr(0, colon));
      if (colon != std::string_view::npos) rest = text.substr(colon);
    }
  }
  if (host.empty()) return invalid();
  for (char c : host)
    if (c == '/' || c == ' ' || c == '?' || c == '#' || c == '@') return invalid();
  uint16_t port = 8000;
  if (!rest.empty()) {
    std::string_view digits = rest.substr(1);
    if (digits.empty() || digits.size() > 5) return invalid();
    uint32_t p = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return invalid();
      p = p * 10 + static_cast<uint32_t>(c - '0');
    }
    if (p == 0 || p > 65535) return invalid();
    port = static_cast<uint16_t>(p);
  }
  return std::pair{host, port};
}

Result<TargetConfig> ParseTarget(const json::Value& v, std::string_view where) {
  if (!v.is_object()) return Status::InvalidArgument(std::string(where) + ": expected an object");
  TargetConfig t;
  if (Status s = GetString(v, "id", where, &t.id); !s.ok()) return s;
  std::string text;
  if (Status s = GetString(v, "target", where, &text); !s.ok()) return s;
  if (text.empty()) return Bad(where, "target", "required field missing");
  auto hp = SplitTargetAddress(text);
  if (!hp.ok()) return Bad(where, "target", hp.status().message());
  t.host = hp->first;
  t.port = hp->second;
  bool v6 = t.host.find(':') != std::string::npos;
  t.address = (v6 ? "[" + t.host + "]" : t.host) + ":" + std::to_string(t.port);
  double weight = t.weight;
  if (Status s = GetNumber(v, "weight", where, 0, 65535, &weight); !s.ok()) return s;
  t.weight = static_cast<uint32_t>(weight);
  const json::Value* up = Field(v, "upstream");
  if (!up) return Bad(where, "upstream", "required field missing");
  if (up->is_string()) {
    t.upstream_ref = up->as_string();
  } else if (const json::Value* id = up->Find("id"); id && id->is_string()) {
    t.upstream_ref = id->as_string();
  } else if (const json::Value* name = up->Find("name"); name && name->is_string()) {
    t.upstream_ref = name->as_string();
  } else {
    return Bad(where, "upstream", "expected {\"id\": \"...\"}");
  }
  return t;
}

}  // namespace kong::balancer
