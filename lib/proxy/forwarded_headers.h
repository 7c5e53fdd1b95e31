// The header set of the upstream request, as Kong's runloop and nginx_kong.lua build it
// (kong-entities.md §4.6-§4.7): Host, X-Forwarded-*, X-Real-IP, Via, X-Kong-Request-Id,
// Connection/Upgrade/TE, and hop-by-hop removal.
#ifndef KONG_PROXY_FORWARDED_HEADERS_H_
#define KONG_PROXY_FORWARDED_HEADERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/header_map.h"

namespace kong::proxy {

// Per-configuration settings (kong.conf), built once and shared read-only by the workers.
struct UpstreamHeaderOptions {
  // "kong/<version>", e.g. "kong/3.10.0" (see ServerToken()); the product token in Via.
  std::string server_token;
  // headers_upstream contains X-Kong-Request-Id (Kong's default).
  bool send_request_id = true;
  // real_ip_header: the header a trusted peer names the client in. "X-Forwarded-For" takes its
  // last address (real_ip_recursive=off); other names take the whole value. The value is
  // used only when it is an IP address.
  std::string real_ip_header = "X-Real-IP";
};

// The client side of one request. Views into the request; nothing is copied or owned.
struct ClientRequestView {
  const http::HeaderMap* headers = nullptr;  // REQUIRES: non-null
  // The address that connected to us (nginx's $realip_remote_addr): "1.2.3.4", "::1",
  // "unix:". See PeerIp().
  std::string_view peer_ip;
  // TrustedIps::IsTrusted(peer_ip), computed by the caller once per connection.
  bool peer_trusted = false;
  std::string_view scheme = "http";  // "http" or "https": how the client reached us
  uint16_t listener_port = 0;        // the port the client connected to (X-Forwarded-Port)
  std::string_view raw_path;         // the request path as received, query removed
  int http_major = 1;
  int http_minor = 1;
  std::string_view request_id;  // X-Kong-Request-Id
};

// What the router and balancer chose for the request.
struct UpstreamRequestView {
  // StrippedPrefix() of the path decision: X-Forwarded-Prefix when the peer is untrusted.
  std::optional<std::string_view> stripped_prefix;
  // route.preserve_host: send the client's Host header unchanged.
  bool preserve_host = false;
  // service.protocol: "http", "https", "grpc" or "grpcs" (decides which port is default).
  std::string_view upstream_scheme = "http";
  // The balancer's target host name (service.host, or upstream.host_header) and port.
  std::string_view upstream_host;
  uint16_t upstream_port = 80;
  // UpstreamHostHeader(upstream_host, upstream_port, upstream_scheme) when the caller has it
  // ready (a service's own host, formatted once per configuration); "" to format it here.
  std::string_view host_header;
};

// "kong/" + version, e.g. ServerToken("3.10.0") == "kong/3.10.0".
std::string ServerToken(std::string_view kong_version);

// Kong's balancer.set_host_header: `host`, plus ":port" unless the port is 80 with http/grpc
// or 443 with https/grpcs. An IPv6 literal is bracketed ("[::1]:8080").
std::string UpstreamHostHeader(std::string_view host, uint16_t port, std::string_view scheme);

// The HTTP version as Kong prints it in Via (Lua number formatting): "1.1", "1" for HTTP/1.0,
// "2" for HTTP/2.
std::string ViaVersion(int major, int minor);

// nginx's $remote_addr after the realip module: the trusted peer's real_ip_header address, or
// the peer itself. The view points into `client`'s headers or peer_ip.
std::string_view RealIp(const ClientRequestView& client, const UpstreamHeaderOptions& options);

// The headers to send upstream, in nginx's order: the headers Kong sets, then the client's
// remaining headers in arrival order. Dropped from the client's set: Host, Connection and every
// header it names, Keep-Alive, Proxy, Proxy-Connection, TE (re-added as "TE: trailers" only when
// the client's TE lists trailers), Trailer, Transfer-Encoding, Expect (the proxy answers
// 100-continue itself, as nginx does), Upgrade (re-added only for a WebSocket upgrade, with
// "Connection: keep-alive, Upgrade"), and the headers below that Kong sets itself.
// Content-Length is passed through; the caller frames a body of unknown length (chunked) and
// adds Transfer-Encoding itself. Headers Kong would set to an empty value are left out, as
// nginx's proxy_set_header does. Pure and thread-safe.
http::HeaderMap BuildUpstreamHeaders(const ClientRequestView& client,
                                     const UpstreamRequestView& upstream,
                                     const UpstreamHeaderOptions& options);

// How the request body is framed upstream, for AppendUpstreamRequestHead.
struct UpstreamFraming {
  enum class Kind {
    kAsIs,     // the client's Content-Length (if any) goes through
    kChunked,  // "Transfer-Encoding: chunked"; the client's framing fields are dropped
    kLength,   // "Content-Length: <length>" (a body a plugin replaced); the client's dropped
  } kind = Kind::kAsIs;
  uint64_t length = 0;
};

// The whole upstream request head, "<method> <target> HTTP/1.1\r\n" + the fields of
// BuildUpstreamHeaders() + the framing field + "\r\n", appended to `out` without building a
// HeaderMap first (the proxy's per-request path).
void AppendUpstreamRequestHead(std::string_view method, std::string_view target,
                               const UpstreamFraming& framing, const ClientRequestView& client,
                               const UpstreamRequestView& upstream,
                               const UpstreamHeaderOptions& options, std::string* out);

}  // namespace kong::proxy

#endif  // KONG_PROXY_FORWARDED_HEADERS_H_
