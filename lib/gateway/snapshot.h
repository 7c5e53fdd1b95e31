// Snapshot: everything the proxy reads for one configuration (router, balancers, services,
// certificates), built once on a control thread and shared read-only by the workers.
#ifndef KONG_GATEWAY_SNAPSHOT_H_
#define KONG_GATEWAY_SNAPSHOT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <sys/socket.h>

#include "balancer/balancer_set.h"
#include "json/value.h"
#include "kong/status.h"
#include "plugins/chain.h"
#include "plugins/consumers.h"
#include "plugins/factory.h"
#include "proxy/proxy_certificates.h"
#include "router/router.h"
#include "tls/tls_context.h"

namespace kong::gateway {

// What the proxy needs of one service (kong-entities.md services), parsed once.
struct ServiceInfo {
  std::string id;
  std::string name;
  std::string protocol = "http";  // http, https, grpc, grpcs, ...
  std::string host;               // an upstream's name or a host to resolve
  uint16_t port = 80;
  // `host` and `port` parsed once when `host` is an IP literal (no per-request parsing).
  std::optional<sockaddr_storage> address;
  // The Host header for `host` and `port` (proxy::UpstreamHostHeader), formatted once.
  std::string host_header;
  // The upstream named by `host` in the same snapshot, or null (targets come from DNS).
  const balancer::UpstreamBalancer* balancer = nullptr;
  std::optional<std::string> path;  // nullopt for Kong's null
  uint64_t connect_timeout_ms = 60000;
  uint64_t write_timeout_ms = 60000;
  uint64_t read_timeout_ms = 60000;
  int retries = 5;
  // Client TLS towards the service (https/grpcs/tls); null for plain services.
  std::shared_ptr<const tls::TlsContext> tls;
};

// Immutable after Build; any number of workers read it at once.
class Snapshot {
 public:
  // Compiles Kong's flat declarative config. `previous` (may be null) passes target health
  // on to the new balancers. Errors name the entity (kInvalidArgument). `plugin_factories`
  // (null: none runnable) compile the `plugins` rows with `plugin_env`.
  static Result<std::shared_ptr<const Snapshot>> Build(
      const json::Value& flat_config, const proxy::UpstreamTlsDefaults& upstream_tls,
      const Snapshot* previous, const plugins::PluginFactories* plugin_factories = nullptr,
      const plugins::PluginEnv& plugin_env = {});
  // No routes, no upstreams: every request gets the 404 (before the first Publish).
  static std::shared_ptr<const Snapshot> Empty();

  const router::Router& router() const { return *router_; }
  const balancer::BalancerSet& balancers() const { return *balancers_; }
  const std::shared_ptr<const balancer::BalancerSet>& balancer_set() const { return balancers_; }
  // Null when the snapshot has no certificates.
  const std::shared_ptr<const proxy::SniCertificates>& certificates() const {
    return certificates_;
  }
  const ServiceInfo* FindService(std::string_view id) const;
  // The service of the route at `config_index` (RouteInfo::config_index), null when the route
  // has none or names an unknown one: an index instead of a hash lookup per request.
  const ServiceInfo* ServiceOfRoute(size_t config_index) const {
    return config_index < route_services_.size() ? route_services_[config_index] : nullptr;
  }
  // Never null. The proxy creates a plugins::PluginContext only when !plugins().empty().
  const plugins::PluginSet& plugins() const { return *plugins_; }
  const plugins::ConsumerIndex& consumers() const { return *consumers_; }
  size_t service_count() const { return services_.size(); }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  Snapshot() = default;

  std::shared_ptr<const router::Router> router_;
  std::shared_ptr<const balancer::BalancerSet> balancers_;
  std::shared_ptr<const proxy::SniCertificates> certificates_;
  std::shared_ptr<const plugins::ConsumerIndex> consumers_ = plugins::ConsumerIndex::Empty();
  std::shared_ptr<const plugins::PluginSet> plugins_ = plugins::PluginSet::Empty();
  std::unordered_map<std::string, ServiceInfo, StringHash, std::equal_to<>> services_;
  std::vector<const ServiceInfo*> route_services_;  // by the route's config_index
};

// Parses one service object of the flat config; `where` names it in errors.
Result<ServiceInfo> ParseService(const json::Value& service, std::string_view where);

}  // namespace kong::gateway

#endif  // KONG_GATEWAY_SNAPSHOT_H_
