// NodeProxy: gateway::Gateway started from kong.conf, with its worker-thread log lines posted to
// the node's loop.
#include "api/node_proxy.h"

#include <ctime>
#include <utility>

#include "api/kong_version.h"
#include "base/macros.h"
#include "base/text.h"
#include "gateway/gateway_conf.h"

namespace kong::api {

// Shared with the closures posted from worker threads: `open` is read and cleared on the loop
// thread only, so a line posted before Stop is dropped once the node stopped.
struct NodeProxy::LogRelay {
  EventLoop* loop = nullptr;
  LogSink sink;
  bool open = true;
};

NodeProxy::NodeProxy(std::vector<net::ListenSpec> listen, std::shared_ptr<LogRelay> relay)
    : listen_(std::move(listen)), relay_(std::move(relay)) {}

NodeProxy::~NodeProxy() { Stop(); }

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
  auto relay = std::make_shared<LogRelay>();
  relay->loop = &loop;
  relay->sink = std::move(log);
  options.log_level = min_level;
  options.log_sink = [relay, min_level](LogLevel level, std::string_view line) {
    if (level < min_level || !relay->sink) return;
    relay->loop->Post([relay, level, text = std::string(line)] {
      if (relay->open) relay->sink(level, text);
    });
  };
  if (access_log) {
    options.access_log = [sink = std::move(access_log)](const gateway::AccessLogEntry& entry) {
      sink(CombinedLogLine(entry));
    };
  }
  std::unique_ptr<NodeProxy> proxy(new NodeProxy(options.listen, relay));
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

void NodeProxy::Stop() {
  if (relay_) relay_->open = false;
  gateway_.reset();  // no grace period; joins the workers
}

}  // namespace kong::api
