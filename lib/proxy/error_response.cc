// Templates and negotiation of kong/tools/http.lua (get_response_type, get_mime_type,
// get_error_template) and the message table of kong/error_handlers.lua.
#include "proxy/error_response.h"

#include <cctype>

#include "base/text.h"

namespace kong::proxy {
namespace {

constexpr std::string_view kJson = "application/json; charset=utf-8";
constexpr std::string_view kHtml = "text/html; charset=utf-8";
constexpr std::string_view kXml = "application/xml; charset=utf-8";
constexpr std::string_view kPlain = "text/plain; charset=utf-8";
constexpr std::string_view kGrpc = "application/grpc";

bool IsTokenChar(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '-' || c == '!' || c == '#' || c == '$' || c == '&' ||
         c == '^' || c == '_' || c == '+' || c == '.';
}

// Kong's token `[a-z0-9][a-z0-9-!#$&^_+.]+` (case-insensitive: at least two characters) or
// "*". Advances `pos` past it.
bool Token(std::string_view s, size_t* pos, bool allow_star) {
  size_t p = *pos;
  if (allow_star && p < s.size() && s[p] == '*') {
    *pos = p + 1;
    return true;
  }
  if (p >= s.size() || !std::isalnum(static_cast<unsigned char>(s[p]))) return false;
  ++p;
  const size_t rest = p;
  while (p < s.size() && IsTokenChar(s[p])) ++p;
  if (p == rest) return false;
  *pos = p;
  return true;
}

void SkipSpace(std::string_view s, size_t* pos) {
  while (*pos < s.size() && std::isspace(static_cast<unsigned char>(s[*pos]))) ++*pos;
}

// q = 1(\.0{0,3})? | 0(\.\d{0,3})?  -> the value, or -1 when the text is not a q value.
double QValue(std::string_view s, size_t* pos) {
  size_t p = *pos;
  if (p >= s.size() || (s[p] != '0' && s[p] != '1')) return -1;
  const bool one = s[p] == '1';
  ++p;
  double value = one ? 1 : 0;
  if (p < s.size() && s[p] == '.') {
    ++p;
    double scale = 0.1;
    for (int i = 0; i < 3 && p < s.size(); ++i, scale /= 10) {
      if (one ? s[p] != '0' : !std::isdigit(static_cast<unsigned char>(s[p]))) break;
      value += (s[p] - '0') * scale;
      ++p;
    }
  }
  *pos = p;
  return value;
}

// Matches one Accept item as Kong's anchored (not end-anchored) regex does: the media range,
// then any ";q=..." or ";name[=value]" parameters. Returns false when the range is malformed.
bool ParseAcceptItem(std::string_view item, std::string_view* media, double* q) {
  size_t pos = 0;
  if (!Token(item, &pos, true) || pos >= item.size() || item[pos] != '/') return false;
  ++pos;
  if (!Token(item, &pos, true)) return false;
  *media = item.substr(0, pos);
  *q = 1;
  for (;;) {
    size_t p = pos;
    SkipSpace(item, &p);
    if (p >= item.size() || item[p] != ';') break;
    ++p;
    SkipSpace(item, &p);
    if (p + 1 < item.size() && (item[p] == 'q' || item[p] == 'Q') && item[p + 1] == '=') {
      size_t v = p + 2;
      const double value = QValue(item, &v);
      if (value >= 0) {
        *q = value;
        pos = v;
        continue;
      }
    }
    if (!Token(item, &p, false)) break;
    if (p < item.size() && item[p] == '=') {
      while (p < item.size() && item[p] != ';') ++p;
    }
    pos = p;
  }
  return true;
}

// Kong's get_mime_type(media_type) with use_default: lookups are case-sensitive, as in Lua.
std::string_view MimeType(std::string_view media) {
  const size_t slash = media.find('/');
  if (slash == std::string_view::npos) return kJson;
  const std::string_view type = media.substr(0, slash);
  const std::string_view sub = media.substr(slash + 1);
  if (sub == "*") {
    if (type == "text") return kPlain;
    return kJson;  // "*/*", "application/*" and unknown types
  }
  if (media == "text/html") return kHtml;
  if (media == "application/json") return kJson;
  if (media == "application/xml") return kXml;
  if (media == "text/plain") return kPlain;
  if (media == kGrpc) return kGrpc;
  return kJson;
}

std::string JoinedValues(const http::HeaderMap& headers, std::string_view name) {
  std::string out;
  bool first = true;
  for (std::string_view v : headers.GetAll(name)) {
    if (!first) out += ',';
    out.append(v);
    first = false;
  }
  return out;
}

std::string_view KnownUpstreamMessage(int status) {
  switch (status) {
    case 400: return "Bad request";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 408: return "Request timeout";
    case 411: return "Length required";
    case 412: return "Precondition failed";
    case 413: return "Payload too large";
    case 414: return "URI too long";
    case 417: return "Expectation failed";
    case 494: return "Request header or cookie too large";
    case 500: return "An unexpected error occurred";
    case 502: return "An invalid response was received from the upstream server";
    case 503: return "The upstream server is currently unavailable";
    case 504: return "The upstream server is timing out";
    default: return {};
  }
}

}  // namespace

std::string_view NegotiateErrorType(std::optional<std::string_view> accept) {
  std::string_view content_type = kJson;
  if (!accept) return content_type;
  double max_quality = 0;
  std::string_view rest = *accept;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view item = base::Trim(rest.substr(0, comma));
    std::string_view media;
    double q = 0;
    if (ParseAcceptItem(item, &media, &q) && q > max_quality) {
      max_quality = q;
      content_type = MimeType(media);
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return content_type;
}

std::string ErrorBody(std::string_view content_type, std::string_view message,
                      std::string_view request_id) {
  std::string body;
  body.reserve(message.size() + request_id.size() + 200);
  if (content_type == kHtml) {
    body += "<!doctype html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n"
            "    <title>Error</title>\n  </head>\n  <body>\n    <h1>Error</h1>\n    <p>";
    body.append(message);
    body += ".</p>\n    <p>request_id: ";
    body.append(request_id);
    body += "</p>\n  </body>\n</html>\n";
  } else if (content_type == kXml) {
    body += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error>\n  <message>";
    body.append(message);
    body += "</message>\n  <requestid>";
    body.append(request_id);
    body += "</requestid>\n</error>\n";
  } else if (content_type == kPlain) {
    body.append(message);
    body += "\nrequest_id: ";
    body.append(request_id);
    body += '\n';
  } else if (content_type == kGrpc) {
    // gRPC errors travel in grpc-status/grpc-message trailers, not in a body.
  } else {
    body += "{\n  \"message\":\"";
    body.append(message);
    body += "\",\n  \"request_id\":\"";
    body.append(request_id);
    body += "\"\n}";
  }
  return body;
}

ErrorResponse KongError(int status, std::string_view message, const http::HeaderMap& request,
                        std::string_view request_id) {
  std::optional<std::string_view> accept;
  std::string joined;
  if (request.Has("Accept")) {
    joined = JoinedValues(request, "Accept");
    accept = joined;
  }
  ErrorResponse r;
  r.status = status;
  r.content_type = NegotiateErrorType(accept);
  r.body = ErrorBody(r.content_type, message, request_id);
  return r;
}

std::string UpstreamErrorMessage(int status) {
  const std::string_view known = KnownUpstreamMessage(status);
  if (!known.empty()) return std::string(known);
  return "The upstream server responded with " + std::to_string(status);
}

ErrorResponse UpstreamError(int status, const http::HeaderMap& request,
                            std::string_view request_id, std::string_view error_default_type) {
  std::string_view format = error_default_type;
  if (const auto accept = request.Get("Accept")) {
    format = *accept;
  } else if (const auto type = request.Get("Content-Type")) {
    format = *type;
  }
  ErrorResponse r;
  r.status = status == 494 ? 400 : status;
  r.content_type = format.substr(0, kGrpc.size()) == kGrpc ? kGrpc : NegotiateErrorType(format);
  r.body = ErrorBody(r.content_type, UpstreamErrorMessage(status), request_id);
  return r;
}

}  // namespace kong::proxy
