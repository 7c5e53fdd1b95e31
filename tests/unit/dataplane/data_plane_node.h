// kong::DataPlane test helpers: a data plane's conf (shared-mode pair in files, status API on
// port 0), a started node with what it logged and applied, and GETs on its status API.
#ifndef KONG_TESTS_UNIT_DATAPLANE_DATA_PLANE_NODE_H_
#define KONG_TESTS_UNIT_DATAPLANE_DATA_PLANE_NODE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/client.h"
#include "json/value.h"
#include "kong/conf.h"
#include "kong/data_plane.h"
#include "net/connect.h"
#include "support/test_support.h"
#include "unit/tls/test_certs.h"

namespace kong::test {

// A DP's conf: shared-mode pair written to files, prefix and status_listen on port 0.
inline Result<Conf> DpConf(const TempDir& dir, const std::string& control_plane,
                           std::map<std::string, std::string> extra = {}) {
  WriteTestFile(dir.File("cluster.crt"), Pki().shared.cert_pem);
  WriteTestFile(dir.File("cluster.key"), Pki().shared.key_pem);
  ConfSources sources;
  sources.overrides = {{"role", "data_plane"},
                       {"database", "off"},
                       {"prefix", dir.File("prefix")},
                       {"cluster_cert", dir.File("cluster.crt")},
                       {"cluster_cert_key", dir.File("cluster.key")},
                       {"cluster_control_plane", control_plane},
                       {"status_listen", "127.0.0.1:0"},
                       {"proxy_listen", "127.0.0.1:0"},
                       {"nginx_worker_processes", "1"}};
  for (auto& [k, v] : extra) sources.overrides[k] = v;
  return Conf::Load(sources);
}

// A started DataPlane plus what it logged and applied.
struct Node {
  std::vector<std::string> logs;
  std::vector<std::string> applied;
  std::unique_ptr<DataPlane> dp;

  bool Logged(const std::string& part) const {
    for (const auto& l : logs) {
      if (l.find(part) != std::string::npos) return true;
    }
    return false;
  }

  void Start(EventLoop& loop, Conf conf) {
    DataPlaneOptions o;
    o.conf = std::move(conf);
    o.hostname = "dp-test";
    o.log_sink = [this](LogLevel, std::string_view line) { logs.emplace_back(line); };
    o.on_config_applied = [this](const std::string& hash) { applied.push_back(hash); };
    auto created = DataPlane::Create(loop, std::move(o));
    REQUIRE_OK(created.status());
    dp = std::move(created).value();
    REQUIRE_OK(dp->Start());
  }

  void Stop(EventLoop& loop) {
    bool stopped = false;
    dp->Stop([&] { stopped = true; });
    CHECK(WaitUntil(loop, [&] { return stopped; }));
    dp.reset();
  }
};

// GET over a fresh loopback connection: status and body.
inline std::pair<int, std::string> Get(EventLoop& loop, uint16_t port,
                                       const std::string& target) {
  std::unique_ptr<net::Transport> t;
  bool done = false;
  auto attempt = net::ConnectAttempt::Start(
      loop, "127.0.0.1", port, {}, [&](Result<std::unique_ptr<net::Transport>> r) {
        done = true;
        if (r.ok()) t = std::move(r).value();
      });
  REQUIRE(WaitUntil(loop, [&] { return done; }));
  REQUIRE(t != nullptr);
  http::HttpClient client(std::move(t));
  std::optional<Result<http::ClientResponse>> resp;
  client.Send({"GET", target, {}, ""},
              [&](Result<http::ClientResponse> r) { resp.emplace(std::move(r)); });
  REQUIRE(WaitUntil(loop, [&] { return resp.has_value(); }));
  REQUIRE_OK(resp->status());
  return {(*resp)->status, (*resp)->body};
}

inline std::string HashAtStatus(EventLoop& loop, uint16_t port) {
  auto [status, body] = Get(loop, port, "/status");
  REQUIRE(status == 200);
  auto v = json::Parse(body);
  REQUIRE_OK(v.status());
  REQUIRE(v->Find("configuration_hash") != nullptr);
  CHECK(v->Find("server") != nullptr);
  return v->Find("configuration_hash")->as_string();
}

}  // namespace kong::test

#endif  // KONG_TESTS_UNIT_DATAPLANE_DATA_PLANE_NODE_H_
