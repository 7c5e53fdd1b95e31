// The headers Kong changes on the response to the client (kong-entities.md §4.8): Via, Server,
// latency headers, X-Kong-Request-Id, and hop-by-hop removal from the upstream's response.
#ifndef KONG_PROXY_RESPONSE_HEADERS_H_
#define KONG_PROXY_RESPONSE_HEADERS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/head_fields.h"
#include "http/header_edits.h"
#include "http/header_map.h"
#include "kong/status.h"

namespace kong::proxy {

// kong.conf `headers`: which Kong headers responses carry. The defaults are Kong 3.10's
// "server_tokens, latency_tokens, X-Kong-Request-Id".
struct EnabledHeaders {
  bool server = true;            // Server: kong/<version>
  bool via = true;               // Via: ..., 1.1 kong/<version>
  bool upstream_latency = true;  // X-Kong-Upstream-Latency
  bool proxy_latency = true;     // X-Kong-Proxy-Latency
  bool response_latency = true;  // X-Kong-Response-Latency (responses Kong produces itself)
  bool request_id = true;        // X-Kong-Request-Id
  bool upstream_status = false;  // X-Kong-Upstream-Status

  // Parses the `headers` list: "server_tokens" (Server and Via), "latency_tokens" (the three
  // latency headers), single header names (any case), or "off" alone for none. An unknown
  // token is an error naming it.
  static Result<EnabledHeaders> Parse(const std::vector<std::string>& tokens);
};

// Facts about one proxied exchange. Views only.
struct ProxiedResponseView {
  int upstream_status = 200;
  int64_t upstream_latency_ms = 0;  // waiting for the upstream (KONG_WAITING_TIME)
  int64_t proxy_latency_ms = 0;     // spent in Kong before proxying (KONG_PROXY_LATENCY)
  std::string_view request_id;
  // "websocket" when the upstream request carried Upgrade: websocket, "" otherwise.
  std::string_view requested_upgrade;
  // True when the upstream request carried "TE: trailers".
  bool client_wants_trailers = false;
  // The HTTP version used towards the upstream, as Via prints it: "1.1" ("2" for grpc).
  std::string_view proxy_http_version = "1.1";
};

// Edits the upstream's response headers in place for the client, as Kong's header_filter and
// nginx's proxy module do:
// - removes Connection and the headers it names (except close, upgrade, keep-alive),
//   Keep-Alive, Transfer-Encoding (the caller re-frames the body), nginx's hidden X-Pad and
//   X-Accel-*, an Upgrade that does not match `requested_upgrade`, and Trailer unless the
//   client asked for trailers;
// - adds X-Kong-Upstream-Status, X-Kong-Upstream-Latency, X-Kong-Proxy-Latency as enabled;
// - Via: the upstream's Via + ", " + "<proxy_http_version> <server_token>";
// - Server: `server_token` only when the upstream sent none;
// - X-Kong-Request-Id replaced by ours.
// `server_token` is ServerToken(version). Thread-safe (touches only `headers`).
// ProxiedHeadFields below produces the same fields without editing the map.
void ApplyProxiedResponseHeaders(const ProxiedResponseView& response,
                                 const EnabledHeaders& enabled, std::string_view server_token,
                                 http::HeaderMap* headers);

// The decisions behind ApplyProxiedResponseHeaders, made once from the upstream's fields:
// which of them go, and Kong's fields to add. Keeps views of its arguments.
class ProxiedResponsePlan {
 public:
  ProxiedResponsePlan(const ProxiedResponseView& response, const EnabledHeaders& enabled,
                      std::string_view server_token, const http::HeaderMap& headers);
  // True when the upstream field `name` is not passed to the client (or is replaced).
  bool Drops(std::string_view name) const;
  // The same for the i-th field of the map the plan was made from (classified once).
  bool DropsField(size_t i, std::string_view name) const;
  // Kong's fields, in order: X-Kong-Upstream-Status, -Upstream-Latency, -Proxy-Latency, Via,
  // Server, X-Kong-Request-Id (as enabled), minus those `edits` replace.
  void EmitAdded(http::FieldSink& sink, const http::HeaderEdits* edits = nullptr) const;

 private:
  bool IsNamed(std::string_view name) const;
  bool Drops(uint8_t kind, std::string_view name) const;

  static constexpr size_t kKnownFields = 32;  // fields whose class is kept from the first pass

  const ProxiedResponseView& response_;
  const EnabledHeaders& enabled_;
  std::string_view server_token_;
  std::vector<std::string> named_;  // fields the upstream's Connection names
  std::string via_;                 // the upstream's Via values, joined
  bool has_server_ = false;
  bool drop_upgrade_ = false;
  bool set_request_id_ = false;
  std::array<uint8_t, kKnownFields> kinds_{};  // the first fields' classes
};

// The client's response head for a proxied response, encoded straight from the upstream's
// fields (http::ResponseWriter::SendHead(int, const HeadFields&)): the upstream's fields the
// plan keeps, then Kong's, then the plugins' `edits` (if any; the fields they replace go).
// Equivalent to ApplyProxiedResponseHeaders and then edits->ApplyTo on a copy.
class ProxiedHeadFields final : public http::HeadFields {
 public:
  ProxiedHeadFields(const ProxiedResponseView& response, const EnabledHeaders& enabled,
                    std::string_view server_token, const http::HeaderMap& headers,
                    const http::HeaderEdits* edits = nullptr)
      : headers_(headers), edits_(edits), plan_(response, enabled, server_token, headers) {}
  void EmitTo(http::FieldSink& sink) const override;

 private:

  const http::HeaderMap& headers_;
  const http::HeaderEdits* edits_;
  ProxiedResponsePlan plan_;
};

// For a response Kong produces itself (router 404/503, error pages, plugin exits):
// X-Kong-Response-Latency, Server (set to `server_token` when enabled, otherwise removed;
// left alone when the response already carries Via equal to `server_token`), and
// X-Kong-Request-Id. No Via.
void ApplyKongResponseHeaders(int64_t response_latency_ms, std::string_view request_id,
                              const EnabledHeaders& enabled, std::string_view server_token,
                              http::HeaderMap* headers);

}  // namespace kong::proxy

#endif  // KONG_PROXY_RESPONSE_HEADERS_H_
