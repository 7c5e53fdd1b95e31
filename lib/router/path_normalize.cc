// NormalizePath: a single-pass port of kong.tools.uri.normalize with merge_slashes = true.
#include "router/path_normalize.h"

#include <vector>

#include "base/text.h"

namespace kong::router {
namespace {

// RFC 3986 reserved characters plus '%' (Kong's RESERVED_CHARS): their escapes keep meaning.
bool IsReserved(unsigned char c) {
  switch (c) {
    case '!': case '*': case '\'': case '(': case ')': case ';': case ':': case '@': case '&':
    case '=': case '+': case '$': case ',': case '/': case '?': case '%': case '#': case '[':
    case ']':
      return true;
    default:
      return false;
  }
}

std::string PercentDecode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    int hi = 0, lo = 0;
    if (in[i] == '%' && i + 2 < in.size() && (hi = base::HexDigitValue(in[i + 1])) >= 0 &&
        (lo = base::HexDigitValue(in[i + 2])) >= 0) {
      unsigned char v = static_cast<unsigned char>(hi * 16 + lo);
      if (IsReserved(v)) {
        out += '%';
        out += kHex[hi];
        out += kHex[lo];
      } else {
        out += static_cast<char>(v);
      }
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

}  // namespace

std::string NormalizePath(std::string_view path) {
  if (path.empty() || path == "/") return std::string(path);
  std::string uri = path.find('%') == std::string_view::npos ? std::string(path)
                                                              : PercentDecode(path);
  if (uri.find('.') == std::string::npos && uri.find("//") == std::string::npos) return uri;

  // Kong's loop over the input buffer: each step consumes a dot segment, a doubled slash, or
  // one "/segment" that goes onto the output stack. `in` is the unconsumed rest.
  std::string_view in = uri;
  std::vector<std::string_view> out;
  auto at = [&](size_t k) -> int { return k < in.size() ? static_cast<unsigned char>(in[k]) : -1; };
  // "/." and "/.." at the end become "/" that is then consumed as a segment; a string_view
  // cannot point at a synthesized "/", so keep one static slash.
  static constexpr std::string_view kSlash = "/";
  while (!in.empty()) {
    if (in == "/.") {
      in = kSlash;
    } else if (in == "/..") {
      in = kSlash;
      if (!out.empty()) out.pop_back();
    } else if (in == "." || in == "..") {
      in = {};
    } else if (at(0) == '.' && at(1) == '.' && at(2) == '/') {
      in.remove_prefix(3);
    } else if (at(0) == '.' && at(1) == '/') {
      in.remove_prefix(2);
    } else if (at(0) == '/' && at(1) == '.' && at(2) == '/') {
      in.remove_prefix(2);
    } else if (at(0) == '/' && at(1) == '.' && at(2) == '.' && at(3) == '/') {
      in.remove_prefix(3);
      if (!out.empty()) out.pop_back();
    } else if (at(0) == '/' && at(1) == '/') {
      in.remove_prefix(1);
    } else {
      size_t slash = in.find('/', 1);
      if (slash == std::string_view::npos) slash = in.size();
      out.push_back(in.substr(0, slash));
      in.remove_prefix(slash);
    }
  }
  std::string result;
  result.reserve(uri.size());
  for (std::string_view seg : out) result += seg;
  return result;
}

}  // namespace kong::router
