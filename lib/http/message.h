// Request and Response values, query-string parsing and percent-decoding.
#ifndef KONG_HTTP_MESSAGE_H_
#define KONG_HTTP_MESSAGE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/header_map.h"
#include "net/transport.h"

namespace kong::http {

// Query arguments: key -> values in order of appearance ("a=1&a=2" -> {"a": ["1", "2"]}).
// A key without '=' has one empty value, as in nginx's $arg_.
using QueryParams = std::map<std::string, std::vector<std::string>>;

// Decodes %XX escapes; with `plus_as_space` (query strings) '+' becomes ' '. Malformed escapes
// stay as they are, like nginx's ngx_unescape_uri.
std::string PercentDecode(std::string_view s, bool plus_as_space);
// Escapes everything except RFC 3986 unreserved characters (for building query strings).
std::string PercentEncode(std::string_view s);

QueryParams ParseQuery(std::string_view query);

// Calls fn(pair) for each non-empty '&'-separated piece of a query string or urlencoded form
// ("a=1&&b" gives "a=1", "b"), in order, still encoded; fn returns false to stop.
template <typename Fn>
void ForEachQueryPair(std::string_view query, Fn&& fn) {
  size_t start = 0;
  while (start < query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(start, end - start);
    start = end + 1;
    if (!pair.empty() && !fn(pair)) return;
  }
}

// Splits a request-target into its raw (still encoded) path and query. The absolute form
// "http://host/p?q" yields "/p" and "q"; a fragment is dropped.
void SplitTarget(std::string_view target, std::string* raw_path, std::string* query);

struct Request {
  std::string method;        // "GET"
  std::string target;        // as received: "/services/a%20b?size=10"
  std::string raw_path;      // "/services/a%20b"
  std::string path;          // percent-decoded: "/services/a b"
  std::string query_string;  // "size=10", without '?'
  QueryParams query;
  int http_major = 1;
  int http_minor = 1;
  HeaderMap headers;
  std::string body;          // de-chunked (empty when streamed: ResponseWriter::ReadBody)
  int64_t content_length = -1;  // the Content-Length header's value; -1 without one
  bool chunked = false;         // Transfer-Encoding: chunked
  bool body_streamed = false;   // the body comes through ResponseWriter::ReadBody()
  bool keep_alive = true;    // what the client asked for (version and Connection header)
  bool upgrade = false;      // Connection: upgrade + Upgrade:, or CONNECT
  std::string peer_address;  // "127.0.0.1:50412"
  std::string sni;           // TLS server name the client sent ("" over plain TCP)

  // The first value of a query argument.
  std::optional<std::string_view> Query(std::string_view key) const;
};

struct Response {
  int status = 200;
  HeaderMap headers;  // Content-Length, Transfer-Encoding and Connection are set by the writer
  std::string body;

  static Response Json(int status, std::string json);
  static Response Text(int status, std::string text);
};

// A connection taken over after an upgrade (WebSocket): the transport, with its callbacks
// cleared and reading stopped, plus bytes that arrived after the HTTP message and that the new
// owner must consume before anything it reads next.
struct UpgradedTransport {
  std::unique_ptr<net::Transport> transport;
  std::string buffered;
};

}  // namespace kong::http

#endif  // KONG_HTTP_MESSAGE_H_
