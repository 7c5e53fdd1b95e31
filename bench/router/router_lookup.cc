// Router lookup cost with 1 and with 10,000 routes (mixed hosts, prefixes and regexes), the
// request matching a route near the end. Prints ns per lookup; not run by `meson test`.
#include <chrono>
#include <cstdio>
#include <string>

#include "http/header_map.h"
#include "json/value.h"
#include "router/router.h"

namespace {

using kong::router::RouteRequest;
using kong::router::Router;

std::string Routes(int count) {
  std::string out = "[";
  for (int i = 0; i < count; ++i) {
    std::string n = std::to_string(i);
    if (i > 0) out += ",";
    switch (i % 4) {
      case 0:
        out += "{\"id\":\"r" + n + "\",\"hosts\":[\"svc" + n +
               ".example.com\"],\"paths\":[\"/api\"]}";
        break;
      case 1:
        out += "{\"id\":\"r" + n + "\",\"paths\":[\"/p" + n + "/items\"]}";
        break;
      case 2:
        out += "{\"id\":\"r" + n + "\",\"paths\":[\"~/r" + n + "/(?<id>\\\\d+)$\"]}";
        break;
      default:
        out += "{\"id\":\"r" + n + "\",\"hosts\":[\"*.w" + n + ".net\"]}";
    }
  }
  return out + "]";
}

double NsPerLookup(const Router& router, const RouteRequest& req, const char* want) {
  auto check = router.Find(req);
  if (!check || check->route->id != want) {
    std::fprintf(stderr, "wrong route for the benchmark request (want %s)\n", want);
    std::exit(1);
  }
  constexpr int kIterations = 1000000;
  size_t sink = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kIterations; ++i) sink += router.Find(req)->path.size();
  auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start);
  if (sink == 0) std::puts("");
  return ns.count() / kIterations;
}

}  // namespace

int main() {
  for (int count : {1, 10000}) {
    auto cfg = kong::json::Parse("{\"routes\":" + Routes(count) + "}");
    auto t0 = std::chrono::steady_clock::now();
    auto router = Router::Build(cfg.value());
    auto build_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0);
    if (!router.ok()) {
      std::fprintf(stderr, "%s\n", router.status().ToString().c_str());
      return 1;
    }
    int last = count - 1;
    int prefix_route = count == 1 ? 0 : last - 2;  // i % 4 == 1
    RouteRequest req;
    req.method = "GET";
    req.host = count == 1 ? "svc0.example.com" : "";
    std::string path = count == 1 ? "/api/x" : "/p" + std::to_string(prefix_route) + "/items/1";
    req.path = path;
    std::string want = std::string("r").append(std::to_string(prefix_route));
    double prefix_ns = NsPerLookup(**router, req, want.c_str());
    std::printf("routes=%-6d build=%.1f ms  prefix lookup: %.0f ns", count, build_ms.count(),
                prefix_ns);
    if (count > 1) {
      std::string re_path = "/r" + std::to_string(last - 1) + "/42";
      req.path = re_path;
      std::string want_re = std::string("r").append(std::to_string(last - 1));
      std::printf("  regex lookup: %.0f ns", NsPerLookup(**router, req, want_re.c_str()));
      std::string wild = "a.w" + std::to_string(last) + ".net";
      req.host = wild;
      req.path = "/x";
      std::string want_w = std::string("r").append(std::to_string(last));
      std::printf("  wildcard-host lookup: %.0f ns", NsPerLookup(**router, req, want_w.c_str()));
    }
    std::printf("\n");
  }
  return 0;
}
