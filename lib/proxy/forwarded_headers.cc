// Mirrors runloop/handler.lua (access.before/after) and the proxy_set_header block of
// templates/nginx_kong.lua, plus the headers nginx's proxy module itself blanks.
#include "proxy/forwarded_headers.h"

#include <array>
#include <vector>

#include "base/text.h"
#include "proxy/trusted_ips.h"

namespace kong::proxy {
namespace {

using http::EqualsIgnoreCase;

// Client headers never passed through: hop-by-hop, reframed by the proxy, or set by Kong.
constexpr std::array<std::string_view, 19> kDropped = {
    "Host",              "Connection",         "Keep-Alive",        "Proxy",
    "Proxy-Connection",  "TE",                 "Trailer",           "Transfer-Encoding",
    "Expect",            "Upgrade",            "Via",               "X-Forwarded-For",
    "X-Forwarded-Proto", "X-Forwarded-Host",   "X-Forwarded-Port",  "X-Forwarded-Path",
    "X-Forwarded-Prefix", "X-Real-IP",         "X-Kong-Request-Id"};

// nginx's $host: the Host header without its port, lower-cased; the server_name ("kong" in
// Kong's template) when there is none.
std::string NginxHost(const http::HeaderMap& headers) {
  const std::optional<std::string_view> host = headers.Get("Host");
  if (!host || host->empty()) return "kong";
  std::string_view h = *host;
  if (h.front() == '[') {
    const size_t close = h.find(']');
    if (close != std::string_view::npos) h = h.substr(0, close + 1);
  } else {
    h = h.substr(0, h.find(':'));
  }
  return base::ToLower(h);
}

// Every value of a header joined with ", " (nginx's $http_x_forwarded_for).
std::string JoinedValues(const http::HeaderMap& headers, std::string_view name) {
  std::string out;
  headers.ForEach(name, [&](std::string_view v) {
    if (!out.empty()) out += ", ";
    out.append(v);
  });
  return out;
}

void AddIfSet(http::HeaderMap* out, std::string_view name, std::string_view value) {
  if (!value.empty()) out->AddCopy(name, value);
}

}  // namespace

std::string ServerToken(std::string_view kong_version) {
  return "kong/" + std::string(kong_version);
}

std::string UpstreamHostHeader(std::string_view host, uint16_t port, std::string_view scheme) {
  std::string out;
  const bool v6 = host.find(':') != std::string_view::npos && host.front() != '[';
  if (v6) out += '[';
  out.append(host);
  if (v6) out += ']';
  const bool plain = scheme == "http" || scheme == "grpc";
  const bool tls = scheme == "https" || scheme == "grpcs";
  if (!((port == 80 && plain) || (port == 443 && tls))) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

std::string ViaVersion(int major, int minor) {
  std::string v = std::to_string(major);
  if (minor != 0) v += "." + std::to_string(minor);
  return v;
}

std::string_view RealIp(const ClientRequestView& client, const UpstreamHeaderOptions& options) {
  if (!client.peer_trusted || options.real_ip_header.empty()) return client.peer_ip;
  std::optional<std::string_view> value = client.headers->Get(options.real_ip_header);
  if (!value) return client.peer_ip;
  std::string_view candidate = base::Trim(*value);
  if (EqualsIgnoreCase(options.real_ip_header, "X-Forwarded-For")) {
    const size_t comma = candidate.rfind(',');
    if (comma != std::string_view::npos) candidate = base::Trim(candidate.substr(comma + 1));
  }
  return IsIpAddress(candidate) ? candidate : client.peer_ip;
}

http::HeaderMap BuildUpstreamHeaders(const ClientRequestView& client,
                                     const UpstreamRequestView& upstream,
                                     const UpstreamHeaderOptions& options) {
  const http::HeaderMap& in = *client.headers;
  http::HeaderMap out;
  out.Reserve(in.size() + 12);  // Kong's own fields first, then the client's

  // Host: the client's when preserve_host (and it sent one), else the balancer target's.
  const std::optional<std::string_view> client_host = in.Get("Host");
  if (upstream.preserve_host && client_host) {
    out.AddCopy("Host", *client_host);
  } else {
    out.Add("Host", UpstreamHostHeader(upstream.upstream_host, upstream.upstream_port,
                                       upstream.upstream_scheme));
  }

  // TE: only "trailers" survives (nginx drops TE; Kong re-adds it when the client asks).
  bool wants_trailers = false;
  in.ForEach("TE", [&](std::string_view te) {
    base::ForEachListToken(te, [&](std::string_view t) {
      wants_trailers = wants_trailers || EqualsIgnoreCase(t, "trailers");
    });
  });
  if (wants_trailers) out.Add("TE", "trailers");

  // Via: the client's, then "<client HTTP version> kong/<version>".
  std::string via = JoinedValues(in, "Via");
  if (!via.empty()) via += ", ";
  via += ViaVersion(client.http_major, client.http_minor);
  via += ' ';
  via += options.server_token;
  out.Add("Via", std::move(via));

  // Upgrade/Connection: keep-alive upstream, and WebSocket upgrades only.
  const std::optional<std::string_view> upgrade = in.Get("Upgrade");
  const bool websocket = upgrade && EqualsIgnoreCase(base::Trim(*upgrade), "websocket");
  if (websocket) out.Add("Upgrade", "websocket");
  out.Add("Connection", websocket ? "keep-alive, Upgrade" : "keep-alive");

  // X-Forwarded-*: a trusted peer's values are kept, anyone else's replaced.
  const std::string_view real_ip = RealIp(client, options);
  std::string forwarded_for = JoinedValues(in, "X-Forwarded-For");
  if (forwarded_for.empty()) {
    forwarded_for.assign(real_ip);
  } else {
    forwarded_for += ", ";
    forwarded_for.append(client.peer_ip);  // the hop that connected to us, never a claim
  }
  out.Add("X-Forwarded-For", std::move(forwarded_for));

  const std::string host = NginxHost(in);
  const std::string port = std::to_string(client.listener_port);
  auto trusted_or = [&](std::string_view name, std::string_view own) -> std::string_view {
    if (!client.peer_trusted) return own;
    const std::optional<std::string_view> v = in.Get(name);
    return v ? *v : own;
  };
  AddIfSet(&out, "X-Forwarded-Proto", trusted_or("X-Forwarded-Proto", client.scheme));
  AddIfSet(&out, "X-Forwarded-Host", trusted_or("X-Forwarded-Host", host));
  AddIfSet(&out, "X-Forwarded-Port", trusted_or("X-Forwarded-Port", port));
  AddIfSet(&out, "X-Forwarded-Path", trusted_or("X-Forwarded-Path", client.raw_path));
  AddIfSet(&out, "X-Forwarded-Prefix",
           trusted_or("X-Forwarded-Prefix", upstream.stripped_prefix.value_or("")));
  AddIfSet(&out, "X-Real-IP", real_ip);
  if (options.send_request_id) AddIfSet(&out, "X-Kong-Request-Id", client.request_id);

  // Headers named by Connection are hop-by-hop (RFC 9110 §7.6.1).
  std::vector<std::string_view> named;
  in.ForEach("Connection", [&](std::string_view c) {
    base::ForEachListToken(c, [&](std::string_view t) { named.push_back(t); });
  });
  for (const auto& [name, value] : in) {
    bool drop = false;
    for (std::string_view d : kDropped) drop = drop || EqualsIgnoreCase(name, d);
    if (!options.send_request_id && EqualsIgnoreCase(name, "X-Kong-Request-Id")) drop = false;
    for (std::string_view n : named) drop = drop || EqualsIgnoreCase(name, n);
    if (!drop) out.AddCopy(name, value);
  }
  return out;
}

}  // namespace kong::proxy
