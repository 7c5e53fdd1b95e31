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

// The upstream response fields Kong's header filter treats specially. Hop: not passed by
// nginx's proxy module (connection management, framing, and the X-Accel control headers
// hidden by default; Kong passes Server and Date explicitly).
enum class Field {
  kOther, kHop, kConnection, kUpgrade, kTrailer, kVia, kServer, kUpstreamStatus,
  kUpstreamLatency, kProxyLatency, kRequestId,
};

// One length switch, then at most two comparisons: runs for every upstream field.
Field Classify(std::string_view name) {
  auto is = [name](std::string_view known) { return EqualsIgnoreCase(name, known); };
  switch (name.size()) {
    case 3: return is("Via") ? Field::kVia : Field::kOther;
    case 5: return is("X-Pad") ? Field::kHop : Field::kOther;
    case 6: return is("Server") ? Field::kServer : Field::kOther;
    case 7:
      if (is("Upgrade")) return Field::kUpgrade;
      return is("Trailer") ? Field::kTrailer : Field::kOther;
    case 10:
      if (is("Connection")) return Field::kConnection;
      return is("Keep-Alive") ? Field::kHop : Field::kOther;
    case 15: return is("X-Accel-Expires") || is("X-Accel-Charset") ? Field::kHop : Field::kOther;
    case 16: return is("X-Accel-Redirect") ? Field::kHop : Field::kOther;
    case 17:
      if (is("Transfer-Encoding") || is("X-Accel-Buffering")) return Field::kHop;
      return is("X-Kong-Request-Id") ? Field::kRequestId : Field::kOther;
    case 18: return is("X-Accel-Limit-Rate") ? Field::kHop : Field::kOther;
    case 20: return is("X-Kong-Proxy-Latency") ? Field::kProxyLatency : Field::kOther;
    case 22: return is("X-Kong-Upstream-Status") ? Field::kUpstreamStatus : Field::kOther;
    case 23: return is("X-Kong-Upstream-Latency") ? Field::kUpstreamLatency : Field::kOther;
    default: return Field::kOther;
  }
}

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

ProxiedResponsePlan::ProxiedResponsePlan(const ProxiedResponseView& response,
                                         const EnabledHeaders& enabled,
                                         std::string_view server_token,
                                         const http::HeaderMap& headers)
    : response_(response), enabled_(enabled), server_token_(server_token) {
  // One pass: what the upstream's Connection names (copied: that field goes), the first
  // Upgrade value, the Via values and whether a Server field survives.
  std::optional<std::string_view> upgrade;
  size_t i = 0;
  for (const auto& [name, value] : headers) {
    const Field kind = Classify(name);
    if (i < kKnownFields) kinds_[i++] = static_cast<uint8_t>(kind);
    if (kind == Field::kConnection) {
      base::ForEachListToken(value, [&](std::string_view t) {
        if (!EqualsIgnoreCase(t, "close") && !EqualsIgnoreCase(t, "upgrade") &&
            !EqualsIgnoreCase(t, "keep-alive")) {
          named_.emplace_back(t);
        }
      });
    } else if (kind == Field::kUpgrade && !upgrade) {
      upgrade = value;
    }
  }
  i = 0;
  for (const auto& [name, value] : headers) {
    const Field kind = i < kKnownFields ? static_cast<Field>(kinds_[i++]) : Classify(name);
    if ((kind != Field::kVia && kind != Field::kServer) || IsNamed(name)) continue;
    if (kind == Field::kServer) {
      has_server_ = true;
    } else if (enabled.via) {
      if (!via_.empty()) via_ += ", ";
      via_.append(value);
    }
  }
  drop_upgrade_ = upgrade && !EqualsIgnoreCase(*upgrade, response.requested_upgrade);
  set_request_id_ = enabled.request_id && !response.request_id.empty();
}

bool ProxiedResponsePlan::IsNamed(std::string_view name) const {
  for (const std::string& n : named_) {
    if (EqualsIgnoreCase(name, n)) return true;
  }
  return false;
}

bool ProxiedResponsePlan::Drops(std::string_view name) const {
  return Drops(static_cast<uint8_t>(Classify(name)), name);
}

bool ProxiedResponsePlan::DropsField(size_t i, std::string_view name) const {
  return i < kKnownFields ? Drops(kinds_[i], name) : Drops(name);
}

bool ProxiedResponsePlan::Drops(uint8_t kind, std::string_view name) const {
  switch (static_cast<Field>(kind)) {
    case Field::kHop:
    case Field::kConnection: return true;
    case Field::kUpgrade: return drop_upgrade_ || IsNamed(name);
    case Field::kTrailer: return !response_.client_wants_trailers || IsNamed(name);
    case Field::kVia: return enabled_.via || IsNamed(name);
    case Field::kUpstreamStatus: return enabled_.upstream_status || IsNamed(name);
    case Field::kUpstreamLatency: return enabled_.upstream_latency || IsNamed(name);
    case Field::kProxyLatency: return enabled_.proxy_latency || IsNamed(name);
    case Field::kRequestId: return set_request_id_ || IsNamed(name);
    case Field::kServer:
    case Field::kOther: return IsNamed(name);
  }
  return false;
}

void ProxiedResponsePlan::EmitAdded(http::FieldSink& sink, const http::HeaderEdits* edits) const {
  auto add = [&](std::string_view name, std::string_view value) {
    if (edits == nullptr || !edits->Replaces(name)) sink.Add(name, value);
  };
  if (enabled_.upstream_status) {
    add("X-Kong-Upstream-Status", DecimalText(response_.upstream_status).view());
  }
  if (enabled_.upstream_latency) {
    add("X-Kong-Upstream-Latency", DecimalText(response_.upstream_latency_ms).view());
  }
  if (enabled_.proxy_latency) {
    add("X-Kong-Proxy-Latency", DecimalText(response_.proxy_latency_ms).view());
  }
  if (enabled_.via) {
    std::string via = via_;  // short: "1.1 kong/x.y.z" fits the string's own buffer
    if (!via.empty()) via += ", ";
    via.append(response_.proxy_http_version);
    via += ' ';
    via.append(server_token_);
    add("Via", via);
  }
  if (enabled_.server && !has_server_) add("Server", server_token_);
  if (set_request_id_) add("X-Kong-Request-Id", response_.request_id);
}

void ProxiedHeadFields::EmitTo(http::FieldSink& sink) const {
  // The plugins' edits (if any): the fields their Sets and Removes name go, theirs come last.
  size_t i = 0;
  for (const auto& [name, value] : headers_) {
    if (!plan_.DropsField(i++, name) && !(edits_ && edits_->Replaces(name))) sink.Add(name, value);
  }
  plan_.EmitAdded(sink, edits_);
  if (edits_ != nullptr) edits_->EmitTo(sink);
}

void ApplyProxiedResponseHeaders(const ProxiedResponseView& response,
                                 const EnabledHeaders& enabled, std::string_view server_token,
                                 http::HeaderMap* headers) {
  const ProxiedResponsePlan plan(response, enabled, server_token, *headers);
  // Every field removed here, including those set again below (Set() = remove + append).
  headers->RemoveIf([&](const http::HeaderMap::Field& f) { return plan.Drops(f.first); });
  http::HeaderMapSink sink(headers);
  plan.EmitAdded(sink);
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
