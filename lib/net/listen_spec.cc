// Parsing of Kong/nginx listen entries, following Kong's parse_listeners() rules.
#include "net/listen_spec.h"

#include <uv.h>

#include <charconv>

#include "base/text.h"

namespace kong::net {
namespace {

constexpr std::string_view kUsage =
    "must be of form: [off] | <ip>:<port> [ssl] [http2] [proxy_protocol] [deferred] [bind] "
    "[reuseport] [backlog=N] [ipv6only=on|off] [so_keepalive=on|off|[idle]:[intvl]:[cnt]]";

Status Invalid(std::string_view entry, std::string_view why) {
  return Status::InvalidArgument("invalid listen entry '" + std::string(entry) +
                                 "': " + std::string(why));
}

bool ParseUint(std::string_view s, uint64_t max, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v > max) return false;
  *out = v;
  return true;
}

// nginx time values in seconds: "30", "30s", "5m", "1h", "1d". Empty means "system default".
bool ParseSeconds(std::string_view s, uint32_t* out) {
  if (s.empty()) return (*out = 0, true);
  uint64_t mult = 1;
  switch (s.back()) {
    case 's':
      mult = 1;
      s.remove_suffix(1);
      break;
    case 'm':
      mult = 60;
      s.remove_suffix(1);
      break;
    case 'h':
      mult = 3600;
      s.remove_suffix(1);
      break;
    case 'd':
      mult = 86400;
      s.remove_suffix(1);
      break;
    default:
      break;
  }
  uint64_t v = 0;
  if (!ParseUint(s, 0xffffffffULL / mult, &v)) return false;
  *out = static_cast<uint32_t>(v * mult);
  return true;
}

bool ParseKeepAlive(std::string_view v, KeepAliveSpec* ka) {
  if (v == "on") return (ka->mode = KeepAliveSpec::Mode::kOn, true);
  if (v == "off") return (ka->mode = KeepAliveSpec::Mode::kOff, true);
  size_t c1 = v.find(':');
  size_t c2 = c1 == std::string_view::npos ? c1 : v.find(':', c1 + 1);
  if (c2 == std::string_view::npos || v.find(':', c2 + 1) != std::string_view::npos) return false;
  uint64_t cnt = 0;
  std::string_view cnt_text = v.substr(c2 + 1);
  if (!ParseSeconds(v.substr(0, c1), &ka->idle_s) ||
      !ParseSeconds(v.substr(c1 + 1, c2 - c1 - 1), &ka->interval_s) ||
      (!cnt_text.empty() && !ParseUint(cnt_text, 0x7fffffff, &cnt))) {
    return false;
  }
  ka->count = static_cast<uint32_t>(cnt);
  ka->mode = KeepAliveSpec::Mode::kOn;
  return true;
}

bool IsHostName(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  for (char c : h) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Splits "<host>:<port>" into the spec; IPv6 needs brackets because its colons are ambiguous.
Status ParseAddress(std::string_view entry, std::string_view addr, ListenSpec* spec) {
  std::string_view host, port_text;
  if (!addr.empty() && addr.front() == '[') {
    size_t close = addr.find(']');
    if (close == std::string_view::npos) return Invalid(entry, "missing ']' after ipv6 address");
    host = addr.substr(1, close - 1);
    std::string_view rest = addr.substr(close + 1);
    if (rest.size() < 2 || rest.front() != ':') return Invalid(entry, "missing ':<port>'");
    port_text = rest.substr(1);
    unsigned char buf[16];
    if (uv_inet_pton(AF_INET6, std::string(host).c_str(), buf) != 0) {
      return Invalid(entry, "'" + std::string(host) + "' is not an ipv6 address");
    }
    spec->ipv6 = true;
  } else {
    size_t colon = addr.rfind(':');
    if (colon == std::string_view::npos) return Invalid(entry, "missing ':<port>'");
    host = addr.substr(0, colon);
    port_text = addr.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return Invalid(entry, "ipv6 addresses must be written in brackets: [<ipv6>]:<port>");
    }
    unsigned char buf[4];
    bool ipv4 = uv_inet_pton(AF_INET, std::string(host).c_str(), buf) == 0;
    if (host == "*") {
      host = "0.0.0.0";
    } else if (!ipv4) {
      // Dotted digits that are not an IPv4 address are a typo, not a host name.
      if (host.find_first_not_of("0123456789.") == std::string_view::npos || !IsHostName(host)) {
        return Invalid(entry, "'" + std::string(host) + "' is not an ip address or host name");
      }
    }
  }
  uint64_t port = 0;
  if (!ParseUint(port_text, 65535, &port)) {
    return Invalid(entry, "port '" + std::string(port_text) + "' must be a number in 0..65535");
  }
  spec->host = std::string(host);
  spec->port = static_cast<uint16_t>(port);
  return Status();
}

Status ParseFlag(std::string_view entry, std::string_view flag, ListenSpec* spec) {
  if (flag == "ssl") return (spec->ssl = true, Status());
  if (flag == "http2") return (spec->http2 = true, Status());
  if (flag == "proxy_protocol") return (spec->proxy_protocol = true, Status());
  if (flag == "deferred") return (spec->deferred = true, Status());
  if (flag == "bind") return (spec->bind = true, Status());
  if (flag == "reuseport") return (spec->reuseport = true, Status());
  if (flag.starts_with("backlog=")) {
    uint64_t n = 0;
    if (!ParseUint(flag.substr(8), 0x7fffffff, &n) || n == 0) {
      return Invalid(entry, "'" + std::string(flag) + "' needs a positive number");
    }
    spec->backlog = static_cast<int>(n);
    return Status();
  }
  if (flag == "ipv6only=on") return (spec->ipv6only = true, Status());
  if (flag == "ipv6only=off") return (spec->ipv6only = false, Status());
  if (flag.starts_with("so_keepalive=")) {
    if (!ParseKeepAlive(flag.substr(13), &spec->so_keepalive)) {
      return Invalid(entry, "'" + std::string(flag) + "' must be on, off or [idle]:[intvl]:[cnt]");
    }
    return Status();
  }
  return Invalid(entry, "unknown flag '" + std::string(flag) + "'");
}

}  // namespace

std::string ListenSpec::Address() const {
  std::string p = std::to_string(port);
  return ipv6 ? "[" + host + "]:" + p : host + ":" + p;
}

std::string ListenSpec::ToString() const {
  std::string out = Address();
  if (ssl) out += " ssl";
  if (http2) out += " http2";
  if (proxy_protocol) out += " proxy_protocol";
  if (deferred) out += " deferred";
  if (bind) out += " bind";
  if (reuseport) out += " reuseport";
  if (backlog != 511) out += " backlog=" + std::to_string(backlog);
  if (ipv6 && !ipv6only) out += " ipv6only=off";
  switch (so_keepalive.mode) {
    case KeepAliveSpec::Mode::kUnset:
      break;
    case KeepAliveSpec::Mode::kOff:
      out += " so_keepalive=off";
      break;
    case KeepAliveSpec::Mode::kOn:
      if (so_keepalive.idle_s || so_keepalive.interval_s || so_keepalive.count) {
        auto field = [](uint32_t v) { return v ? std::to_string(v) : std::string(); };
        out += " so_keepalive=" + field(so_keepalive.idle_s) + ":" +
               field(so_keepalive.interval_s) + ":" + field(so_keepalive.count);
      } else {
        out += " so_keepalive=on";
      }
      break;
  }
  return out;
}

Result<ListenSpec> ParseListenSpec(std::string_view entry) {
  std::string_view trimmed = base::Trim(entry);
  if (trimmed.empty()) return Invalid(entry, "empty entry");
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < trimmed.size()) {
    size_t j = trimmed.find_first_of(" \t", i);
    if (j == std::string_view::npos) j = trimmed.size();
    if (j > i) words.push_back(trimmed.substr(i, j - i));
    i = j + 1;
  }
  ListenSpec spec;
  if (Status s = ParseAddress(trimmed, words[0], &spec); !s.ok()) return s;
  for (size_t w = 1; w < words.size(); ++w) {
    if (Status s = ParseFlag(trimmed, words[w], &spec); !s.ok()) return s;
  }
  return spec;
}

Result<std::vector<ListenSpec>> ParseListenList(const std::vector<std::string>& entries,
                                                std::string_view setting) {
  std::string name(setting);
  if (entries.empty()) return Status::InvalidArgument(name + " " + std::string(kUsage));
  std::vector<ListenSpec> out;
  if (base::Trim(entries[0]) == "off") return out;
  for (const auto& e : entries) {
    auto spec = ParseListenSpec(e);
    if (!spec.ok()) {
      return Status::InvalidArgument(name + ": " + spec.status().message() + "; " +
                                     std::string(kUsage));
    }
    out.push_back(std::move(spec).value());
  }
  return out;
}

Result<std::vector<ListenSpec>> ParseListenList(std::string_view value, std::string_view setting) {
  return ParseListenList(base::SplitTrimmed(value, ','), setting);
}

}  // namespace kong::net
