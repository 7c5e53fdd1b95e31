// Route compilation: Kong's transform.lua (get_expression, get_priority, split by path group).
#include "router/route_compiler.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "base/macros.h"
#include "pki/digest.h"

namespace kong::router {
namespace {

// Kong's namespace for the ids of split routes (transform.lua uuid_generator).
constexpr std::string_view kSplitNamespace = "7f145bf9-0dce-4f91-98eb-debbce4b9f6b";

std::string Lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return out;
}

// Kong's is_empty_field: null, or an empty array or object.
bool IsEmptyField(const json::Value* v) {
  if (v == nullptr || v->is_null()) return true;
  if (v->is_array()) return v->as_array().empty();
  if (v->is_object()) return v->as_object().empty();
  return false;
}

Status Invalid(const std::string& route_id, const std::string& message) {
  return Status::InvalidArgument("route " + route_id + ": " + message);
}

// Reads an array of strings; null/absent gives an empty list.
Result<std::vector<std::string>> Strings(const json::Value& route, std::string_view field,
                                         const std::string& id) {
  std::vector<std::string> out;
  const json::Value* v = route.Find(field);
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_array()) return Invalid(id, std::string(field) + ": expected an array");
  for (const json::Value& item : v->as_array()) {
    if (!item.is_string()) return Invalid(id, std::string(field) + ": expected strings");
    out.push_back(item.as_string());
  }
  return out;
}

bool Bool(const json::Value& route, std::string_view field, bool dflt) {
  const json::Value* v = route.Find(field);
  return v != nullptr && v->is_bool() ? v->as_bool() : dflt;
}

int64_t Int(const json::Value& route, std::string_view field, int64_t dflt) {
  const json::Value* v = route.Find(field);
  return v != nullptr && v->is_int() ? v->as_int() : dflt;
}

bool IsRegexPath(std::string_view p) { return !p.empty() && p[0] == '~'; }

// Kong's split_host_port: the text after the first ':' is a port only if it is a number.
HostCondition ParseHost(std::string_view h) {
  HostCondition c;
  size_t colon = h.find(':');
  if (colon != std::string_view::npos) {
    std::string_view digits = h.substr(colon + 1);
    bool numeric = !digits.empty() && digits.size() <= 9 &&
                   std::all_of(digits.begin(), digits.end(),
                               [](char ch) { return ch >= '0' && ch <= '9'; });
    if (numeric) {
      c.port = static_cast<uint32_t>(std::stoul(std::string(digits)));
      h = h.substr(0, colon);
    }
  }
  if (!h.empty() && h.front() == '*') {
    c.op = NameOp::kEndsWith;
    h.remove_prefix(1);
  } else if (!h.empty() && h.back() == '*') {
    c.op = NameOp::kStartsWith;
    h.remove_suffix(1);
  }
  c.text = std::string(h);
  return c;
}

// transform.lua sni_op_transform / sni_val_transform.
HostCondition ParseSni(std::string_view s) {
  HostCondition c;
  if (!s.empty() && s.front() == '*') {
    c.op = NameOp::kEndsWith;
  } else if (!s.empty() && s.back() == '*') {
    c.op = NameOp::kStartsWith;
    c.text = std::string(s.substr(0, s.size() - 1));
    return c;
  }
  if (s.size() > 1 && s.back() == '.') s.remove_suffix(1);  // FQDN's last dot is not routed on
  if (c.op == NameOp::kEndsWith) s.remove_prefix(1);
  c.text = std::string(s);
  return c;
}

class RegexCache {
 public:
  explicit RegexCache(bool jit) : jit_(jit) {}
  Result<std::shared_ptr<const Regex>> Get(const std::string& pattern) {
    auto it = cache_.find(pattern);
    if (it != cache_.end()) return it->second;
    auto compiled = Regex::Compile(pattern, jit_);
    if (!compiled.ok()) return compiled.status();
    std::shared_ptr<const Regex> re(std::move(compiled).value());
    cache_.emplace(pattern, re);
    return re;
  }

 private:
  bool jit_;
  std::unordered_map<std::string, std::shared_ptr<const Regex>> cache_;
};

// The fields of one route shared by all of its matchers.
struct RouteFields {
  std::vector<std::string> methods, hosts, paths, snis, protocols;
  std::vector<HeaderCondition> headers;
  bool hosts_is_array = false;
  bool has_sources = false, has_destinations = false;
};

Status CompileMatchers(const RouteInfo& info, const RouteFields& f, RegexCache& regexes,
                       std::vector<Matcher>* out) {
  // Group the paths: one group for all regexes, one per prefix length, numbered in order of
  // first appearance (transform.lua group_by_regex_or_length).
  std::vector<std::vector<std::string>> groups;
  std::map<size_t, size_t> group_of;  // 0 = regex, else the prefix length
  for (const std::string& p : f.paths) {
    size_t key = IsRegexPath(p) ? 0 : p.size();
    auto [it, fresh] = group_of.emplace(key, groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(p);
  }
  bool split = groups.size() > 1;
  if (groups.empty()) groups.emplace_back();

  Matcher base;
  base.route = &info;
  base.uuid = Lowered(info.id);
  base.match_weight = !f.snis.empty() + !f.methods.empty() + !f.hosts.empty() +
                      !f.headers.empty() + !f.paths.empty() + f.has_sources + f.has_destinations;
  base.plain_hosts_only =
      f.hosts_is_array && std::none_of(f.hosts.begin(), f.hosts.end(), [](const std::string& h) {
        return h.find('*') != std::string::npos;
      });
  base.header_count = static_cast<uint32_t>(std::min<size_t>(f.headers.size(), 255));
  if (!(f.protocols.size() == 1 && f.protocols[0] == "https")) {
    for (const std::string& p : f.protocols) {
      std::string scheme = p == "grpc" ? "http" : p == "grpcs" ? "https" : p;
      if (std::find(base.schemes.begin(), base.schemes.end(), scheme) == base.schemes.end()) {
        base.schemes.push_back(scheme);
      }
    }
  }
  base.methods = f.methods;
  for (const std::string& h : f.hosts) base.hosts.push_back(ParseHost(h));
  base.headers = f.headers;
  for (const std::string& s : f.snis) base.snis.push_back(ParseSni(s));

  for (size_t g = 0; g < groups.size(); ++g) {
    Matcher m = base;
    if (split) m.uuid = UuidV5(kSplitNamespace, info.id + "#" + std::to_string(g + 1));
    for (const std::string& p : groups[g]) {
      PathCondition c;
      if (IsRegexPath(p)) {
        m.regex_path = true;
        std::string pattern(1, '^');  // Kong anchors path regexes at the start only
        pattern.append(p, 1);
        auto re = regexes.Get(pattern);
        if (!re.ok()) return Invalid(info.id, re.status().message());
        c.re = std::move(re).value();
        c.literal = RegexLiteralHead(p.substr(1));
      } else {
        m.prefix_length = static_cast<uint32_t>(p.size() & 0x7FFFF);
        c.prefix = p;
        c.literal = p;
      }
      m.paths.push_back(std::move(c));
    }
    m.regex_priority = m.regex_path ? info.regex_priority : 0;
    out->push_back(std::move(m));
  }
  return Status::Ok();
}

Result<RouteFields> ReadFields(const json::Value& route, const std::string& id,
                               RegexCache& regexes) {
  RouteFields f;
  KONG_ASSIGN_OR_RETURN(f.methods, Strings(route, "methods", id));
  KONG_ASSIGN_OR_RETURN(f.hosts, Strings(route, "hosts", id));
  KONG_ASSIGN_OR_RETURN(f.paths, Strings(route, "paths", id));
  KONG_ASSIGN_OR_RETURN(f.snis, Strings(route, "snis", id));
  KONG_ASSIGN_OR_RETURN(f.protocols, Strings(route, "protocols", id));
  if (route.Find("protocols") == nullptr || route.Find("protocols")->is_null()) {
    f.protocols = {"http", "https"};
  }
  const json::Value* hosts = route.Find("hosts");
  f.hosts_is_array = hosts != nullptr && hosts->is_array();
  f.has_sources = !IsEmptyField(route.Find("sources"));
  f.has_destinations = !IsEmptyField(route.Find("destinations"));
  const json::Value* headers = route.Find("headers");
  if (headers != nullptr && !headers->is_null()) {
    if (!headers->is_object()) return Invalid(id, "headers: expected a map");
    for (const auto& [name, values] : headers->as_object()) {
      HeaderCondition h;
      h.name = Lowered(name);
      std::replace(h.name.begin(), h.name.end(), '-', '_');
      if (!values.is_array()) return Invalid(id, "headers." + name + ": expected an array");
      for (const json::Value& v : values.as_array()) {
        if (!v.is_string()) return Invalid(id, "headers." + name + ": expected strings");
        std::string lower = Lowered(v.as_string());  // Kong lowers the regex text too
        if (lower.size() >= 2 && lower[0] == '~' && lower[1] == '*') {
          auto re = regexes.Get(lower.substr(2));
          if (!re.ok()) return Invalid(id, "headers." + name + ": " + re.status().message());
          h.regexes.push_back(std::move(re).value());
        } else {
          h.values.push_back(std::move(lower));
        }
      }
      f.headers.push_back(std::move(h));
    }
  }
  return f;
}

}  // namespace

std::string UuidV5(std::string_view namespace_uuid, std::string_view name) {
  std::string data;
  for (size_t i = 0; i + 1 < namespace_uuid.size(); ++i) {
    if (namespace_uuid[i] == '-') continue;
    data += static_cast<char>(std::stoi(std::string(namespace_uuid.substr(i, 2)), nullptr, 16));
    ++i;
  }
  data += name;
  auto h = pki::Sha1(data);
  h[6] = static_cast<unsigned char>((h[6] & 0x0f) | 0x50);
  h[8] = static_cast<unsigned char>((h[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", h[0],
                h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13],
                h[14], h[15]);
  return out;
}

Result<CompiledRoutes> CompileRoutes(const json::Value& routes, const json::Value& services,
                                     const RouterOptions& options) {
  std::unordered_map<std::string, const json::Value*> service_by_id;
  if (services.is_array()) {
    for (const json::Value& s : services.as_array()) {
      const json::Value* id = s.Find("id");
      if (id != nullptr && id->is_string()) service_by_id.emplace(Lowered(id->as_string()), &s);
    }
  } else if (!services.is_null()) {
    return Status::InvalidArgument("services: expected an array");
  }
  CompiledRoutes out;
  if (routes.is_null()) return out;
  if (!routes.is_array()) return Status::InvalidArgument("routes: expected an array");
  RegexCache regexes(options.use_jit);
  size_t index = 0;
  for (const json::Value& route : routes.as_array()) {
    std::string where = "routes[" + std::to_string(index++) + "]";
    if (!route.is_object()) return Status::InvalidArgument(where + ": expected an object");
    const json::Value* id = route.Find("id");
    if (id == nullptr || !id->is_string() || id->as_string().empty()) {
      return Status::InvalidArgument(where + ": missing id");
    }
    auto info = std::make_unique<RouteInfo>();
    info->id = id->as_string();
    info->route = &route;
    info->config_index = index - 1;
    const json::Value* name = route.Find("name");
    if (name != nullptr && name->is_string()) info->name = name->as_string();
    const json::Value* service = route.Find("service");
    if (service != nullptr && !service->is_null()) {
      // {"id": "..."} (Kong's entity form) or a bare id (declarative::Flatten's output).
      const json::Value* sid = service->is_string() ? service : service->Find("id");
      if (sid == nullptr || !sid->is_string()) return Invalid(info->id, "service: missing id");
      auto it = service_by_id.find(Lowered(sid->as_string()));
      if (it == service_by_id.end()) {
        return Invalid(info->id, "service " + sid->as_string() + " not found");
      }
      if (!Bool(*it->second, "enabled", true)) continue;  // disabled service: not routed
      info->service_id = sid->as_string();
      info->service = it->second;
    }
    auto fields = ReadFields(route, info->id, regexes);
    if (!fields.ok()) return fields.status();
    const RouteFields& f = fields.value();
    static const char* kStream[] = {"tcp", "tls", "udp", "tls_passthrough"};
    if (!f.protocols.empty() &&
        std::find(std::begin(kStream), std::end(kStream), f.protocols[0]) != std::end(kStream)) {
      continue;  // a stream route: not part of the HTTP router
    }
    if (f.methods.empty() && f.hosts.empty() && f.paths.empty() && f.headers.empty() &&
        f.snis.empty()) {
      continue;  // Kong cannot compile an empty expression and drops the route
    }
    info->protocols = f.protocols;
    info->strip_path = Bool(route, "strip_path", true);
    info->preserve_host = Bool(route, "preserve_host", false);
    info->request_buffering = Bool(route, "request_buffering", true);
    info->response_buffering = Bool(route, "response_buffering", true);
    const json::Value* handling = route.Find("path_handling");
    if (handling != nullptr && handling->is_string()) info->path_handling = handling->as_string();
    info->https_redirect_status_code =
        static_cast<int>(Int(route, "https_redirect_status_code", 426));
    info->regex_priority = Int(route, "regex_priority", 0);
    KONG_RETURN_IF_ERROR(CompileMatchers(*info, f, regexes, &out.matchers));
    out.routes.push_back(std::move(info));
  }
  std::sort(out.matchers.begin(), out.matchers.end(), HigherPriority);
  return out;
}

}  // namespace kong::router
