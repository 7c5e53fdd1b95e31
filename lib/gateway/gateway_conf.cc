// kong.conf -> GatewayOptions. Kong renders most of these into nginx.conf; the nginx_http_* and
// nginx_proxy_* directives it injects are read here when set (nginx_proxy_* first: Kong's proxy
// server block overrides the http block), and our http::ServerOptions defaults stand for
// nginx's otherwise.
#include "gateway/gateway_conf.h"

#include <charconv>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "base/macros.h"
#include "base/text.h"
#include "net/listen_spec.h"
#include "proxy/proxy_tls_conf.h"

namespace kong::gateway {

namespace {

std::optional<uint64_t> ParseUnsigned(std::string_view digits) {
  uint64_t value = 0;
  if (digits.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

// The value of an nginx directive Kong would inject into the proxy server: nginx_proxy_<name>,
// else nginx_http_<name>, else none.
std::optional<std::pair<std::string, std::string>> Directive(const Conf& conf,
                                                             std::string_view name) {
  for (const char* scope : {"nginx_proxy_", "nginx_http_"}) {
    std::string key = scope + std::string(name);
    if (conf.Has(key)) return std::make_pair(key, conf.GetString(key));
  }
  return std::nullopt;
}

// A non-negative number property (seconds, counts) as an integer.
Result<uint64_t> NonNegative(const Conf& conf, const char* setting) {
  const double value = conf.GetNumber(setting);
  if (!(value >= 0) || value > 1e15) {
    return Status::InvalidArgument(std::string(setting) + ": must be 0 or greater, got " +
                                   conf.GetString(setting));
  }
  return static_cast<uint64_t>(value);
}

Result<size_t> WorkerCount(const Conf& conf) {
  // nginx_worker_processes is Kong's alias of nginx_main_worker_processes.
  const char* setting =
      conf.Has("nginx_main_worker_processes") ? "nginx_main_worker_processes" : "nginx_worker_processes";
  const std::string value(base::Trim(conf.GetString(setting)));
  if (value == "auto") return size_t{0};
  std::optional<uint64_t> count = ParseUnsigned(value);
  if (!count || *count == 0 || *count > 1024) {
    return Status::InvalidArgument(std::string(setting) + ": invalid value '" + value +
                                   "' (auto or a number from 1 to 1024)");
  }
  return static_cast<size_t>(*count);
}

// client limits and timeouts of the proxy server.
Status ApplyClientSettings(const Conf& conf, http::ServerOptions* http) {
  // Kong 3.x names the body limits nginx_http_client_*; the bare names are its older aliases.
  auto size_setting = [&](std::string_view name) {
    auto directive = Directive(conf, name);
    return directive ? *directive : std::make_pair(std::string(name), conf.GetString(name));
  };
  auto [max_key, max_value] = size_setting("client_max_body_size");
  KONG_ASSIGN_OR_RETURN(http->max_body_size, ParseNginxSize(max_value, max_key));  // 0: none
  // Bodies are buffered in memory whatever their size: the buffer size is only checked.
  auto [buffer_key, buffer_value] = size_setting("client_body_buffer_size");
  KONG_RETURN_IF_ERROR(ParseNginxSize(buffer_value, buffer_key).status());

  if (auto d = Directive(conf, "large_client_header_buffers")) {
    // "<number> <size>": a request line or one header field must fit one buffer, the whole
    // head all of them.
    std::vector<std::string> parts;
    for (std::string& part : base::SplitTrimmed(d->second, ' ')) {
      if (!part.empty()) parts.push_back(std::move(part));
    }
    std::optional<uint64_t> count = parts.size() == 2 ? ParseUnsigned(parts[0]) : std::nullopt;
    if (!count || *count == 0) {
      return Status::InvalidArgument(d->first + ": invalid value '" + d->second +
                                     "' (expected '<number> <size>')");
    }
    KONG_ASSIGN_OR_RETURN(size_t buffer, ParseNginxSize(parts[1], d->first));
    http->max_request_line_size = buffer;
    http->max_header_line_size = buffer;
    http->max_header_size = buffer * *count;
  }
  if (auto d = Directive(conf, "client_header_timeout")) {
    KONG_ASSIGN_OR_RETURN(http->header_timeout_ms, ParseNginxTimeMs(d->second, d->first));
  }
  if (auto d = Directive(conf, "client_body_timeout")) {
    KONG_ASSIGN_OR_RETURN(http->body_timeout_ms, ParseNginxTimeMs(d->second, d->first));
  }
  if (auto d = Directive(conf, "keepalive_timeout")) {
    // nginx's optional second value (the Keep-Alive: timeout= header) has no equivalent.
    std::vector<std::string> parts = base::SplitTrimmed(d->second, ' ');
    KONG_ASSIGN_OR_RETURN(http->keepalive_timeout_ms,
                          ParseNginxTimeMs(parts.empty() ? "" : parts[0], d->first));
  }
  if (auto d = Directive(conf, "keepalive_requests")) {
    std::optional<uint64_t> count = ParseUnsigned(base::Trim(d->second));
    if (!count) {
      return Status::InvalidArgument(d->first + ": invalid value '" + d->second + "'");
    }
    http->max_requests_per_connection = static_cast<size_t>(*count);
  }
  return Status::Ok();
}

Status ApplyUpstreamSettings(const Conf& conf, GatewayOptions* options) {
  KONG_ASSIGN_OR_RETURN(uint64_t pool_size, NonNegative(conf, "upstream_keepalive_pool_size"));
  KONG_ASSIGN_OR_RETURN(uint64_t max_requests,
                        NonNegative(conf, "upstream_keepalive_max_requests"));
  KONG_ASSIGN_OR_RETURN(uint64_t idle_s, NonNegative(conf, "upstream_keepalive_idle_timeout"));
  options->pool.max_idle_per_peer = static_cast<size_t>(pool_size);
  // Kong: 0 lifts the limit.
  options->pool.max_requests =
      max_requests == 0 ? std::numeric_limits<size_t>::max() : static_cast<size_t>(max_requests);
  // Kong: 0 keeps idle connections until the upstream closes them; a timer needs a bound, and
  // 2^32 ms (49 days) is it.
  options->pool.idle_timeout_ms =
      idle_s == 0 ? uint64_t{std::numeric_limits<uint32_t>::max()} : idle_s * 1000;

  // dns_valid_ttl NONE: Kong uses each record's TTL, which getaddrinfo does not expose; the
  // resolver's default stands (docs/differences-from-kong.md).
  if (conf.Has("dns_valid_ttl")) {
    KONG_ASSIGN_OR_RETURN(uint64_t valid_s, NonNegative(conf, "dns_valid_ttl"));
    options->dns.valid_ttl_ms = valid_s * 1000;
  }
  KONG_ASSIGN_OR_RETURN(uint64_t stale_s, NonNegative(conf, "dns_stale_ttl"));
  KONG_ASSIGN_OR_RETURN(uint64_t error_s, NonNegative(conf, "dns_error_ttl"));
  options->dns.stale_ttl_ms = stale_s * 1000;
  options->dns.error_ttl_ms = error_s * 1000;

  // lua_ssl_trusted_certificate: the CAs that verify https services with tls_verify and no
  // ca_certificates of their own.
  KONG_ASSIGN_OR_RETURN(options->upstream_tls.trusted_ca_pem, proxy::TrustedCaFromConf(conf));
  return Status::Ok();
}

// The ssl listeners' default certificate: ssl_cert / ssl_cert_key, else Kong's generated
// <prefix>/ssl/kong-default.crt, which is only created when an ssl listener needs it.
Status ApplyCertificate(const Conf& conf, GatewayOptions* options) {
  bool needed = conf.Has("ssl_cert") || conf.Has("ssl_cert_key");
  for (const net::ListenSpec& spec : options->listen) needed = needed || spec.ssl;
  if (!needed) return Status::Ok();
  KONG_ASSIGN_OR_RETURN(proxy::PemPair pair, proxy::ProxyCertificateFromConf(conf));
  options->ssl_cert_pem = std::move(pair.cert_pem);
  options->ssl_key_pem = std::move(pair.key_pem);
  return Status::Ok();
}

}  // namespace

Result<size_t> ParseNginxSize(std::string_view value, std::string_view setting) {
  std::string_view v = base::Trim(value);
  uint64_t scale = 1;
  if (!v.empty()) {
    switch (v.back()) {
      case 'k': case 'K': scale = uint64_t{1} << 10; break;
      case 'm': case 'M': scale = uint64_t{1} << 20; break;
      case 'g': case 'G': scale = uint64_t{1} << 30; break;
      default: break;
    }
    if (scale != 1) v.remove_suffix(1);
  }
  std::optional<uint64_t> number = ParseUnsigned(v);
  if (!number || *number > std::numeric_limits<uint64_t>::max() / scale) {
    return Status::InvalidArgument(std::string(setting) + ": invalid size '" +
                                   std::string(value) + "'");
  }
  return static_cast<size_t>(*number * scale);
}

Result<uint64_t> ParseNginxTimeMs(std::string_view value, std::string_view setting) {
  auto invalid = [&] {
    return Status::InvalidArgument(std::string(setting) + ": invalid time '" +
                                   std::string(value) + "'");
  };
  std::string_view v = base::Trim(value);
  if (v.empty()) return invalid();
  uint64_t total = 0;
  while (!v.empty()) {
    size_t digits = 0;
    while (digits < v.size() && v[digits] >= '0' && v[digits] <= '9') ++digits;
    std::optional<uint64_t> number = ParseUnsigned(v.substr(0, digits));
    if (!number || *number > (uint64_t{1} << 40)) return invalid();
    v.remove_prefix(digits);
    size_t unit_len = 0;
    while (unit_len < v.size() && !(v[unit_len] >= '0' && v[unit_len] <= '9')) ++unit_len;
    std::string_view unit = v.substr(0, unit_len);
    v.remove_prefix(unit_len);
    uint64_t ms_per_unit = 0;
    if (unit == "ms") ms_per_unit = 1;
    else if (unit.empty() || unit == "s") ms_per_unit = 1000;
    else if (unit == "m") ms_per_unit = 60 * 1000;
    else if (unit == "h") ms_per_unit = 3600 * 1000;
    else if (unit == "d") ms_per_unit = 24ull * 3600 * 1000;
    else if (unit == "w") ms_per_unit = 7ull * 24 * 3600 * 1000;
    else return invalid();
    if (unit.empty() && !v.empty()) return invalid();  // "5 3"
    total += *number * ms_per_unit;
  }
  return total;
}

Result<GatewayOptions> GatewayOptionsFromConf(const Conf& conf, std::string_view kong_version) {
  GatewayOptions options;
  KONG_ASSIGN_OR_RETURN(options.listen,
                        net::ParseListenList(conf.GetList("proxy_listen"), "proxy_listen"));
  KONG_ASSIGN_OR_RETURN(options.workers, WorkerCount(conf));

  const std::string token = proxy::ServerToken(kong_version);
  options.http.server_name = token;
  KONG_RETURN_IF_ERROR(ApplyClientSettings(conf, &options.http));

  options.upstream_headers.server_token = token;
  // real_ip_header's nginx name wins, as Kong's alias does.
  options.upstream_headers.real_ip_header = conf.Has("nginx_proxy_real_ip_header")
                                                ? conf.GetString("nginx_proxy_real_ip_header")
                                                : conf.GetString("real_ip_header");
  const std::string recursive = conf.Has("nginx_proxy_real_ip_recursive")
                                    ? conf.GetString("nginx_proxy_real_ip_recursive")
                                    : conf.GetString("real_ip_recursive");
  if (recursive != "off") {
    // The proxy takes the last X-Forwarded-For address only; a recursive walk would trust a
    // different client address than configured, so it is refused rather than ignored.
    return Status::InvalidArgument("real_ip_recursive: '" + recursive +
                                   "' is not supported (only off)");
  }
  KONG_ASSIGN_OR_RETURN(options.trusted_ips, proxy::TrustedIps::Parse(conf.GetList("trusted_ips")));
  KONG_ASSIGN_OR_RETURN(options.response_headers,
                        proxy::EnabledHeaders::Parse(conf.GetList("headers")));

  KONG_RETURN_IF_ERROR(ApplyUpstreamSettings(conf, &options));
  KONG_RETURN_IF_ERROR(ApplyCertificate(conf, &options));

  // The plugins this node runs: the same `plugins` list its schemas (and the plugin list it
  // reports to a control plane) come from.
  std::vector<std::string> plugins_property =
      conf.Has("plugins") ? conf.GetList("plugins") : std::vector<std::string>{"bundled"};
  KONG_ASSIGN_OR_RETURN(plugins::PluginFactories factories,
                        plugins::BundledPluginFactories(plugins_property));
  options.plugin_factories = std::make_shared<const plugins::PluginFactories>(std::move(factories));

  if (!ParseLogLevel(conf.GetString("log_level"), &options.log_level)) {
    options.log_level = LogLevel::kNotice;
  }
  return options;
}

}  // namespace kong::gateway
