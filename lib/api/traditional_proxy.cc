// TraditionalProxy: ConfigPublisher exports -> ConfigStore validation and compilation -> proxy.
#include "api/traditional_proxy.h"

#include <limits>
#include <utility>

#include "base/macros.h"

namespace kong::api {

TraditionalProxy::TraditionalProxy(const schema::Catalog& catalog, LogSink log)
    : log_(std::move(log)), configs_(catalog, /*cache_path=*/"", /*max_bytes=*/0) {}

TraditionalProxy::~TraditionalProxy() { Stop(); }

Result<std::unique_ptr<TraditionalProxy>> TraditionalProxy::Start(
    EventLoop& loop, const Conf& conf, store::AsyncStore& store, const schema::Catalog& catalog,
    LogSink log, LogLevel min_level, NodeProxy::AccessLogSink access_log) {
  std::unique_ptr<TraditionalProxy> node(new TraditionalProxy(catalog, log));
  KONG_ASSIGN_OR_RETURN(node->proxy_, NodeProxy::Start(loop, conf, log, min_level, std::move(access_log)));
  if (!node->proxy_) return std::unique_ptr<TraditionalProxy>();
  node->configs_.SetCompiler(node->proxy_->Compiler());

  cluster::ConfigPublisherOptions publish;
  publish.coalesce_ms = static_cast<uint64_t>(conf.GetNumber("cluster_push_coalesce_ms"));
  publish.max_payload = std::numeric_limits<size_t>::max();  // nothing goes over the wire
  publish.keep_config_table = true;
  publish.log = log;
  node->publisher_ =
      std::make_unique<cluster::ConfigPublisher>(loop, store, catalog, std::move(publish));
  TraditionalProxy* self = node.get();
  node->publisher_->Subscribe(
      [self](const std::shared_ptr<const cluster::ConfigSnapshot>& exported) {
        self->Apply(exported);
      });
  node->publisher_->Start();
  return node;
}

void TraditionalProxy::Apply(const std::shared_ptr<const cluster::ConfigSnapshot>& exported) {
  if (!exported->config_table) return;
  auto validated = configs_.Validate(*exported->config_table, exported->config_hash);
  if (!validated.ok()) {
    // The Admin API validated every entity already; what fails here is what the proxy cannot
    // compile (a bad certificate pair, a regex the router refuses). The last good one stays.
    if (log_) {
      log_(LogLevel::kError, "config version " + std::to_string(exported->config_version) +
                                 " not applied to the proxy: " + validated.status().message());
    }
    return;
  }
  proxy_->Publish(**validated);
  configs_.Install(std::move(validated).value());
  if (log_) {
    log_(LogLevel::kInfo, "proxying with config version " +
                              std::to_string(exported->config_version) + " (" +
                              exported->config_hash + ")");
  }
}

std::string TraditionalProxy::config_hash() const {
  auto current = configs_.current();
  return current ? current->config_hash : std::string();
}

void TraditionalProxy::Drain(std::function<void()> drained) {
  if (publisher_) publisher_->Close();
  proxy_->Drain(std::move(drained));
}

void TraditionalProxy::Stop() {
  if (publisher_) publisher_->Close();
  if (proxy_) proxy_->Stop();
}

}  // namespace kong::api
