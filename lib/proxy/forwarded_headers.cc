// Mirrors runloop/handler.lua (access.before/after) and the proxy_set_header block of
// templates/nginx_kong.lua, plus the headers nginx's proxy module itself blanks.
#include "proxy/forwarded_headers.h"

#include <array>
#include <charconv>
#include <cstring>
#include <vector>

#include "base/text.h"
#include "http/encoding.h"
#include "http/head_fields.h"
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

// The serialized head, minus the client's framing fields when the proxy frames the body.
class HeadSink final : public http::FieldSink {
 public:
  HeadSink(http::WireWriter* out, bool drop_framing) : out_(out), drop_framing_(drop_framing) {}
  void Add(std::string_view name, std::string_view value) override {
    if (drop_framing_ && (EqualsIgnoreCase(name, "Content-Length") ||
                          EqualsIgnoreCase(name, "Transfer-Encoding"))) {
      return;
    }
    out_->Field(name, value);
  }

 private:
  http::WireWriter* out_;
  bool drop_framing_;
};

// A short text built on the stack (a host, a port, Via): the per-request path allocates
// nothing for Kong's own fields. Longer texts spill into `spill`.
class StackText {
 public:
  StackText& Append(std::string_view s) {
    if (spill_.empty() && size_ + s.size() <= buf_.size()) {
      std::memcpy(buf_.data() + size_, s.data(), s.size());
      size_ += s.size();
    } else {
      if (spill_.empty()) spill_.assign(buf_.data(), size_);
      spill_.append(s);
    }
    return *this;
  }
  StackText& Append(char c) { return Append(std::string_view(&c, 1)); }
  StackText& AppendNumber(uint64_t v) {
    std::array<char, 24> digits;
    char* end = std::to_chars(digits.data(), digits.data() + digits.size(), v).ptr;
    return Append(std::string_view(digits.data(), static_cast<size_t>(end - digits.data())));
  }
  std::string_view view() const {
    return spill_.empty() ? std::string_view(buf_.data(), size_) : std::string_view(spill_);
  }
  bool empty() const { return view().empty(); }

 private:
  std::array<char, 96> buf_;
  size_t size_ = 0;
  std::string spill_;
};

// nginx's $host: the Host header without its port, lower-cased; the server_name ("kong" in
// Kong's template) when there is none.
void AppendNginxHost(const http::HeaderMap& headers, StackText* out) {
  const std::optional<std::string_view> host = headers.Get("Host");
  if (!host || host->empty()) {
    out->Append("kong");
    return;
  }
  std::string_view h = *host;
  if (h.front() == '[') {
    const size_t close = h.find(']');
    if (close != std::string_view::npos) h = h.substr(0, close + 1);
  } else {
    h = h.substr(0, h.find(':'));
  }
  for (char c : h) out->Append(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
}

// Every value of a header joined with ", " (nginx's $http_x_forwarded_for).
void AppendJoinedValues(const http::HeaderMap& headers, std::string_view name, StackText* out) {
  headers.ForEach(name, [&](std::string_view v) {
    if (!out->empty()) out->Append(", ");
    out->Append(v);
  });
}

void AppendUpstreamHost(std::string_view host, uint16_t port, std::string_view scheme,
                        StackText* out) {
  const bool v6 = host.find(':') != std::string_view::npos && host.front() != '[';
  if (v6) out->Append('[');
  out->Append(host);
  if (v6) out->Append(']');
  const bool plain = scheme == "http" || scheme == "grpc";
  const bool tls = scheme == "https" || scheme == "grpcs";
  if (!((port == 80 && plain) || (port == 443 && tls))) out->Append(':').AppendNumber(port);
}

void AppendViaVersion(int major, int minor, StackText* out) {
  out->AppendNumber(static_cast<uint64_t>(major));
  if (minor != 0) out->Append('.').AppendNumber(static_cast<uint64_t>(minor));
}

bool Dropped(std::string_view name) {
  for (std::string_view d : kDropped) {
    if (EqualsIgnoreCase(name, d)) return true;
  }
  return false;
}

void EmitUpstreamHeaders(const ClientRequestView& client, const UpstreamRequestView& upstream,
                         const UpstreamHeaderOptions& options, http::FieldSink& out) {
  const http::HeaderMap& in = *client.headers;

  // Host: the client's when preserve_host (and it sent one), else the balancer target's.
  const std::optional<std::string_view> client_host = in.Get("Host");
  if (upstream.preserve_host && client_host) {
    out.Add("Host", *client_host);
  } else if (!upstream.host_header.empty()) {
    out.Add("Host", upstream.host_header);
  } else {
    StackText host;
    AppendUpstreamHost(upstream.upstream_host, upstream.upstream_port, upstream.upstream_scheme,
                       &host);
    out.Add("Host", host.view());
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
  {
    StackText via;
    AppendJoinedValues(in, "Via", &via);
    if (!via.empty()) via.Append(", ");
    AppendViaVersion(client.http_major, client.http_minor, &via);
    via.Append(' ').Append(options.server_token);
    out.Add("Via", via.view());
  }

  // Upgrade/Connection: keep-alive upstream, and WebSocket upgrades only.
  const std::optional<std::string_view> upgrade = in.Get("Upgrade");
  const bool websocket = upgrade && EqualsIgnoreCase(base::Trim(*upgrade), "websocket");
  if (websocket) out.Add("Upgrade", "websocket");
  out.Add("Connection", websocket ? "keep-alive, Upgrade" : "keep-alive");

  // X-Forwarded-*: a trusted peer's values are kept, anyone else's replaced.
  const std::string_view real_ip = RealIp(client, options);
  {
    StackText forwarded_for;
    AppendJoinedValues(in, "X-Forwarded-For", &forwarded_for);
    if (forwarded_for.empty()) {
      forwarded_for.Append(real_ip);
    } else {
      forwarded_for.Append(", ").Append(client.peer_ip);  // the hop that connected to us
    }
    out.Add("X-Forwarded-For", forwarded_for.view());
  }

  StackText host;
  AppendNginxHost(in, &host);
  StackText port;
  port.AppendNumber(client.listener_port);
  auto trusted_or = [&](std::string_view name, std::string_view own) -> std::string_view {
    if (!client.peer_trusted) return own;
    const std::optional<std::string_view> v = in.Get(name);
    return v ? *v : own;
  };
  auto add_if_set = [&](std::string_view name, std::string_view value) {
    if (!value.empty()) out.Add(name, value);
  };
  add_if_set("X-Forwarded-Proto", trusted_or("X-Forwarded-Proto", client.scheme));
  add_if_set("X-Forwarded-Host", trusted_or("X-Forwarded-Host", host.view()));
  add_if_set("X-Forwarded-Port", trusted_or("X-Forwarded-Port", port.view()));
  add_if_set("X-Forwarded-Path", trusted_or("X-Forwarded-Path", client.raw_path));
  add_if_set("X-Forwarded-Prefix",
             trusted_or("X-Forwarded-Prefix", upstream.stripped_prefix.value_or("")));
  add_if_set("X-Real-IP", real_ip);
  if (options.send_request_id) add_if_set("X-Kong-Request-Id", client.request_id);

  // Headers named by Connection are hop-by-hop (RFC 9110 §7.6.1).
  std::vector<std::string_view> named;
  in.ForEach("Connection", [&](std::string_view c) {
    base::ForEachListToken(c, [&](std::string_view t) { named.push_back(t); });
  });
  for (const auto& [name, value] : in) {
    bool drop = Dropped(name);
    if (drop && !options.send_request_id && EqualsIgnoreCase(name, "X-Kong-Request-Id")) {
      drop = false;
    }
    for (std::string_view n : named) drop = drop || EqualsIgnoreCase(name, n);
    if (!drop) out.Add(name, value);
  }
}

}  // namespace

std::string ServerToken(std::string_view kong_version) {
  return "kong/" + std::string(kong_version);
}

std::string UpstreamHostHeader(std::string_view host, uint16_t port, std::string_view scheme) {
  StackText out;
  AppendUpstreamHost(host, port, scheme, &out);
  return std::string(out.view());
}

std::string ViaVersion(int major, int minor) {
  StackText out;
  AppendViaVersion(major, minor, &out);
  return std::string(out.view());
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
  http::HeaderMap out;
  out.Reserve(client.headers->size() + 12);  // Kong's own fields first, then the client's
  http::HeaderMapSink sink(&out);
  EmitUpstreamHeaders(client, upstream, options, sink);
  return out;
}

void AppendUpstreamRequestHead(std::string_view method, std::string_view target,
                               const UpstreamFraming& framing, const ClientRequestView& client,
                               const UpstreamRequestView& upstream,
                               const UpstreamHeaderOptions& options, std::string* out) {
  // Sized once: the client's fields plus room for Kong's (hosts, X-Forwarded-*, Via).
  size_t size = method.size() + target.size() + 512 + client.raw_path.size();
  for (const auto& [name, value] : *client.headers) size += name.size() + value.size() + 4;
  http::WireWriter w(out, size);
  w.Append(method);
  w.Append(" ");
  w.Append(target);
  w.Append(" HTTP/1.1\r\n");
  HeadSink sink(&w, framing.kind != UpstreamFraming::Kind::kAsIs);
  EmitUpstreamHeaders(client, upstream, options, sink);
  if (framing.kind == UpstreamFraming::Kind::kChunked) {
    w.Append("Transfer-Encoding: chunked\r\n");
  } else if (framing.kind == UpstreamFraming::Kind::kLength) {
    StackText length;
    length.AppendNumber(framing.length);
    w.Field("Content-Length", length.view());
  }
  w.Append("\r\n");
}

}  // namespace kong::proxy
