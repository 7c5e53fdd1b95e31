// Kong's host, IP, URL and URI helpers re-implemented for the validators (see the header).
#include "schema/host_syntax.h"

#include <arpa/inet.h>

#include <cstdio>
#include <vector>

#include "base/text.h"
#include "schema/lua_pattern.h"

namespace kong::schema {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Parses a decimal of any length the way Lua's tonumber would, saturating.
long ToNumber(std::string_view s) {
  long v = 0;
  for (char c : s) {
    v = v * 10 + (c - '0');
    if (v > 1000000) return 1000000;
  }
  return v;
}

std::optional<NormalizedHost> NormalizeIpv4(std::string_view a, std::string* err) {
  std::string_view addr = a, port;
  size_t colon = a.find(':');
  if (colon != std::string_view::npos) {
    addr = a.substr(0, colon);
    port = a.substr(colon + 1);
  }
  int parts[4];
  size_t pos = 0;
  bool ok = colon == std::string_view::npos || AllDigits(port);
  for (int i = 0; ok && i < 4; ++i) {
    size_t end = i < 3 ? addr.find('.', pos) : addr.size();
    if (end == std::string_view::npos) { ok = false; break; }
    std::string_view part = addr.substr(pos, end - pos);
    if (part.empty() || part.size() > 3 || !AllDigits(part)) { ok = false; break; }
    parts[i] = static_cast<int>(ToNumber(part));
    if (parts[i] > 255) ok = false;
    pos = end + 1;
  }
  if (!ok) {
    *err = "invalid ipv4 address: " + std::string(a);
    return std::nullopt;
  }
  NormalizedHost h;
  h.kind = HostKind::kIpv4;
  h.host = std::to_string(parts[0]) + "." + std::to_string(parts[1]) + "." +
           std::to_string(parts[2]) + "." + std::to_string(parts[3]);
  if (colon != std::string_view::npos) {
    long p = ToNumber(port);
    if (p > 65535) {
      *err = "invalid port number";
      return std::nullopt;
    }
    h.port = static_cast<int>(p);
  }
  return h;
}

std::optional<NormalizedHost> NormalizeIpv6(std::string_view a, std::string* err) {
  std::string check(a);
  std::optional<int> port;
  if (!a.empty() && a.front() == '[') {
    size_t close = a.find(']');
    if (close == std::string_view::npos) {
      *err = "invalid ipv6 address: " + std::string(a);
      return std::nullopt;
    }
    check = std::string(a.substr(1, close - 1));
    std::string_view rest = a.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':' || (rest.size() > 1 && !AllDigits(rest.substr(1)))) {
        *err = "invalid ipv6 address";
        return std::nullopt;
      }
      long p = ToNumber(rest.substr(1));
      if (p > 65535) {
        *err = "invalid port number";
        return std::nullopt;
      }
      port = static_cast<int>(p);
    }
  }
  if (!check.empty() && check.front() == ':') check = "0" + check;
  if (!check.empty() && check.back() == ':') check += "0";
  size_t dbl = check.find("::");
  if (dbl != std::string::npos) {
    int colons = 0;
    for (char c : check) colons += c == ':';
    std::string ins = ":";
    for (int i = 0; i < 8 - colons; ++i) ins += "0:";
    check.replace(dbl, 2, ins);
  }
  std::vector<std::string> groups;
  size_t pos = 0;
  while (true) {
    size_t end = check.find(':', pos);
    groups.push_back(check.substr(pos, end == std::string::npos ? end : end - pos));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  bool ok = groups.size() == 8;
  std::string out;
  for (size_t i = 0; ok && i < groups.size(); ++i) {
    const std::string& g = groups[i];
    if (g.empty() || g.size() > 4) { ok = false; break; }
    for (char c : g) {
      bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex) ok = false;
    }
    if (i > 0) out += ':';
    out += std::string(4 - g.size(), '0');
    for (char c : g) out += static_cast<char>(c >= 'A' && c <= 'F' ? c + 32 : c);
  }
  if (!ok) {
    *err = "invalid ipv6 address: " + std::string(a);
    return std::nullopt;
  }
  NormalizedHost h;
  h.kind = HostKind::kIpv6;
  h.host = out;
  h.port = port;
  return h;
}

std::optional<NormalizedHost> CheckHostname(std::string_view a, std::string* err) {
  std::string_view name = a;
  std::optional<int> port;
  size_t colon = a.rfind(':');
  if (colon != std::string_view::npos && AllDigits(a.substr(colon + 1))) {
    name = a.substr(0, colon);
    long p = ToNumber(a.substr(colon + 1));
    if (p > 65535) {
      *err = "invalid port number";
      return std::nullopt;
    }
    port = static_cast<int>(p);
  }
  bool ok = LuaPatternFind(name, "^[%d%a%-%.%_]+$");
  if (ok) {
    // Segments may not end with '-', and only the last may be empty (a trailing dot).
    size_t pos = 0;
    while (ok) {
      size_t dot = name.find('.', pos);
      std::string_view seg = name.substr(pos, dot == std::string_view::npos ? dot : dot - pos);
      bool last = dot == std::string_view::npos;
      if ((!seg.empty() && seg.back() == '-') || (seg.empty() && !last)) ok = false;
      if (last) break;
      pos = dot + 1;
    }
  }
  if (!ok) {
    *err = "invalid hostname: " + std::string(a);
    return std::nullopt;
  }
  NormalizedHost h;
  h.host = std::string(name);
  h.port = port;
  return h;
}

bool IsReservedUriChar(int c) {
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '(': case ')':
    case '*': case '+': case ',': case '/': case ':': case ';': case '=': case '?':
    case '@': case '[': case ']':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::optional<NormalizedHost> NormalizeIp(std::string_view address, std::string* err) {
  int colons = 0;
  bool digits_dots = true;
  for (char c : address) {
    if (c == ':') {
      ++colons;
    } else if (!((c >= '0' && c <= '9') || c == '.')) {
      digits_dots = false;
    }
  }
  if (colons > 1) return NormalizeIpv6(address, err);
  if (digits_dots && address.size() > static_cast<size_t>(colons)) {
    return NormalizeIpv4(address, err);
  }
  return CheckHostname(address, err);
}

std::string FormatHost(const NormalizedHost& h, std::optional<int> default_port) {
  std::optional<int> port = h.port ? h.port : default_port;
  std::string host = h.kind == HostKind::kIpv6 ? "[" + h.host + "]" : h.host;
  return port ? host + ":" + std::to_string(*port) : host;
}

bool IsValidIp(std::string_view s) {
  std::string str(s);
  unsigned char buf[16];
  return inet_pton(AF_INET, str.c_str(), buf) == 1 || inet_pton(AF_INET6, str.c_str(), buf) == 1;
}

namespace {
bool IsValidCidr(std::string_view s, bool v4_only) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  std::string ip(s.substr(0, slash));
  std::string_view bits = s.substr(slash + 1);
  if (!AllDigits(bits) || bits.size() > 3) return false;
  long n = ToNumber(bits);
  unsigned char buf[16];
  if (inet_pton(AF_INET, ip.c_str(), buf) == 1) return n <= 32;
  if (!v4_only && inet_pton(AF_INET6, ip.c_str(), buf) == 1) return n <= 128;
  return false;
}
}  // namespace

bool IsValidIpOrCidr(std::string_view s) { return IsValidIp(s) || IsValidCidr(s, false); }

bool IsValidIpOrCidrV4(std::string_view s) {
  std::string str(s);
  unsigned char buf[4];
  return inet_pton(AF_INET, str.c_str(), buf) == 1 || IsValidCidr(s, true);
}

size_t InvalidUtf8Position(std::string_view s) {
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](size_t k, unsigned lo, unsigned hi) {
    return k < s.size() && at(k) >= lo && at(k) <= hi;
  };
  while (i < s.size()) {
    unsigned c = at(i);
    size_t n = 0;
    if (c < 0x80) {
      n = 1;
    } else if (c >= 0xC2 && c <= 0xDF && cont(i + 1, 0x80, 0xBF)) {
      n = 2;
    } else if ((c == 0xE0 && cont(i + 1, 0xA0, 0xBF) && cont(i + 2, 0x80, 0xBF)) ||
               (((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) &&
                cont(i + 1, 0x80, 0xBF) && cont(i + 2, 0x80, 0xBF)) ||
               (c == 0xED && cont(i + 1, 0x80, 0x9F) && cont(i + 2, 0x80, 0xBF))) {
      n = 3;
    } else if ((c == 0xF0 && cont(i + 1, 0x90, 0xBF) && cont(i + 2, 0x80, 0xBF) &&
                cont(i + 3, 0x80, 0xBF)) ||
               (c >= 0xF1 && c <= 0xF3 && cont(i + 1, 0x80, 0xBF) && cont(i + 2, 0x80, 0xBF) &&
                cont(i + 3, 0x80, 0xBF)) ||
               (c == 0xF4 && cont(i + 1, 0x80, 0x8F) && cont(i + 2, 0x80, 0xBF) &&
                cont(i + 3, 0x80, 0xBF))) {
      n = 4;
    } else {
      return i + 1;
    }
    i += n;
  }
  return 0;
}

ParsedUrl ParseUrl(std::string_view url) {
  ParsedUrl out;
  std::string_view rest = url;
  // scheme: ^([%w][%w%+%-%.]*):
  size_t i = 0;
  auto is_alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!rest.empty() && is_alnum(rest[0])) {
    i = 1;
    while (i < rest.size() &&
           (is_alnum(rest[i]) || rest[i] == '+' || rest[i] == '-' || rest[i] == '.')) {
      ++i;
    }
    if (i < rest.size() && rest[i] == ':') {
      out.scheme = std::string(rest.substr(0, i));
      rest = rest.substr(i + 1);
    }
  }
  std::optional<std::string> authority;
  if (rest.substr(0, 2) == "//") {
    size_t end = rest.find('/', 2);
    authority = std::string(rest.substr(2, end == std::string_view::npos ? end : end - 2));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  size_t cut = rest.find('#');
  if (cut != std::string_view::npos) rest = rest.substr(0, cut);
  cut = rest.find('?');
  if (cut != std::string_view::npos) rest = rest.substr(0, cut);
  cut = rest.find(';');
  if (cut != std::string_view::npos) rest = rest.substr(0, cut);
  if (!rest.empty()) out.path = std::string(rest);
  if (!authority) return out;
  std::string a = *authority;
  size_t at = a.find('@');
  if (at != std::string::npos) a = a.substr(at + 1);
  // port: ":([^:%]]*)$"
  size_t colon = a.rfind(':');
  if (colon != std::string::npos && a.find(']', colon) == std::string::npos) {
    std::string port = a.substr(colon + 1);
    if (!port.empty()) out.port = port;
    a = a.substr(0, colon);
  }
  if (!a.empty()) {
    if (a.size() > 2 && a.front() == '[' && a.back() == ']') a = a.substr(1, a.size() - 2);
    out.host = a;
  }
  return out;
}

std::string NormalizeUriPath(std::string_view uri) {
  if (uri.empty() || uri == "/") return std::string(uri);
  std::string s;
  s.reserve(uri.size());
  for (size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size() + 0 && base::HexDigitValue(uri[i + 1]) >= 0 &&
        base::HexDigitValue(uri[i + 2]) >= 0) {
      int v = base::HexDigitValue(uri[i + 1]) * 16 + base::HexDigitValue(uri[i + 2]);
      if (IsReservedUriChar(v)) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", v);
        s += buf;
      } else {
        s += static_cast<char>(v);
      }
      i += 2;
    } else {
      s += uri[i];
    }
  }
  if (s.find('.') == std::string::npos && s.find("//") == std::string::npos) return s;
  std::vector<std::string> out;
  std::string last;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t slash = s.find('/', pos);
    std::string seg = s.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    last = seg;
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else if (seg != "." && !seg.empty()) {
      out.push_back(seg);
    }
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  std::string result;
  for (const std::string& seg : out) result += "/" + seg;
  if (last.empty() || last == "." || last == "..") result += "/";
  return result.empty() ? "/" : result;
}

bool IsVaultReference(std::string_view s) {
  return s.size() > 10 && s.substr(0, 9) == "{vault://" && s.back() == '}';
}

}  // namespace kong::schema
