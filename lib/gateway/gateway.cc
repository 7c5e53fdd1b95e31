// Gateway: starts the workers, publishes snapshots to them and stops them.
#include "gateway/gateway.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "gateway/snapshot.h"
#include "base/macros.h"
#include "gateway/worker.h"

namespace kong::gateway {

struct Gateway::Impl {
  GatewayOptions options;  // plugin_factories resolved (never null)
  std::unique_ptr<plugins::SharedState> plugin_state = std::make_unique<plugins::SharedState>();
  std::atomic<std::shared_ptr<const Snapshot>> snapshot;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<uint16_t> ports;
  std::mutex publish_mu;  // orders Publish (and its health-check restart) between callers
  std::mutex stop_mu;
  bool stop_requested = false;
};

Gateway::Gateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Gateway>> Gateway::Start(GatewayOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  GatewayOptions& o = impl->options;
  if (o.listen.empty()) return Status::InvalidArgument("gateway: no proxy_listen address");
  if (o.workers == 0) o.workers = std::max(1u, std::thread::hardware_concurrency());
  if (o.plugin_factories == nullptr) {
    KONG_ASSIGN_OR_RETURN(plugins::PluginFactories bundled, plugins::BundledPluginFactories());
    o.plugin_factories = std::make_shared<const plugins::PluginFactories>(std::move(bundled));
  }
  impl->snapshot.store(Snapshot::Empty());

  std::shared_ptr<const tls::TlsContext> tls_context;
  bool any_ssl = false;
  for (const auto& spec : o.listen) any_ssl = any_ssl || spec.ssl;
  if (any_ssl) {
    if (o.ssl_cert_pem.empty() || o.ssl_key_pem.empty()) {
      return Status::InvalidArgument("gateway: an ssl proxy_listen needs ssl_cert and ssl_cert_key");
    }
    proxy::ProxyTlsOptions tls;
    tls.default_cert_pem = o.ssl_cert_pem;
    tls.default_key_pem = o.ssl_key_pem;
    tls.ciphersuites = o.ssl_ciphersuites;
    Impl* raw = impl.get();
    tls.current = [raw] {
      auto snap = raw->snapshot.load(std::memory_order_acquire);
      return snap ? snap->certificates() : nullptr;
    };
    KONG_ASSIGN_OR_RETURN(tls_context, proxy::CreateProxyTlsContext(std::move(tls)));
  }

  std::unique_ptr<Gateway> gateway(new Gateway(std::move(impl)));
  Impl& g = *gateway->impl_;
  for (size_t i = 0; i < g.options.workers; ++i) {
    g.workers.push_back(
        std::make_unique<Worker>(i, g.options, g.snapshot, tls_context, *g.plugin_state));
    auto bound = g.workers.back()->Start(g.ports);
    if (!bound.ok()) return bound.status();  // ~Gateway stops the workers already running
    if (i == 0) g.ports = *bound;
  }
  return gateway;
}

Gateway::~Gateway() {
  if (impl_ == nullptr) return;
  Stop(0, nullptr);
  for (auto& w : impl_->workers) w->Join();
}

Result<std::shared_ptr<const Snapshot>> Gateway::BuildSnapshot(const json::Value& flat_config) const {
  auto previous = impl_->snapshot.load(std::memory_order_acquire);
  plugins::PluginEnv env;
  env.shared = impl_->plugin_state.get();
  return Snapshot::Build(flat_config, impl_->options.upstream_tls, previous.get(),
                         impl_->options.plugin_factories.get(), env);
}

plugins::SharedState& Gateway::plugin_state() const { return *impl_->plugin_state; }

void Gateway::Publish(std::shared_ptr<const Snapshot> snapshot) {
  if (snapshot == nullptr) return;
  std::lock_guard<std::mutex> lock(impl_->publish_mu);
  std::shared_ptr<const balancer::BalancerSet> set = snapshot->balancer_set();
  impl_->snapshot.store(std::move(snapshot), std::memory_order_release);
  if (!impl_->workers.empty()) impl_->workers.front()->RestartHealthChecks(std::move(set));
}

std::shared_ptr<const Snapshot> Gateway::current() const {
  return impl_->snapshot.load(std::memory_order_acquire);
}

std::vector<uint16_t> Gateway::bound_ports() const { return impl_->ports; }
size_t Gateway::worker_count() const { return impl_->workers.size(); }

json::Value Gateway::UpstreamHealth() const {
  auto snap = current();
  if (snap == nullptr || snap->balancer_set() == nullptr) return json::Value::EmptyObject();
  return snap->balancers().HealthView();
}

void Gateway::Stop(uint64_t grace_ms, std::function<void()> done) {
  {
    std::lock_guard<std::mutex> lock(impl_->stop_mu);
    if (impl_->stop_requested && grace_ms > 0) {
      if (done) done();  // already stopping: the first Stop's callback reports the end
      return;
    }
    impl_->stop_requested = true;
  }
  auto remaining = std::make_shared<std::atomic<size_t>>(impl_->workers.size());
  auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
  if (impl_->workers.empty()) {
    if (*shared_done) (*shared_done)();
    return;
  }
  for (auto& w : impl_->workers) {
    w->Stop(grace_ms, [remaining, shared_done] {
      if (remaining->fetch_sub(1) == 1 && *shared_done) (*shared_done)();
    });
  }
}

}  // namespace kong::gateway
