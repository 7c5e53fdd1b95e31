// Kong's get_upstream_uri_v0 (kong/router/utils.lua) and the traditional router's v1 branch,
// computed as at most three string pieces so the target is built in one allocation.
#include "proxy/upstream_path.h"

#include <array>

namespace kong::proxy {
namespace {

bool EndsWithSlash(std::string_view s) { return !s.empty() && s.back() == '/'; }
bool StartsWithSlash(std::string_view s) { return !s.empty() && s.front() == '/'; }
std::string_view DropFirst(std::string_view s) { return s.empty() ? s : s.substr(1); }
std::string_view DropLast(std::string_view s) { return s.empty() ? s : s.substr(0, s.size() - 1); }

// The joined path as pieces: the upstream path is their concatenation.
struct Pieces {
  std::array<std::string_view, 3> part;
  size_t count = 0;
  void Add(std::string_view s) { part[count++] = s; }
  size_t size() const {
    size_t n = 0;
    for (size_t i = 0; i < count; ++i) n += part[i].size();
    return n;
  }
};

// The request path after the matched part; a matched part that is not a prefix of the path
// (a caller bug) counts as matching the whole path rather than reading out of bounds.
std::string_view After(std::string_view path, std::string_view matched) {
  return matched.size() >= path.size() ? std::string_view() : path.substr(matched.size());
}

Pieces JoinV0(std::string_view base, std::string_view req, std::string_view postfix,
              bool strip) {
  Pieces out;
  if (EndsWithSlash(base)) {
    if (!strip) {
      out.Add(base);
      out.Add(DropFirst(req));  // keep the request path, minus its leading '/'
    } else if (postfix.empty()) {
      if (base == "/") {
        out.Add("/");
      } else if (EndsWithSlash(req)) {
        out.Add(base);
      } else {
        out.Add(DropLast(base));
      }
    } else if (StartsWithSlash(postfix)) {
      out.Add(DropLast(base));  // avoid "//"
      out.Add(postfix);
    } else {
      out.Add(base);
      out.Add(postfix);
    }
    return out;
  }
  if (!strip) {
    out.Add(base);
    if (req != "/") out.Add(req);
  } else if (postfix.empty()) {
    out.Add(base);
    if (req.size() > 1 && EndsWithSlash(req)) out.Add("/");
  } else if (StartsWithSlash(postfix)) {
    out.Add(base);
    out.Add(postfix);
  } else {
    out.Add(base);
    out.Add("/");
    out.Add(postfix);
  }
  return out;
}

Pieces JoinV1(std::string_view base, std::string_view req, std::string_view postfix,
              bool strip) {
  Pieces out;
  if (!strip) {
    out.Add(base);
    out.Add(DropFirst(req));
  } else if (EndsWithSlash(base) && StartsWithSlash(postfix)) {
    out.Add(DropLast(base));
    out.Add(postfix);
  } else {
    out.Add(base);
    out.Add(postfix);
  }
  return out;
}

Pieces Join(const UpstreamPathParams& p) {
  const std::string_view base = p.service_path.value_or("/");
  if (p.path_handling == PathHandling::kV1) {
    // Traditional router: the postfix is the regex's uri_postfix capture (sanitized), or the
    // raw path minus its '/' when no path matched.
    const std::string_view postfix =
        p.matched_path ? SanitizePostfix(After(p.path, *p.matched_path)) : DropFirst(p.path);
    return JoinV1(base, p.path, postfix, p.strip_path);
  }
  // ATC routers: the prefix is the matched path only when it is stripped, else "/".
  const std::string_view prefix = p.strip_path && p.matched_path ? *p.matched_path : "/";
  return JoinV0(base, p.path, SanitizePostfix(After(p.path, prefix)), p.strip_path);
}

// Kong's escape(): the characters nginx may send unescaped in a request line.
bool Unescaped(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '&': case '\'': case '(': case ')': case '*':
    case '+': case ',': case '/': case ':': case ';': case '=': case '?': case '@':
    case '[': case ']': case '-': case '_': case '.': case '~': case '%':
      return true;
    default:
      return false;
  }
}

void AppendEscaped(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (Unescaped(c)) {
      out->push_back(static_cast<char>(c));
    } else {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xF]);
    }
  }
}

}  // namespace

std::string EscapeUpstreamPath(std::string_view path) {
  std::string out;
  out.reserve(path.size() + 8);
  AppendEscaped(path, &out);
  return out;
}

std::string_view SanitizePostfix(std::string_view postfix) {
  if (postfix == "." || postfix == "..") return {};
  if (postfix.substr(0, 2) == "./") return postfix.substr(2);
  if (postfix.substr(0, 3) == "../") return postfix.substr(3);
  return postfix;
}

std::optional<std::string_view> StrippedPrefix(const UpstreamPathParams& p) {
  if (!p.strip_path || !p.matched_path || *p.matched_path == "/") return std::nullopt;
  return *p.matched_path;
}

std::string UpstreamPath(const UpstreamPathParams& p) {
  const Pieces pieces = Join(p);
  std::string out;
  out.reserve(pieces.size());
  for (size_t i = 0; i < pieces.count; ++i) out.append(pieces.part[i]);
  return out;
}

std::string UpstreamTarget(const UpstreamPathParams& p, std::optional<std::string_view> query) {
  const Pieces pieces = Join(p);
  std::string out;
  // Most paths need no escaping; the slack covers a few escapes without regrowth. Short
  // targets ("/") stay in the string's inline buffer: no allocation.
  const size_t size = pieces.size() + (query ? query->size() + 1 : 0);
  if (size > 15) out.reserve(size + 16);
  for (size_t i = 0; i < pieces.count; ++i) AppendEscaped(pieces.part[i], &out);
  if (query) {
    out.push_back('?');
    out.append(*query);
  }
  return out;
}

std::optional<std::string_view> RawQuery(std::string_view target) {
  const size_t hash = target.find('#');
  if (hash != std::string_view::npos) target = target.substr(0, hash);
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  return target.substr(q + 1);
}

std::string_view RawPath(std::string_view target) {
  const size_t end = target.find_first_of("?#");
  if (end != std::string_view::npos) target = target.substr(0, end);
  // Absolute form: skip "scheme://authority".
  const size_t scheme = target.find("://");
  if (!target.empty() && target.front() != '/' && scheme != std::string_view::npos) {
    const size_t slash = target.find('/', scheme + 3);
    return slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  return target;
}

}  // namespace kong::proxy
