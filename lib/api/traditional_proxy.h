// TraditionalProxy: the proxy of a traditional node (Admin API and proxy in one process): every
// configuration version the store commits is exported once by the ConfigPublisher (as a
// control plane exports it for its data planes), validated and compiled like a data plane's,
// and published to the proxy workers.
#ifndef KONG_API_TRADITIONAL_PROXY_H_
#define KONG_API_TRADITIONAL_PROXY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/node_proxy.h"
#include "cluster/config_publisher.h"
#include "dataplane/config_store.h"
#include "kong/conf.h"
#include "kong/event_loop.h"
#include "kong/logger.h"
#include "kong/status.h"
#include "schema/catalog.h"
#include "store/async_store.h"

namespace kong::api {

// Loop thread only. `store` and `catalog` must outlive it (and, as for any ConfigPublisher,
// `catalog` the store's shutdown).
class TraditionalProxy {
 public:
  // Starts the proxy workers (proxy_listen; OK with null when it is off) and the export of
  // the current configuration. `log` runs on the loop thread until Stop.
  static Result<std::unique_ptr<TraditionalProxy>> Start(EventLoop& loop, const Conf& conf,
                                                         store::AsyncStore& store,
                                                         const schema::Catalog& catalog,
                                                         LogSink log, LogLevel min_level,
                                                         NodeProxy::AccessLogSink access_log);
  ~TraditionalProxy();  // Stop()

  std::vector<uint16_t> ports() const { return proxy_->ports(); }
  std::string ListeningLine() const { return proxy_->ListeningLine(); }
  // The proxy (null when proxy_listen is off), for its plugin state.
  const NodeProxy* proxy() const { return proxy_.get(); }
  // The hash of the configuration the proxy serves; "" before the first one.
  std::string config_hash() const;

  // The proxy workers' log level (NodeProxy::SetLogLevel).
  void SetLogLevel(LogLevel level) { proxy_->SetLogLevel(level); }
  // No more exports; the proxy stops gracefully (NodeProxy::Drain: `drained` on the loop
  // thread once its workers exited). Call once; Stop() during the drain ends it at once.
  void Drain(std::function<void()> drained);
  // No more exports; the proxy closes at once (NodeProxy::Stop). Idempotent.
  void Stop();

 private:
  TraditionalProxy(const schema::Catalog& catalog, LogSink log);
  void Apply(const std::shared_ptr<const cluster::ConfigSnapshot>& exported);

  LogSink log_;
  std::unique_ptr<NodeProxy> proxy_;
  dataplane::ConfigStore configs_;  // validation and compilation; no cache file
  std::unique_ptr<cluster::ConfigPublisher> publisher_;
};

}  // namespace kong::api

#endif  // KONG_API_TRADITIONAL_PROXY_H_
