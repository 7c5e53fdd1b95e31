// The path of the upstream request: Kong's strip_path / path_handling joining of the service
// path and the request path (kong-entities.md §4.6), escaping, and query passthrough.
#ifndef KONG_PROXY_UPSTREAM_PATH_H_
#define KONG_PROXY_UPSTREAM_PATH_H_

#include <optional>
#include <string>
#include <string_view>

namespace kong::proxy {

// routes.path_handling. v0 is Kong's default and the only one its ATC routers implement; v1
// (deprecated, traditional router only) concatenates without inserting a '/'.
enum class PathHandling { kV0, kV1 };

// What the router decided for one request. Views only: nothing is copied or owned.
struct UpstreamPathParams {
  // service.path; nullopt for Kong's null, which means "/".
  std::optional<std::string_view> service_path;
  // The request path the router matched against (query removed, normalized: §4.2).
  std::string_view path;
  // The part of `path` the route's path matched: the prefix string, or a regex's whole match
  // (which starts at the beginning of `path`). nullopt when the route matched without a path
  // (hosts/methods/headers only).
  std::optional<std::string_view> matched_path;
  bool strip_path = true;
  PathHandling path_handling = PathHandling::kV0;
};

// Kong's sanitize_uri_postfix: "." and ".." become empty, a leading "./" or "../" is dropped.
std::string_view SanitizePostfix(std::string_view postfix);

// The stripped prefix Kong reports in X-Forwarded-Prefix: the matched path when strip_path
// removed it and it is not "/"; nullopt otherwise.
std::optional<std::string_view> StrippedPrefix(const UpstreamPathParams& p);

// Kong's match_t.upstream_uri: the joined path, not yet escaped. For tests and logs.
std::string UpstreamPath(const UpstreamPathParams& p);

// The request-target sent upstream in one allocation: UpstreamPath() passed through Kong's
// escape() (every byte outside [!#$&'()*+,/:;=?@[]A-Za-z0-9-_.~%] becomes %XX), then
// "?" + `query` when the client's target had a '?' (an empty query keeps its bare '?').
// Thread-safe (pure).
std::string UpstreamTarget(const UpstreamPathParams& p, std::optional<std::string_view> query);

// Kong's escape() alone, for a path a plugin sets (kong.service.request.set_path).
std::string EscapeUpstreamPath(std::string_view path);

// The raw query of a request-target as received: nullopt without '?', "" for a bare '?'.
// A fragment is not part of it.
std::optional<std::string_view> RawQuery(std::string_view target);

// The raw path of a request-target (query and fragment removed); "http://h/p?q" gives "/p".
// X-Forwarded-Path carries this, not the normalized path.
std::string_view RawPath(std::string_view target);

}  // namespace kong::proxy

#endif  // KONG_PROXY_UPSTREAM_PATH_H_
