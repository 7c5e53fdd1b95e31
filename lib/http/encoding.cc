// HTTP/1.1 wire encoding helpers.
#include "http/encoding.h"

#include <cstdio>

namespace kong::http {

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Moved Temporarily";  // nginx's wording
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Not Allowed";  // nginx's wording
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Time-out";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "Request-URI Too Large";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Requested Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 426:
      return "Upgrade Required";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Temporarily Unavailable";
    case 504:
      return "Gateway Time-out";
    default:
      return "Unknown";
  }
}

std::string HttpDate(std::time_t t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

const std::string& CurrentHttpDate() {
  // initial-exec: the library is linked, not dlopen()ed; no __tls_get_addr per response.
  [[gnu::tls_model("initial-exec")]] thread_local std::time_t cached_at = -1;
  [[gnu::tls_model("initial-exec")]] thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cached_at) {
    cached = HttpDate(now);
    cached_at = now;
  }
  return cached;
}

bool ResponseHasNoBody(std::string_view method, int status) {
  return method == "HEAD" || (status >= 100 && status < 200) || status == 204 || status == 304;
}

namespace {
void AppendHeaders(std::string* out, const HeaderMap& headers) {
  for (const auto& [name, value] : headers) AppendField(out, name, value);
  out->append("\r\n");
}
}  // namespace

std::string EncodeResponseHead(int status, const HeaderMap& headers) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " ";
  out.append(ReasonPhrase(status)).append("\r\n");
  AppendHeaders(&out, headers);
  return out;
}

std::string EncodeRequestHead(std::string_view method, std::string_view target,
                              const HeaderMap& headers) {
  std::string out;
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  AppendHeaders(&out, headers);
  return out;
}

std::string EncodeChunk(std::string_view data) {
  if (data.empty()) return "";
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  std::string out(size);
  out.append(data).append("\r\n");
  return out;
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

Response KongErrorResponse(int status) {
  std::string_view message;
  switch (status) {  // kong/error_handlers.lua BODIES
    case 400:
      message = "Bad request";
      break;
    case 404:
      message = "Not found";
      break;
    case 405:
      message = "Method not allowed";
      break;
    case 408:
      message = "Request timeout";
      break;
    case 411:
      message = "Length required";
      break;
    case 412:
      message = "Precondition failed";
      break;
    case 413:
      message = "Payload too large";
      break;
    case 414:
      message = "URI too long";
      break;
    case 417:
      message = "Expectation failed";
      break;
    case 494:
      message = "Request header or cookie too large";
      break;
    case 500:
      message = "An unexpected error occurred";
      break;
    case 503:
      message = "The upstream server is currently unavailable";
      break;
    default:
      break;
  }
  std::string text = message.empty()
                         ? "The upstream server responded with " + std::to_string(status)
                         : std::string(message);
  return Response::Json(status == 494 ? 400 : status, "{\"message\":\"" + JsonEscape(text) + "\"}");
}

}  // namespace kong::http
