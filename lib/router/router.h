// kong::router::Router: Kong's HTTP proxy router with `traditional_compatible` semantics
// (reference kong-entities.md §4.1-§4.5), built once per configuration snapshot.
#ifndef KONG_ROUTER_ROUTER_H_
#define KONG_ROUTER_ROUTER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/header_map.h"
#include "json/value.h"
#include "kong/status.h"

namespace kong::router {

// One route of the configuration, as the proxy needs it after a match. Immutable and owned by
// the Router; a route whose paths Kong splits into several matchers (§4.5 step 1) is still one
// RouteInfo, like Kong's `original_route`.
struct RouteInfo {
  std::string id;                          // the route's UUID as configured
  std::string name;                        // "" when unnamed
  std::optional<std::string> service_id;   // nullopt: a route without service (proxy: 503)
  const json::Value* service = nullptr;    // the service object from the config, or null
  std::vector<std::string> protocols;      // e.g. {"http","https"}; the proxy applies 426/301..
  bool strip_path = true;
  bool preserve_host = false;
  bool request_buffering = true;
  bool response_buffering = true;
  std::string path_handling = "v0";        // ATC flavors always build upstream paths with v0
  int https_redirect_status_code = 426;
  int64_t regex_priority = 0;
  const json::Value* route = nullptr;      // the whole route object from the config
  // Position in the flat config's `routes` array: per-route tables (plugin chains) index by
  // it instead of hashing the id per request.
  size_t config_index = 0;
};

// What the router reads from a request. Views only: the caller keeps the data alive for the
// duration of Find().
struct RouteRequest {
  std::string_view method;  // "GET", compared exactly (Kong matches upper-case methods)
  // "http" or "https" (Kong's net.protocol: the listener's scheme, not X-Forwarded-Proto).
  std::string_view scheme = "http";
  // The Host header as received, possibly with ":port"; compared byte for byte (Kong does
  // not lower-case it). "" when absent.
  std::string_view host;
  // The raw request target path; a "?query" suffix is ignored. Find() normalizes it (§4.2).
  std::string_view path;
  std::string_view sni;     // TLS SNI, "" for plain HTTP; a trailing dot is ignored
  // The local port the request came in on; used for `host:port` routes when the Host header
  // carries no port (Kong's net.dst.port).
  uint16_t port = 0;
  // Request headers (names case-insensitive, '-' and '_' equivalent); null means none.
  const http::HeaderMap* headers = nullptr;
};

// A successful match. Owns the normalized path the captures point into, so it may outlive the
// request's buffers; `route` points into the Router, which must outlive the match.
struct RouteMatch {
  const RouteInfo* route = nullptr;
  // The normalized request path the router matched against (§4.2).
  std::string path;
  // Whether a path condition matched; false for routes without paths.
  bool path_matched = false;
  // The matched part of `path`: the route's prefix, or the regex's whole match. Kong's
  // `matched_path`, used for strip_path.
  std::pair<size_t, size_t> matched_path{0, 0};  // offset and length in `path`
  // Regex captures (Kong's uri_captures): index 0 is the whole match, then groups 1..n. A
  // group that did not participate is nullopt. Empty when the path was a prefix or the regex
  // has no groups.
  std::vector<std::optional<std::pair<size_t, size_t>>> captures;
  std::vector<std::pair<std::string, size_t>> capture_names;  // named group -> index
  // The request host without its port, as matched.
  std::string host;

  std::string_view matched_path_text() const {
    return std::string_view(path).substr(matched_path.first, matched_path.second);
  }
  // The text of capture `i`, or nullopt (absent group or out of range).
  std::optional<std::string_view> capture(size_t i) const;
  // The text of the named capture, or nullopt.
  std::optional<std::string_view> capture(std::string_view name) const;
};

struct RouterOptions {
  // Use PCRE2's JIT for path and header regexes when the library supports it.
  bool use_jit = true;
};

// Immutable after Build: Find() may be called from any number of threads at once without
// locks (regex scratch space is per thread).
class Router {
 public:
  // Builds from Kong's flat declarative form: {"services":[...],"routes":[...]}, routes
  // referencing services as {"id": "..."} (as our CP exports). Routes of disabled services
  // and stream-only routes (tcp/tls/udp/tls_passthrough) are left out, like Kong's HTTP
  // router; so are routes with no matching field at all (Kong cannot compile them).
  // Errors (kInvalidArgument, naming the route): a non-object route, a missing id, a service
  // reference that does not exist, an invalid regex in a path or header value.
  static Result<std::shared_ptr<const Router>> Build(const json::Value& flat_config,
                                                     const RouterOptions& options = {});

  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // The highest-priority route matching `request` (§4.5 order), or nullopt (Kong: 404).
  std::optional<RouteMatch> Find(const RouteRequest& request) const;

  // Test-only: what Find() answers, computed by trying every matcher in priority order
  // without the index (the reference the index is checked against). Linear in the routes.
  std::optional<RouteMatch> TEST_FindLinear(const RouteRequest& request) const;

  // Routes in the router (after leaving out the ones described in Build), not split matchers.
  size_t route_count() const;
  // Calls `fn` for each of those routes (per-route tables built beside the router).
  void ForEachRoute(const std::function<void(const RouteInfo&)>& fn) const;
  // Matchers after Kong's split of mixed-path routes (§4.5 step 1).
  size_t matcher_count() const;

  class Impl;

 private:
  explicit Router(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kong::router

#endif  // KONG_ROUTER_ROUTER_H_
