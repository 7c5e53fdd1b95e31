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
  // `s` with 'A'..'Z' in lower case: appended whole, then lowered in place.
  StackText& AppendLower(std::string_view s) {
    Append(s);
    char* p = (spill_.empty() ? buf_.data() + size_ : spill_.data() + spill_.size()) - s.size();
    for (size_t i = 0; i < s.size(); ++i) {
      if (p[i] >= 'A' && p[i] <= 'Z') p[i] = static_cast<char>(p[i] - 'A' + 'a');
    }
    return *this;
  }
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
void AppendNginxHost(std::optional<std::string_view> host, StackText* out) {
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
  out->AppendLower(h);
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

// The client fields Kong sets itself or never passes on: hop-by-hop, reframed by the proxy,
// or set by Kong. One length switch and a few comparisons per field (every client field of
// every request comes through here).
enum class ClientField {
  kPassed, kDropped, kHost, kConnection, kTE, kVia, kUpgrade, kForwardedFor, kRequestId,
};

ClientField Classify(std::string_view name) {
  auto is = [name](std::string_view known) { return EqualsIgnoreCase(name, known); };
  switch (name.size()) {
    case 2: return is("TE") ? ClientField::kTE : ClientField::kPassed;
    case 3: return is("Via") ? ClientField::kVia : ClientField::kPassed;
    case 4: return is("Host") ? ClientField::kHost : ClientField::kPassed;
    case 5: return is("Proxy") ? ClientField::kDropped : ClientField::kPassed;
    case 6: return is("Expect") ? ClientField::kDropped : ClientField::kPassed;
    case 7:
      if (is("Upgrade")) return ClientField::kUpgrade;
      return is("Trailer") ? ClientField::kDropped : ClientField::kPassed;
    case 9: return is("X-Real-IP") ? ClientField::kDropped : ClientField::kPassed;
    case 10:
      if (is("Connection")) return ClientField::kConnection;
      return is("Keep-Alive") ? ClientField::kDropped : ClientField::kPassed;
    case 15: return is("X-Forwarded-For") ? ClientField::kForwardedFor : ClientField::kPassed;
    case 16:
      return is("Proxy-Connection") || is("X-Forwarded-Host") || is("X-Forwarded-Port") ||
                     is("X-Forwarded-Path")
                 ? ClientField::kDropped
                 : ClientField::kPassed;
    case 17:
      if (is("X-Kong-Request-Id")) return ClientField::kRequestId;
      return is("Transfer-Encoding") || is("X-Forwarded-Proto") ? ClientField::kDropped
                                                                 : ClientField::kPassed;
    case 18: return is("X-Forwarded-Prefix") ? ClientField::kDropped : ClientField::kPassed;
    default: return ClientField::kPassed;
  }
}

// What Kong's fields need from the client's, gathered in one pass.
struct ClientFacts {
  std::optional<std::string_view> host;     // the first Host
  std::optional<std::string_view> upgrade;  // the first Upgrade
  bool wants_trailers = false;              // TE lists "trailers"
  StackText via;                            // every Via value, joined with ", "
  StackText forwarded_for;                  // every X-Forwarded-For value, joined
  std::vector<std::string_view> named;      // Connection's tokens: hop-by-hop field names
};

void Gather(const http::HeaderMap& in, ClientFacts* facts) {
  for (const auto& [name, value] : in) {
    switch (Classify(name)) {
      case ClientField::kHost:
        if (!facts->host) facts->host = value;
        break;
      case ClientField::kUpgrade:
        if (!facts->upgrade) facts->upgrade = value;
        break;
      case ClientField::kTE:
        base::ForEachListToken(value, [&](std::string_view t) {
          facts->wants_trailers = facts->wants_trailers || EqualsIgnoreCase(t, "trailers");
        });
        break;
      case ClientField::kVia:
        if (!facts->via.empty()) facts->via.Append(", ");
        facts->via.Append(value);
        break;
      case ClientField::kForwardedFor:
        if (!facts->forwarded_for.empty()) facts->forwarded_for.Append(", ");
        facts->forwarded_for.Append(value);
        break;
      case ClientField::kConnection:
        base::ForEachListToken(value, [&](std::string_view t) { facts->named.push_back(t); });
        break;
      default: break;
    }
  }
}

void EmitUpstreamHeaders(const ClientRequestView& client, const UpstreamRequestView& upstream,
                         const UpstreamHeaderOptions& options, http::FieldSink& out) {
  const http::HeaderMap& in = *client.headers;
  ClientFacts facts;
  Gather(in, &facts);

  // Host: the client's when preserve_host (and it sent one), else the balancer target's.
  if (upstream.preserve_host && facts.host) {
    out.Add("Host", *facts.host);
  } else if (!upstream.host_header.empty()) {
    out.Add("Host", upstream.host_header);
  } else {
    StackText host;
    AppendUpstreamHost(upstream.upstream_host, upstream.upstream_port, upstream.upstream_scheme,
                       &host);
    out.Add("Host", host.view());
  }

  // TE: only "trailers" survives (nginx drops TE; Kong re-adds it when the client asks).
  if (facts.wants_trailers) out.Add("TE", "trailers");

  // Via: the client's, then "<client HTTP version> kong/<version>".
  StackText& via = facts.via;
  if (!via.empty()) via.Append(", ");
  AppendViaVersion(client.http_major, client.http_minor, &via);
  via.Append(' ').Append(options.server_token);
  out.Add("Via", via.view());

  // Upgrade/Connection: keep-alive upstream, and WebSocket upgrades only.
  const bool websocket =
      facts.upgrade && EqualsIgnoreCase(base::Trim(*facts.upgrade), "websocket");
  if (websocket) out.Add("Upgrade", "websocket");
  out.Add("Connection", websocket ? "keep-alive, Upgrade" : "keep-alive");

  // X-Forwarded-*: a trusted peer's values are kept, anyone else's replaced.
  const std::string_view real_ip = RealIp(client, options);
  StackText& forwarded_for = facts.forwarded_for;
  if (forwarded_for.empty()) {
    forwarded_for.Append(real_ip);
  } else {
    forwarded_for.Append(", ").Append(client.peer_ip);  // the hop that connected to us
  }
  out.Add("X-Forwarded-For", forwarded_for.view());

  StackText host;
  AppendNginxHost(facts.host, &host);
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

  // The client's other fields; those named by Connection are hop-by-hop (RFC 9110 §7.6.1).
  for (const auto& [name, value] : in) {
    const ClientField kind = Classify(name);
    bool drop = kind == ClientField::kRequestId ? options.send_request_id
                                                : kind != ClientField::kPassed;
    for (std::string_view n : facts.named) drop = drop || EqualsIgnoreCase(name, n);
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
