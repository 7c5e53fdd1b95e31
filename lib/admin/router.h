// Router: the Admin API's path templates ("/services/{services}/routes") matched against request
// paths, telling an unknown path (Kong's 404) from a known path with another method (405).
#ifndef KONG_ADMIN_ROUTER_H_
#define KONG_ADMIN_ROUTER_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http/server.h"

namespace kong::admin {

using PathParams = std::map<std::string, std::string>;
using RouteHandler = std::function<void(http::Request& request, http::ResponseWriter& writer,
                                        const PathParams& params)>;

// Not thread-safe; the AdminApi uses it on its loop thread only.
class Router {
 public:
  // `pattern` segments are literals or `{name}` (one whole segment). Where several patterns
  // match a path, the one with a literal at the first differing segment wins, as in Kong
  // (/upstreams/{u}/targets/all beats /upstreams/{u}/targets/{t}). For the same method and
  // pattern the higher `priority` wins (endpoints added by other layers are served first).
  void Add(std::string method, std::string_view pattern, RouteHandler handler, int priority = 0);

  struct Match {
    const RouteHandler* handler = nullptr;  // null: no route for this method
    std::string pattern;                    // the matched template ("" when none)
    PathParams params;                      // percent-decoded segment values
    // Methods registered for the matched pattern; empty when no pattern matched (404).
    std::vector<std::string> allowed;
  };
  // `raw_path` is the still-encoded request path: segments are split first and decoded after,
  // so "%2F" stays inside its segment. One trailing slash is ignored (Kong retries without it).
  // HEAD falls back to GET.
  Match Find(std::string_view method, std::string_view raw_path) const;

  // Every distinct pattern, sorted (GET /endpoints).
  std::vector<std::string> Patterns() const;

 private:
  struct Segment {
    bool param = false;
    std::string text;  // literal text, or the parameter name
  };
  struct Entry {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    RouteHandler handler;
    int priority = 0;
  };
  static bool Matches(const Entry& entry, const std::vector<std::string>& segments);
  // True when `a` is more specific than `b` (both match the same path).
  static bool MoreSpecific(const Entry& a, const Entry& b);

  std::vector<Entry> entries_;
};

}  // namespace kong::admin

#endif  // KONG_ADMIN_ROUTER_H_
