// What consistent hashing reads from a request (Kong's balancer get_value_to_hash) and the
// hash function of the ring.
#ifndef KONG_BALANCER_HASH_KEY_H_
#define KONG_BALANCER_HASH_KEY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "balancer/upstream_config.h"
#include "http/header_map.h"

namespace kong::balancer {

// Request facts for hash_on/hash_fallback. Views only: valid for the duration of a Pick call.
struct RequestKeys {
  // The authenticated consumer's id, else the credential's id (Kong); "" when none.
  std::string_view consumer_id;
  // The client address after trusted_ips/real_ip processing (Kong's var.remote_addr).
  std::string_view client_ip;
  // The normalized request path without the query (Kong's var.uri).
  std::string_view path;
  // The raw query string without '?'.
  std::string_view query_string;
  // Request headers; null means none.
  const http::HeaderMap* headers = nullptr;
  // The router's named or numbered capture (Kong's uri_captures[name]); may be empty.
  std::function<std::optional<std::string_view>(std::string_view name)> uri_capture;
};

// The value hash_on (or hash_fallback) selects, or nullopt when the request has none (then
// Kong tries the fallback). Repeated headers join with ", " (nginx's $http_ variables);
// repeated query arguments join with ",". Cookies are read by `HashCookieValue`, not here.
std::optional<std::string> HashInput(HashOn on, const std::string& name, const RequestKeys& keys);

// The value of cookie `name` in the request's Cookie headers, or nullopt.
std::optional<std::string> HashCookieValue(const std::string& name, const RequestKeys& keys);

// The ring's hash: 64-bit FNV-1a followed by the SplitMix64 finalizer (FNV alone clusters
// short, similar keys such as "10.0.0.1:80#1"). Not Kong's function: Kong places ring points
// with xxhash32/crc32, so a key maps to a different target here than in Kong, with the same
// statistical guarantees (stickiness, weight-proportional share, minimal movement).
uint64_t Hash64(std::string_view data);

// A random RFC 4122 version-4 UUID, for the cookie Kong sets when hash_on=cookie finds none.
std::string RandomUuid();

}  // namespace kong::balancer

#endif  // KONG_BALANCER_HASH_KEY_H_
