// NodeProxy: gateway::Gateway started from kong.conf, with its worker-thread log lines posted to
// the node's loop.
#include "api/node_proxy.h"

#include <cstdint>
#include <ctime>
#include <utility>

#include "api/kong_version.h"
#include "base/macros.h"
#include "base/text.h"
#include "gateway/gateway_conf.h"

namespace kong::api {
namespace {

// Kong injects nginx_main_* keys into nginx.conf's main block.
constexpr char kShutdownTimeoutKey[] = "nginx_main_worker_shutdown_timeout";
constexpr uint64_t kNoShutdownLimit = UINT64_MAX;

}  // namespace

NodeProxy::NodeProxy(EventLoop& loop, std::vector<net::ListenSpec> listen, LogSink log,
                     LogLevel min_level, uint64_t shutdown_grace_ms)
    : loop_(loop),
      listen_(std::move(listen)),
      log_relay_(loop, std::move(log), min_level),
      shutdown_grace_ms_(shutdown_grace_ms) {}

NodeProxy::~NodeProxy() {
  if (drain_alive_) *drain_alive_ = false;
  Stop();
}

std::string CombinedLogLine(const gateway::AccessLogEntry& e) {
  char when[64] = "-";
  std::time_t now = std::time(nullptr);
  std::tm local{};
  if (localtime_r(&now, &local) != nullptr) {
    std::strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S %z", &local);
  }
  auto or_dash = [](const std::string& v) { return v.empty() ? std::string("-") : v; };
  return or_dash(e.client_ip) + " - - [" + when + "] \"" + e.method + " " + e.target +
         " HTTP/" + std::to_string(e.http_major) + "." + std::to_string(e.http_minor) + "\" " +
         std::to_string(e.status) + " " + std::to_string(e.bytes_sent) + " \"" +
         or_dash(e.referer) + "\" \"" + or_dash(e.user_agent) + "\"";
}

Result<std::unique_ptr<NodeProxy>> NodeProxy::Start(EventLoop& loop, const Conf& conf,
                                                    LogSink log, LogLevel min_level,
                                                    AccessLogSink access_log) {
  KONG_ASSIGN_OR_RETURN(gateway::GatewayOptions options,
                        gateway::GatewayOptionsFromConf(conf, kKongCompatibleVersion));
  if (options.listen.empty()) return std::unique_ptr<NodeProxy>();
  uint64_t grace_ms = kNoShutdownLimit;
  if (conf.Has(kShutdownTimeoutKey)) {
    KONG_ASSIGN_OR_RETURN(grace_ms, gateway::ParseNginxTimeMs(conf.GetString(kShutdownTimeoutKey),
                                                              kShutdownTimeoutKey));
  }
  std::unique_ptr<NodeProxy> proxy(
      new NodeProxy(loop, options.listen, std::move(log), min_level, grace_ms));
  // The gateway's own level is the one at start: the relay's filter follows reloads.
  options.log_level = min_level;
  options.log_sink = proxy->log_relay_.WorkerSink();
  if (access_log) {
    options.access_log = [sink = std::move(access_log)](const gateway::AccessLogEntry& entry) {
      sink(CombinedLogLine(entry));
    };
  }
  KONG_ASSIGN_OR_RETURN(proxy->gateway_, gateway::Gateway::Start(std::move(options)));
  return proxy;
}

dataplane::ConfigStore::Compiler NodeProxy::Compiler() const {
  const gateway::Gateway* gateway = gateway_.get();
  return [gateway](const json::Value& flat) -> Result<std::shared_ptr<const gateway::Snapshot>> {
    if (gateway == nullptr) return std::shared_ptr<const gateway::Snapshot>();
    return gateway->BuildSnapshot(flat);
  };
}

void NodeProxy::Publish(const dataplane::ConfigSnapshot& config) {
  if (gateway_ && config.proxy) gateway_->Publish(config.proxy);
}

std::vector<uint16_t> NodeProxy::ports() const {
  return gateway_ ? gateway_->bound_ports() : std::vector<uint16_t>{};
}

std::string NodeProxy::ListeningLine() const {
  std::vector<std::string> where;
  std::vector<uint16_t> bound = ports();
  for (size_t i = 0; i < listen_.size() && i < bound.size(); ++i) {
    net::ListenSpec spec = listen_[i];
    spec.port = bound[i];
    where.push_back(spec.Address() + (spec.ssl ? " (ssl)" : ""));
  }
  return "proxy listening on " + base::Join(where, ", ");
}

json::Value NodeProxy::UpstreamHealth() const {
  return gateway_ ? gateway_->UpstreamHealth() : json::Value::EmptyObject();
}

plugins::SharedState* NodeProxy::plugin_state() const {
  return gateway_ ? &gateway_->plugin_state() : nullptr;
}

void NodeProxy::SetLogLevel(LogLevel level) { log_relay_.SetMinLevel(level); }

void NodeProxy::Drain(std::function<void()> drained) {
  drain_guard_ = std::make_unique<net::Timer>(loop_);
  if (!gateway_) {  // stopped already: nothing to wait for
    drain_guard_->Start(0, std::move(drained));
    return;
  }
  drain_guard_->Start(kNoShutdownLimit, [] {});
  drain_alive_ = std::make_shared<bool>(true);
  // The gateway calls back on a worker thread (the last one to exit, or the caller's of a
  // Stop that cut the drain short): hop to the loop.
  auto on_loop = [this, alive = drain_alive_, drained = std::move(drained)] {
    if (!*alive) return;
    drain_guard_.reset();
    drained();
  };
  EventLoop* loop = &loop_;
  gateway_->Stop(shutdown_grace_ms_, [loop, on_loop = std::move(on_loop)] { loop->Post(on_loop); });
}

void NodeProxy::Stop() {
  log_relay_.Close();
  gateway_.reset();  // no grace period (a drain is cut short); joins the workers
}

}  // namespace kong::api
