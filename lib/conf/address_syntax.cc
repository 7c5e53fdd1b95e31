// Syntax checks of addresses, UUIDs, proxy URLs and labels, with Kong's rules and messages.
#include "conf/address_syntax.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "base/text.h"

namespace kong::conf {
namespace {

constexpr std::string_view kListenUsage =
    "must be of form: [off] | <ip>:<port> [ssl] [http2] [proxy_protocol] [deferred] [bind] "
    "[reuseport] [backlog=%d+] [ipv6only=on] [ipv6only=off] [so_keepalive=on] "
    "[so_keepalive=off] [so_keepalive=%w*:%w*:%d*], [... next entry ...]";

bool AllOf(std::string_view s, int (*pred)(int)) {
  return std::all_of(s.begin(), s.end(),
                     [pred](char c) { return pred(static_cast<unsigned char>(c)) != 0; });
}

bool IsDigits(std::string_view s) { return !s.empty() && AllOf(s, ::isdigit); }
bool IsWord(std::string_view s) {  // Lua %w*
  return AllOf(s, ::isalnum);
}

bool IsPort(std::string_view s) {
  if (!IsDigits(s) || s.size() > 5) return false;
  return std::stoul(std::string(s)) <= 65535;
}

bool IsIpv4(std::string_view s) {
  in_addr a;
  return inet_pton(AF_INET, std::string(s).c_str(), &a) == 1;
}

bool IsIpv6(std::string_view s) {
  in6_addr a;
  return inet_pton(AF_INET6, std::string(s).c_str(), &a) == 1;
}

// Lua pattern so_keepalive=%w*:%w*:%d*
bool IsKeepaliveTriple(std::string_view flag) {
  constexpr std::string_view kPrefix = "so_keepalive=";
  if (!flag.starts_with(kPrefix)) return false;
  std::string_view rest = flag.substr(kPrefix.size());
  size_t c1 = rest.find(':');
  if (c1 == std::string_view::npos) return false;
  size_t c2 = rest.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return false;
  std::string_view last = rest.substr(c2 + 1);
  return IsWord(rest.substr(0, c1)) && IsWord(rest.substr(c1 + 1, c2 - c1 - 1)) &&
         (last.empty() || IsDigits(last));
}

bool IsListenFlag(std::string_view t) {
  static constexpr std::string_view kFlags[] = {
      "ssl",       "http2",       "proxy_protocol", "deferred",        "bind",
      "reuseport", "ipv6only=on", "ipv6only=off",   "so_keepalive=on", "so_keepalive=off"};
  for (std::string_view f : kFlags) {
    if (t == f) return true;
  }
  if (t.starts_with("backlog=") && IsDigits(t.substr(8))) return true;
  return IsKeepaliveTriple(t);
}

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

// One listen address without flags, classified as Kong's hostname_type does.
bool IsListenAddress(std::string_view a) {
  size_t colons = std::count(a.begin(), a.end(), ':');
  if (colons > 1) {  // IPv6: nginx needs "[addr]:port"
    size_t close = a.find(']');
    if (a.empty() || a[0] != '[' || close == std::string_view::npos) return false;
    if (close + 1 >= a.size() || a[close + 1] != ':') return false;
    return IsIpv6(a.substr(1, close - 1)) && IsPort(a.substr(close + 2));
  }
  size_t colon = a.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view host = a.substr(0, colon);
  if (!IsPort(a.substr(colon + 1))) return false;
  bool looks_ipv4 = std::all_of(host.begin(), host.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
  return looks_ipv4 ? IsIpv4(host) : true;  // any hostname or "*" is left to the resolver
}

std::string_view StripCidr(std::string_view s, std::string_view* bits) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return s;
  *bits = s.substr(slash + 1);
  return s.substr(0, slash);
}

bool IsLabelText(std::string_view s) {  // [a-z0-9]([\w\.:-]*[a-z0-9]|)$, case-insensitive
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (s.empty() || !alnum(s.front()) || !alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return alnum(c) || c == '_' || c == '.' || c == ':' || c == '-';
  });
}

std::string CheckLabelPart(std::string_view s, bool is_key) {
  static const std::string kBase = "[a-z0-9]([\\w\\.:-]*[a-z0-9]|)$";
  static const std::string kKey = "(?!kong)(?!konnect)(?!insomnia)(?!mesh)(?!kic)" + kBase;
  if (s.empty() || s.size() > 63) {
    return std::string(s) + " must have between 1 and 63 characters";
  }
  bool ok = IsLabelText(s);
  if (ok && is_key) {
    std::string lower = base::ToLower(s);
    for (std::string_view reserved : {"kong", "konnect", "insomnia", "mesh", "kic"}) {
      if (lower.starts_with(reserved)) ok = false;
    }
  }
  if (!ok) return std::string(s) + " is invalid. Must match pattern: " + (is_key ? kKey : kBase);
  return "";
}

}  // namespace

std::string_view ListenUsage() { return kListenUsage; }

bool IsValidListen(const std::vector<std::string>& entries) {
  if (entries.empty()) return false;
  if (base::Trim(entries[0]) == "off") return true;
  for (const std::string& entry : entries) {
    std::vector<std::string_view> address;
    for (std::string_view w : Words(entry)) {
      if (!IsListenFlag(w)) address.push_back(w);
    }
    if (address.size() != 1 || !IsListenAddress(address[0])) return false;
  }
  return true;
}

bool ListenHasSsl(const std::vector<std::string>& entries) {
  for (const std::string& entry : entries) {
    for (std::string_view w : Words(entry)) {
      if (w == "ssl") return true;
    }
  }
  return false;
}

bool IsIpOrCidr(std::string_view s) {
  std::string_view bits;
  bool has_bits = s.find('/') != std::string_view::npos;
  std::string_view addr = StripCidr(s, &bits);
  bool v4 = IsIpv4(addr);
  bool v6 = !v4 && IsIpv6(addr);
  if (!v4 && !v6) return false;
  if (!has_bits) return true;
  if (!IsDigits(bits) || bits.size() > 3) return false;
  return std::stoul(std::string(bits)) <= (v4 ? 32u : 128u);
}

bool IsIpWithOptionalPort(std::string_view s) {
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos || !IsIpv6(s.substr(1, close - 1))) return false;
    std::string_view rest = s.substr(close + 1);
    return rest.empty() || (rest[0] == ':' && IsPort(rest.substr(1)));
  }
  size_t colons = std::count(s.begin(), s.end(), ':');
  if (colons > 1) return IsIpv6(s);
  if (colons == 1) {
    size_t colon = s.find(':');
    return IsIpv4(s.substr(0, colon)) && IsPort(s.substr(colon + 1));
  }
  return IsIpv4(s);
}

bool IsValidUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

std::string CheckProxyServer(std::string_view url) {
  // LuaSocket's url.parse, in its order: fragment, scheme, authority, query, params.
  bool has_fragment = false, has_query = false, has_params = false;
  std::string_view rest = url;
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) {
    has_fragment = true;
    rest = rest.substr(0, hash);
  }
  std::string scheme;
  if (!rest.empty() && std::isalnum(static_cast<unsigned char>(rest[0]))) {
    size_t i = 1;
    while (i < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[i])) ||
                               rest[i] == '+' || rest[i] == '-' || rest[i] == '.')) {
      ++i;
    }
    if (i < rest.size() && rest[i] == ':') {
      scheme = std::string(rest.substr(0, i));
      rest.remove_prefix(i + 1);
    }
  }
  std::string_view authority;
  bool has_authority = false;
  if (rest.starts_with("//")) {
    rest.remove_prefix(2);
    size_t slash = rest.find('/');
    authority = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    has_authority = true;
  }
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    has_query = true;
    rest = rest.substr(0, q);
  }
  has_params = rest.find(';') != std::string_view::npos;
  std::string_view host;
  if (has_authority) {
    if (size_t at = authority.find('@'); at != std::string_view::npos) {
      authority.remove_prefix(at + 1);
    }
    size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos &&
        authority.substr(colon + 1).find(']') == std::string_view::npos) {
      authority = authority.substr(0, colon);
    }
    host = authority;
  }
  if (scheme.empty()) return "proxy_server missing scheme";
  if (scheme != "http" && scheme != "https") {
    return "proxy_server only supports \"http\" and \"https\", got " + scheme;
  }
  if (host.empty()) return "proxy_server missing host";
  if (has_fragment || has_query || has_params) {
    return "fragments, query strings or parameters are meaningless in proxy configuration";
  }
  return "";
}

namespace {

std::string CheckControlPlaneEntry(const std::string& entry, ControlPlaneAddress* out) {
  const std::string quoted = "'" + entry + "'";
  size_t colon = entry.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return "cluster_control_plane: expected host:port, got " + quoted;
  }
  std::string host = entry.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) {
      return "cluster_control_plane: bad IPv6 literal in " + quoted;
    }
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return "cluster_control_plane: IPv6 addresses need brackets: " + quoted;
  }
  const std::string_view port = std::string_view(entry).substr(colon + 1);
  if (!IsPort(port) || std::stoul(std::string(port)) == 0) {
    return "cluster_control_plane: bad port in " + quoted;
  }
  out->host = std::move(host);
  out->port = static_cast<uint16_t>(std::stoul(std::string(port)));
  out->text = entry;
  return "";
}

}  // namespace

std::string ParseControlPlaneList(std::string_view value, std::vector<ControlPlaneAddress>* out) {
  // Empty items are dropped, as in Kong's array properties ("a:1, b:2," is two entries).
  const std::vector<std::string> entries = base::SplitTrimmed(value, ',');
  if (entries.empty()) return "cluster_control_plane: expected host:port, got ''";
  std::vector<ControlPlaneAddress> parsed(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    if (std::string err = CheckControlPlaneEntry(entries[i], &parsed[i]); !err.empty()) {
      return err;
    }
  }
  *out = std::move(parsed);
  return "";
}

std::string CheckDpLabels(const std::vector<std::string>& labels) {
  if (labels.size() > 10) return "labels validation failed: count exceeded 10 max elements";
  for (const std::string& kv : labels) {
    size_t colon = kv.find(':');
    std::string_view key =
        colon == std::string::npos ? std::string_view() : std::string_view(kv).substr(0, colon);
    std::string_view value =
        colon == std::string::npos ? std::string_view() : std::string_view(kv).substr(colon + 1);
    if (std::string err = CheckLabelPart(key, true); !err.empty()) {
      return "label key validation failed: " + err;
    }
    if (std::string err = CheckLabelPart(value, false); !err.empty()) {
      return "label value validation failed: " + err;
    }
  }
  return "";
}

}  // namespace kong::conf
