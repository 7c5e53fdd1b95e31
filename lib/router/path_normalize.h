// Kong's request-path normalization before routing (kong.tools.uri.normalize(uri, true)).
#ifndef KONG_ROUTER_PATH_NORMALIZE_H_
#define KONG_ROUTER_PATH_NORMALIZE_H_

#include <string>
#include <string_view>

namespace kong::router {

// Normalizes a request path exactly as Kong does before matching (reference §4.2):
//  1. every %XX escape (hex digits in any case) is decoded, except the reserved characters
//     !*'();:@&=+$,/?%#[] whose escapes stay encoded and are upper-cased (%2f -> %2F);
//     one pass: "%2541" stays "%2541" (the decoded '%' is reserved);
//  2. dot segments are removed (RFC 3986 remove_dot_segments; "/%2e%2e/" counts as "/../");
//  3. "//" runs are merged into one "/".
// "" and "/" are returned unchanged; a path that climbs above the root stays at the root.
// Pure and thread-safe.
std::string NormalizePath(std::string_view path);

}  // namespace kong::router

#endif  // KONG_ROUTER_PATH_NORMALIZE_H_
