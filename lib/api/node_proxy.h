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

#include "api/worker_log_relay.h"
#include "dataplane/config_store.h"
#include "gateway/gateway.h"
#include "json/value.h"
#include "kong/conf.h"
#include "kong/event_loop.h"
#include "kong/logger.h"
#include "kong/status.h"
#include "net/timer.h"

namespace kong::api {

// Loop thread only (the gateway's own threads never call back into the node directly).
// nginx's "combined" access log line of `entry` (local time), without the newline.
std::string CombinedLogLine(const gateway::AccessLogEntry& entry);

class NodeProxy {
 public:
  // Reads the proxy settings of `conf` (gateway::GatewayOptionsFromConf, and the graceful
  // stop's nginx_main_worker_shutdown_timeout) and starts the workers, bound to every
  // proxy_listen address. OK with null when proxy_listen is off. `log` runs on `loop`'s thread
  // (worker lines at `min_level` or above are posted there) until Stop; `access_log` (may be
  // empty) on the worker threads, with nginx's "combined" line of each request.
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
  // The gateway's plugin state (the prometheus plugin's metrics...); null after Stop.
  plugins::SharedState* plugin_state() const;

  // The workers' lines below `level` are dropped from now on (a reload's log_level).
  void SetLogLevel(LogLevel level);

  // Kong's graceful stop (SIGQUIT, `kong quit`): the listeners close at once (new connections
  // are refused), idle keep-alive connections close, and requests in flight get
  // nginx_main_worker_shutdown_timeout to finish (nginx's worker_shutdown_timeout, which
  // Kong's template fills from that key; unset: no limit, as nginx), after which what is left
  // is closed. `drained` runs on the loop's thread, never inside Drain, once every worker
  // exited; the loop keeps running until then. A Stop() during the drain ends it at once
  // (`drained` still runs); destroying the proxy drops `drained`. Call it once.
  void Drain(std::function<void()> drained);
  // The grace period Drain gives requests in flight, in ms (UINT64_MAX: no limit).
  uint64_t shutdown_grace_ms() const { return shutdown_grace_ms_; }

  // Closes the listeners and every connection at once (no grace period) and joins the
  // workers: blocks the calling thread until they exited. No log line arrives afterwards.
  // Idempotent.
  void Stop();

 private:
  NodeProxy(EventLoop& loop, std::vector<net::ListenSpec> listen, LogSink log,
            LogLevel min_level, uint64_t shutdown_grace_ms);

  EventLoop& loop_;
  std::vector<net::ListenSpec> listen_;
  WorkerLogRelay log_relay_;
  uint64_t shutdown_grace_ms_;
  std::unique_ptr<gateway::Gateway> gateway_;
  // While draining: keeps the loop running until the workers exited. `drain_alive_` is false
  // once this object is gone (read on the loop thread by the posted `drained`).
  std::unique_ptr<net::Timer> drain_guard_;
  std::shared_ptr<bool> drain_alive_;
};

}  // namespace kong::api

#endif  // KONG_API_NODE_PROXY_H_
