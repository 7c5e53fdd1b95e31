// Kong runloop header_filter (before/after) plus the upstream headers nginx never passes on.
#include "proxy/response_headers.h"

#include <array>
#include <charconv>
#include <optional>

#include "base/text.h"

namespace kong::proxy {
namespace {

using http::EqualsIgnoreCase;

// An integer's digits on the stack, for AddCopy (latency headers on every response).
struct DecimalText {
  explicit DecimalText(int64_t v) : end(std::to_chars(buf.data(), buf.data() + buf.size(), v).ptr) {}
  DecimalText(const DecimalText&) = delete;  // `end` points into `buf`
  std::string_view view() const { return std::string_view(buf.data(), static_cast<size_t>(end - buf.data())); }
  std::array<char, 24> buf;
  char* end;
};

// Not passed by nginx's proxy module: connection management, framing, and the X-Accel
// control headers hidden by default (Kong passes Server and Date explicitly).
constexpr std::array<std::string_view, 9> kDropped = {
    "Connection",       "Keep-Alive",         "Transfer-Encoding",
    "X-Pad",            "X-Accel-Expires",    "X-Accel-Redirect",
    "X-Accel-Limit-Rate", "X-Accel-Buffering", "X-Accel-Charset"};

}  // namespace

Result<EnabledHeaders> EnabledHeaders::Parse(const std::vector<std::string>& tokens) {
  EnabledHeaders e{false, false, false, false, false, false, false};  // "off" unless listed
  for (const std::string& raw : tokens) {
    const std::string t = base::ToLower(base::Trim(raw));
    if (t.empty() || t == "off") continue;
    if (t == "server_tokens") {
      e.server = e.via = true;
    } else if (t == "latency_tokens") {
      e.upstream_latency = e.proxy_latency = e.response_latency = true;
    } else if (t == "server") {
      e.server = true;
    } else if (t == "via") {
      e.via = true;
    } else if (t == "x-kong-upstream-latency") {
      e.upstream_latency = true;
    } else if (t == "x-kong-proxy-latency") {
      e.proxy_latency = true;
    } else if (t == "x-kong-response-latency") {
      e.response_latency = true;
    } else if (t == "x-kong-request-id") {
      e.request_id = true;
    } else if (t == "x-kong-upstream-status") {
      e.upstream_status = true;
    } else {
      return Status::InvalidArgument("headers: invalid entry '" + raw + "'");
    }
  }
  return e;
}

void ApplyProxiedResponseHeaders(const ProxiedResponseView& response,
                                 const EnabledHeaders& enabled, std::string_view server_token,
                                 http::HeaderMap* headers) {
  // Headers named by the upstream's Connection; copied since the Connection field goes too.
  std::vector<std::string> named;
  headers->ForEach("Connection", [&](std::string_view c) {
    base::ForEachListToken(c, [&](std::string_view t) {
      if (!EqualsIgnoreCase(t, "close") && !EqualsIgnoreCase(t, "upgrade") &&
          !EqualsIgnoreCase(t, "keep-alive")) {
        named.emplace_back(t);
      }
    });
  });
  auto is_named = [&](std::string_view name) {
    for (const std::string& n : named) {
      if (EqualsIgnoreCase(name, n)) return true;
    }
    return false;
  };
  // What the single removal pass below needs: the first Upgrade value, the Via values and
  // whether a Server field survives (read before anything moves).
  std::optional<std::string_view> upgrade;
  bool has_server = false;
  std::string via;
  for (const auto& [name, value] : *headers) {
    if (!upgrade && EqualsIgnoreCase(name, "Upgrade")) upgrade = value;
    if (is_named(name)) continue;
    if (enabled.via && EqualsIgnoreCase(name, "Via")) {
      if (!via.empty()) via += ", ";
      via.append(value);
    }
    has_server = has_server || EqualsIgnoreCase(name, "Server");
  }
  const bool drop_upgrade = upgrade && !EqualsIgnoreCase(*upgrade, response.requested_upgrade);
  const bool set_request_id = enabled.request_id && !response.request_id.empty();
  // Every field removed here, including those set again below (Set() = remove + append).
  headers->RemoveIf([&](const http::HeaderMap::Field& f) {
    std::string_view name = f.first;
    for (std::string_view d : kDropped) {
      if (EqualsIgnoreCase(name, d)) return true;
    }
    return is_named(name) || (drop_upgrade && EqualsIgnoreCase(name, "Upgrade")) ||
           (!response.client_wants_trailers && EqualsIgnoreCase(name, "Trailer")) ||
           (enabled.upstream_status && EqualsIgnoreCase(name, "X-Kong-Upstream-Status")) ||
           (enabled.upstream_latency && EqualsIgnoreCase(name, "X-Kong-Upstream-Latency")) ||
           (enabled.proxy_latency && EqualsIgnoreCase(name, "X-Kong-Proxy-Latency")) ||
           (enabled.via && EqualsIgnoreCase(name, "Via")) ||
           (set_request_id && EqualsIgnoreCase(name, "X-Kong-Request-Id"));
  });

  if (enabled.upstream_status) {
    headers->AddCopy("X-Kong-Upstream-Status", DecimalText(response.upstream_status).view());
  }
  if (enabled.upstream_latency) {
    headers->AddCopy("X-Kong-Upstream-Latency", DecimalText(response.upstream_latency_ms).view());
  }
  if (enabled.proxy_latency) {
    headers->AddCopy("X-Kong-Proxy-Latency", DecimalText(response.proxy_latency_ms).view());
  }
  if (enabled.via) {
    if (!via.empty()) via += ", ";
    via.append(response.proxy_http_version);
    via += ' ';
    via.append(server_token);
    headers->Add("Via", std::move(via));
  }
  if (enabled.server && !has_server) headers->AddCopy("Server", server_token);
  if (set_request_id) headers->AddCopy("X-Kong-Request-Id", response.request_id);
}

void ApplyKongResponseHeaders(int64_t response_latency_ms, std::string_view request_id,
                              const EnabledHeaders& enabled, std::string_view server_token,
                              http::HeaderMap* headers) {
  if (enabled.response_latency) {
    headers->SetCopy("X-Kong-Response-Latency", DecimalText(response_latency_ms).view());
  }
  // A plugin that short-circuits with "Via: kong/x" keeps its headers as they are.
  const auto via = headers->Get("Via");
  if (!(enabled.via && via && *via == server_token)) {
    if (enabled.server) {
      headers->SetCopy("Server", server_token);
    } else {
      headers->Remove("Server");
    }
  }
  if (enabled.request_id && !request_id.empty()) {
    headers->SetCopy("X-Kong-Request-Id", request_id);
  }
}

}  // namespace kong::proxy
