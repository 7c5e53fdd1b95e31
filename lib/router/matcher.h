// Matcher: one route (or one path group of a split route) compiled to the conditions of Kong's
// ATC expression (transform.get_expression) plus its priority (transform.get_priority).
#ifndef KONG_ROUTER_MATCHER_H_
#define KONG_ROUTER_MATCHER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "router/regex.h"
#include "router/router.h"

namespace kong::router {

// How a host or SNI condition compares: exact, "*.x" (ends with ".x"), "x.*" (starts with "x.").
enum class NameOp { kExact, kEndsWith, kStartsWith };

struct HostCondition {
  NameOp op = NameOp::kExact;
  std::string text;             // the host without '*' (".x" / "x." for wildcards), no port
  std::optional<uint32_t> port; // "host:port" routes also require the request port
};

struct PathCondition {
  std::string prefix;                 // a prefix path ("/foo"), when re is null
  std::shared_ptr<const Regex> re;    // "^" + the text after '~'
  // Every path this condition matches starts with `literal` (the prefix itself, or the
  // regex's literal head): the key under which the router indexes it.
  std::string literal;
};

struct HeaderCondition {
  std::string name;                                // lower case, '-' replaced by '_'
  std::vector<std::string> values;                 // exact values, lower case
  std::vector<std::shared_ptr<const Regex>> regexes;  // "~*re" values (lower-cased, as Kong)
};

// The request as the conditions see it, computed once per Find().
struct RequestView {
  std::string_view method, scheme, host /*no port*/, path /*normalized*/, sni /*no final dot*/;
  uint16_t port = 0;  // the Host header's port, else the listener's
  const http::HeaderMap* headers = nullptr;
};

struct Matcher {
  const RouteInfo* route = nullptr;
  std::string uuid;  // lower case; Kong's UUID v5 for split routes; the last tie-breaker

  // Priority fields, compared in this order, all descending (§4.5): match_weight (bits 61-63),
  // plain hosts only (60), header count (52-59), regex path (51), regex_priority (19-50),
  // prefix length (0-18).
  uint32_t match_weight = 0;
  bool plain_hosts_only = false;
  uint32_t header_count = 0;
  bool regex_path = false;
  int64_t regex_priority = 0;
  uint32_t prefix_length = 0;

  std::vector<std::string> schemes;  // net.protocol terms; empty: any scheme
  std::vector<std::string> methods;
  std::vector<HostCondition> hosts;
  std::vector<PathCondition> paths;
  std::vector<HeaderCondition> headers;
  std::vector<HostCondition> snis;   // port never set

  // True when every condition holds. On success with a path condition, fills the path part of
  // `match` (matched_path, captures); `match->path` must already hold req.path.
  bool Matches(const RequestView& req, RouteMatch* match) const;
};

// Strict priority order: true when `a` is tried before `b`.
bool HigherPriority(const Matcher& a, const Matcher& b);

// The literal text every match of the anchored regex `re` starts with ("" when unknown).
std::string RegexLiteralHead(std::string_view re);

}  // namespace kong::router

#endif  // KONG_ROUTER_MATCHER_H_
