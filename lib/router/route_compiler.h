// Compiles the routes of a flat declarative config into RouteInfos and prioritized Matchers.
#ifndef KONG_ROUTER_ROUTE_COMPILER_H_
#define KONG_ROUTER_ROUTE_COMPILER_H_

#include <memory>
#include <vector>

#include "json/value.h"
#include "kong/status.h"
#include "router/matcher.h"
#include "router/router.h"

namespace kong::router {

struct CompiledRoutes {
  std::vector<std::unique_ptr<RouteInfo>> routes;
  std::vector<Matcher> matchers;  // sorted: highest priority first (§4.5)
};

// `routes` and `services` are the arrays of the flat config (either may be null); the
// RouteInfos point into them, so they must outlive the result. See Router::Build for what is
// left out and the errors.
Result<CompiledRoutes> CompileRoutes(const json::Value& routes, const json::Value& services,
                                     const RouterOptions& options);

// Kong's UUID v5 (resty.jit-uuid factory_v5) in lower-case 8-4-4-4-12 form.
// REQUIRES: `namespace_uuid` is a valid UUID.
std::string UuidV5(std::string_view namespace_uuid, std::string_view name);

}  // namespace kong::router

#endif  // KONG_ROUTER_ROUTE_COMPILER_H_
