// cors (PRIORITY 2000): answers preflights itself (200, empty body) and adds the CORS headers
// to every other response (kong/plugins/cors/handler.lua). It never rejects a request.
#include <string>
#include <string_view>
#include <vector>

#include "conf/properties.h"
#include "plugins/config_fields.h"
#include "plugins/factory.h"
#include "router/regex.h"

namespace kong::plugins {
namespace {

constexpr std::string_view kDefaultMethods = "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT";

bool IsLiteralOriginChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '.' || c == ':' || c == '/' || c == '-';
}

// Kong's test for "this origin may be a regex": a character outside [A-Za-z0-9.:/-].
bool MaybeRegex(std::string_view s) {
  for (char c : s) {
    if (!IsLiteralOriginChar(c)) return true;
  }
  return false;
}

bool IsSchemeChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '+' || c == '-' || c == '.';
}

// Kong's normalize_origin() over LuaSocket's url.parse(): "scheme://host[:port]" without
// userinfo, path, query, fragment or the scheme's default port. Without an authority the text
// is kept whole, as both domain and host. Views into the parsed text; nothing is allocated.
struct Origin {
  std::string_view whole;
  std::string_view scheme;  // "" when absent
  std::string_view host;    // IPv6 without brackets, as url.parse returns it
  std::string_view port;    // meaningful only with has_port ("" is a port, as in Lua)
  bool has_scheme = false;
  bool has_host = false;
  bool has_port = false;

  static Origin Parse(std::string_view text) {
    Origin o;
    o.whole = text;
    o.host = text;
    std::string_view rest = text;
    if (!rest.empty() && IsSchemeChar(rest[0]) && rest[0] != '+' && rest[0] != '-' &&
        rest[0] != '.') {
      size_t i = 1;
      while (i < rest.size() && IsSchemeChar(rest[i])) ++i;
      if (i < rest.size() && rest[i] == ':') {
        o.has_scheme = true;
        o.scheme = rest.substr(0, i);
        rest.remove_prefix(i + 1);
      }
    }
    if (rest.substr(0, 2) != "//") return o;
    rest.remove_prefix(2);
    std::string_view authority = rest.substr(0, rest.find('/'));
    authority = authority.substr(0, authority.find('#'));
    if (const size_t at = authority.find('@'); at != std::string_view::npos) {
      authority.remove_prefix(at + 1);
    }
    // ":([^:%]]*)$": the text after the last ':' when no ']' follows it.
    if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos &&
        authority.find(']', colon) == std::string_view::npos) {
      o.has_port = true;
      o.port = authority.substr(colon + 1);
      authority = authority.substr(0, colon);
    }
    if (authority.empty()) return Origin{text, {}, text, {}, false, false, false};
    if (authority.size() > 2 && authority.front() == '[' && authority.back() == ']') {
      authority = authority.substr(1, authority.size() - 2);
    }
    o.has_host = true;
    o.host = authority;
    if ((o.scheme == "http" && o.port == "80") || (o.scheme == "https" && o.port == "443")) {
      o.has_port = false;
    }
    return o;
  }

  // The normalized domain.
  void AppendDomain(std::string* out) const {
    if (!has_host) {
      out->append(whole);
      return;
    }
    if (has_scheme) out->append(scheme).append("://");
    out->append(host);
    if (has_port) out->append(":").append(port);
  }
  bool DomainEquals(std::string_view domain) const {
    if (!has_host) return domain == whole;
    auto take = [&domain](std::string_view part) {
      if (domain.substr(0, part.size()) != part) return false;
      domain.remove_prefix(part.size());
      return true;
    };
    return (!has_scheme || (take(scheme) && take("://"))) && take(host) &&
           (!has_port || (take(":") && take(port))) && domain.empty();
  }
};

// One configured origin of a list: a literal compared after normalization, or a regex anchored
// at both ends and matched against the request origin's host (when the entry has no ':') or
// its normalized domain.
struct OriginRule {
  std::string domain;                  // literal
  std::unique_ptr<router::Regex> regex;
  bool by_host = false;
};

// Per-request flag (kong.ctx.plugin.skip_response_headers): this was a preflight, answered or
// handed to the upstream, and header_filter adds nothing.
struct PreflightSeen final : PluginRequestState {};

class Cors final : public Plugin {
 public:
  struct Config {
    bool allow_all = true;                    // origins null, [] or ["*"]
    std::optional<std::string> single_origin; // one literal origin: sent as configured
    bool list_has_asterisk = false;
    std::vector<OriginRule> rules;
    std::optional<std::string> headers;       // joined; nullopt: echo the request's
    std::optional<std::string> exposed_headers;
    std::string methods;
    std::optional<std::string> max_age;
    bool credentials = false;
    bool private_network = false;
    bool preflight_continue = false;
    bool allow_origin_absent = true;
    // header_filter looks at the request's Origin: not for "*" without credentials.
    bool reads_origin = true;
  };

  Cors(PluginSpec spec, Config config) : Plugin(std::move(spec)), c_(std::move(config)) {}

  uint32_t phases() const override { return kAccessPhase | kResponseHeadersPhase; }

  Flow Access(PluginContext& ctx) const override {
    const http::HeaderMap& req = ctx.request.headers;
    if (ctx.request.method != "OPTIONS") return Flow::kContinue;
    const std::optional<std::string_view> origin = req.Get("Origin");
    if (!origin || !req.Has("Access-Control-Request-Method")) return Flow::kContinue;
    ctx.state() = std::make_unique<PreflightSeen>();
    if (c_.preflight_continue) return Flow::kContinue;

    http::HeaderEdits edits;
    const bool allow_all = ConfigureOrigin(edits, /*header_filter=*/false, origin);
    ConfigureCredentials(edits, allow_all, /*header_filter=*/false, origin);
    http::HeaderMap out;
    edits.ApplyTo(&out);
    if (c_.headers) {
      out.Set("Access-Control-Allow-Headers", *c_.headers);
    } else if (auto requested = req.Get("Access-Control-Request-Headers")) {
      out.Set("Access-Control-Allow-Headers", std::string(*requested));
    }
    out.Set("Access-Control-Allow-Methods", c_.methods);
    if (c_.max_age) out.Set("Access-Control-Max-Age", *c_.max_age);
    if (c_.private_network && req.Get("Access-Control-Request-Private-Network") == "true") {
      out.Set("Access-Control-Allow-Private-Network", "true");
    }
    ctx.ExitRaw(200, "", std::move(out));
    return Flow::kExit;
  }

  // Kong's header_filter, as edits: it only sets, appends and clears fields.
  void ResponseHeaders(PluginContext& ctx, http::HeaderEdits& out) const override {
    if (ctx.peek_state() != nullptr) return;
    std::optional<std::string_view> origin;
    if (c_.reads_origin) {
      origin = ctx.request.headers.Get("Origin");
      if (!origin && !c_.allow_origin_absent) return;
    }
    const bool allow_all = ConfigureOrigin(out, /*header_filter=*/true, origin);
    ConfigureCredentials(out, allow_all, /*header_filter=*/true, origin);
    if (c_.exposed_headers) out.Set("Access-Control-Expose-Headers", *c_.exposed_headers);
  }

 private:
  // Vary is appended to the upstream's in header_filter, set on Kong's own preflight answer.
  static void AddVary(http::HeaderEdits& out, bool header_filter) {
    if (header_filter) {
      out.Add("Vary", "Origin");
    } else {
      out.Set("Vary", "Origin");
    }
  }

  // Kong's configure_origin(): true when the answer is "*".
  bool ConfigureOrigin(http::HeaderEdits& out, bool header_filter,
                       std::optional<std::string_view> req_origin) const {
    if (c_.allow_all) {
      out.Set("Access-Control-Allow-Origin", "*");
      return true;
    }
    AddVary(out, header_filter);
    if (c_.single_origin) {
      out.Set("Access-Control-Allow-Origin", *c_.single_origin);
      return false;
    }
    if (req_origin) {
      // Kong returns at a "*" entry while compiling the list, before matching anything.
      if (c_.list_has_asterisk) {
        out.Set("Access-Control-Allow-Origin", "*");
        return true;
      }
      const Origin parsed = Origin::Parse(*req_origin);
      for (const OriginRule& rule : c_.rules) {
        bool found = false;
        if (rule.regex == nullptr) {
          found = parsed.DomainEquals(rule.domain);
        } else if (rule.by_host) {
          found = rule.regex->Search(parsed.host);
        } else {
          std::string domain;
          parsed.AppendDomain(&domain);
          found = rule.regex->Search(domain);
        }
        if (found) {
          std::string domain;
          parsed.AppendDomain(&domain);
          out.Set("Access-Control-Allow-Origin", domain);
          return false;
        }
      }
    }
    out.Remove("Access-Control-Allow-Origin");
    return false;
  }

  // Kong's configure_credentials(): with "*" the request origin is echoed instead, because
  // credentials cannot go with "*".
  void ConfigureCredentials(http::HeaderEdits& out, bool allow_all, bool header_filter,
                            std::optional<std::string_view> req_origin) const {
    if (!c_.credentials) return;
    if (!allow_all) {
      out.Set("Access-Control-Allow-Credentials", "true");
      return;
    }
    if (req_origin) {
      AddVary(out, header_filter);
      out.Set("Access-Control-Allow-Origin", *req_origin);
      out.Set("Access-Control-Allow-Credentials", "true");
    }
  }

  Config c_;
};

// Kong anchors a regex origin itself: a leading '^' is dropped, a '$' appended when missing,
// and the search is anchored at the start (ngx.re.find's "a" option: every alternative).
Result<OriginRule> CompileRule(const std::string& entry) {
  OriginRule rule;
  rule.by_host = entry.find(':') == std::string::npos;
  if (!MaybeRegex(entry)) {
    Origin::Parse(entry).AppendDomain(&rule.domain);
    return rule;
  }
  std::string pattern = entry;
  if (pattern.empty() || pattern.back() != '$') pattern += '$';
  if (pattern.front() == '^') pattern.erase(0, 1);
  auto regex = router::Regex::Compile("^(?:" + pattern + ")", /*jit=*/true);
  if (!regex.ok()) {
    return Status::InvalidArgument("cors: origin '" + entry + "' is not a valid regex: " +
                                   regex.status().message());
  }
  rule.regex = std::move(*regex);
  return rule;
}

Result<std::unique_ptr<Plugin>> CreateCors(PluginSpec spec, const PluginEnv&) {
  const json::Value* conf = spec.config;
  Cors::Config c;
  const std::vector<std::string> origins =
      config::Strings(conf, "origins").value_or(std::vector<std::string>{});
  c.allow_all = origins.empty() || (origins.size() == 1 && origins[0] == "*");
  if (!c.allow_all) {
    if (origins.size() == 1 && !origins[0].empty() && !MaybeRegex(origins[0])) {
      c.single_origin = origins[0];
    }
    for (const std::string& entry : origins) {
      if (entry == "*") {
        c.list_has_asterisk = true;
        continue;
      }
      auto rule = CompileRule(entry);
      if (!rule.ok()) return rule.status();
      c.rules.push_back(std::move(*rule));
    }
  }
  if (auto headers = config::Strings(conf, "headers"); headers && !headers->empty()) {
    c.headers = config::Join(*headers, ",");
  }
  if (auto exposed = config::Strings(conf, "exposed_headers"); exposed && !exposed->empty()) {
    c.exposed_headers = config::Join(*exposed, ",");
  }
  auto methods = config::Strings(conf, "methods");
  c.methods = methods ? config::Join(*methods, ",") : std::string(kDefaultMethods);
  if (auto max_age = config::Number(conf, "max_age")) {
    c.max_age = conf::FormatLuaNumber(*max_age);
  }
  c.credentials = config::Bool(conf, "credentials", false);
  c.private_network = config::Bool(conf, "private_network", false);
  c.preflight_continue = config::Bool(conf, "preflight_continue", false);
  c.allow_origin_absent = config::Bool(conf, "allow_origin_absent", true);
  c.reads_origin = !c.allow_all || c.credentials || !c.allow_origin_absent;
  return std::unique_ptr<Plugin>(new Cors(std::move(spec), std::move(c)));
}

}  // namespace

PluginDescriptor CorsDescriptor() { return PluginDescriptor{"cors", 2000, CreateCors}; }

}  // namespace kong::plugins
