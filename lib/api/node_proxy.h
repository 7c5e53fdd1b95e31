// NodeProxy: the proxy server of a node (data plane or traditional) as the node's loop sees it:
// the gateway started from kong.conf, its log lines brought to the loop thread, and the
// compile/publish steps a new configuration goes through.
#ifndef KONG_API_NODE_PROXY_H_
#define KONG_API_NODE_PROXY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/config_store.h"
#include "gateway/gateway.h"
#include "json/value.h"
#include "kong/conf.h"
#include "kong/event_loop.h"
#include "kong/logger.h"
#include "kong/status.h"

namespace kong::api {

// Loop thread only (the gateway's own threads never call back into the node directly).
// nginx's "combined" access log line of `entry` (local time), without the newline.
std::string CombinedLogLine(const gateway::AccessLogEntry& entry);

class NodeProxy {
 public:
  // Reads the proxy settings of `conf` (gateway::GatewayOptionsFromConf) and starts the
  // workers, bound to every proxy_listen address. OK with null when proxy_listen is off.
  // `log` runs on `loop`'s thread (worker lines are posted there) until Stop; `access_log`
  // (may be empty) on the worker threads, with nginx's "combined" line of each request.
  using AccessLogSink = std::function<void(std::string_view line)>;
  static Result<std::unique_ptr<NodeProxy>> Start(EventLoop& loop, const Conf& conf,
                                                  LogSink log, LogLevel min_level,
                                                  AccessLogSink access_log);
  ~NodeProxy();  // Stop()
  NodeProxy(const NodeProxy&) = delete;
  NodeProxy& operator=(const NodeProxy&) = delete;

  // BuildSnapshot as a ConfigStore compiler; valid while this object lives.
  dataplane::ConfigStore::Compiler Compiler() const;
  // Makes the config's compiled snapshot the one new requests use (no-op when it has none).
  void Publish(const dataplane::ConfigSnapshot& config);

  // Bound proxy ports in proxy_listen order; empty after Stop.
  std::vector<uint16_t> ports() const;
  // "proxy listening on 0.0.0.0:8000, 0.0.0.0:8443 (ssl)" with the bound ports.
  std::string ListeningLine() const;
  // {"<upstream name>": health view} of the published config; {} after Stop.
  json::Value UpstreamHealth() const;

  // Closes the listeners and every connection at once (no grace period) and joins the
  // workers: blocks the calling thread until they exited. No log line arrives afterwards.
  // Idempotent.
  void Stop();

 private:
  struct LogRelay;
  NodeProxy(std::vector<net::ListenSpec> listen, std::shared_ptr<LogRelay> relay);

  std::vector<net::ListenSpec> listen_;
  std::shared_ptr<LogRelay> relay_;
  std::unique_ptr<gateway::Gateway> gateway_;
};

}  // namespace kong::api

#endif  // KONG_API_NODE_PROXY_H_
