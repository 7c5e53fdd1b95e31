// StatusApi: the data plane's status_listen server (Kong's Status API): GET /status with the
// configuration hash, GET /status/ready.
#ifndef KONG_DATAPLANE_STATUS_API_H_
#define KONG_DATAPLANE_STATUS_API_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "json/value.h"
#include "kong/event_loop.h"
#include "kong/logger.h"
#include "kong/status.h"
#include "net/listen_spec.h"

namespace kong::http {
class Server;
}

namespace kong::dataplane {

struct StatusApiOptions {
  std::vector<net::ListenSpec> listen;  // status_listen; empty: Start binds nothing
  std::string server_header = "kong";   // Server: header ("kong/3.10.0")
  // Read on each request, on the loop thread.
  std::function<std::string()> config_hash;  // 32 chars; the empty hash before any config
  std::function<bool()> ready;               // a non-empty configuration is installed
  // The cluster_control_plane entry the link is up to; "" while disconnected.
  std::function<std::string()> connected_control_plane;
  // The proxy's {"<upstream name>": {"total":n,"data":[...]}} (gateway::Gateway::
  // UpstreamHealth); empty when the node runs no proxy. Read on each request.
  std::function<json::Value()> upstream_health;
  // The prometheus plugin's exposition text (plugins::PrometheusMetrics::Render); unset when
  // `prometheus` is not in the node's `plugins` list (GET /metrics is then a 404).
  std::function<std::string()> metrics;
  std::string node_id;  // carried by the health bodies, as Kong's
  LogSink log;
};

// Loop thread only. Answers, as Kong's health.lua and status/ready.lua do:
//   GET /status        200 {"configuration_hash":"..","server":{"connections_active":n,..},
//                      "connected_control_plane":"host:port" or null (ours)}
//   GET /status/ready  200 {"message":"ready"} or 503 {"message":"no configuration available
//                      (empty configuration present)"}
//   GET /upstreams/{name or id}/health  200 Kong's health body {"total":n,"node_id":..,
//                      "data":[{"id","target","weight","upstream":{"id"},"health"}],
//                      "next":null} (Kong's status API serves it on DB-less nodes); 404 for
//                      an upstream the current configuration lacks;
//   GET /metrics       200 text/plain Prometheus metrics when `metrics` is set (Kong's
//                      prometheus status_api.lua), else 404;
//   other paths 404 {"message":"Not found"}; other methods 405 {"message":"Method not allowed"}.
class StatusApi {
 public:
  // Binds every address; errors name the address (nothing stays bound then).
  static Result<std::unique_ptr<StatusApi>> Start(EventLoop& loop, StatusApiOptions options);
  ~StatusApi();  // closes everything; no callback afterwards
  StatusApi(const StatusApi&) = delete;
  StatusApi& operator=(const StatusApi&) = delete;

  std::vector<uint16_t> bound_ports() const;
  // Closes the listeners and connections; `on_closed` after the last handle closed.
  void Close(std::function<void()> on_closed);

 private:
  explicit StatusApi(StatusApiOptions options);
  void Handle(const std::string& method, const std::string& path, std::string* body, int* status);
  // GET /metrics when `metrics` is set: fills `body`, true.
  bool Metrics(const std::string& method, const std::string& path, std::string* body);
  // GET /upstreams/{upstream}/health; false when `path` is not such a path.
  bool UpstreamHealth(const std::string& path, std::string* body, int* status) const;

  StatusApiOptions options_;
  std::unique_ptr<http::Server> server_;
  uint64_t total_requests_ = 0;
};

}  // namespace kong::dataplane

#endif  // KONG_DATAPLANE_STATUS_API_H_
