// Snapshot::Build: the router, balancers, services, certificates, consumers and plugin chains
// of one flat config.
#include "gateway/snapshot.h"

#include <algorithm>

#include "base/macros.h"
#include "net/socket_address.h"
#include "proxy/forwarded_headers.h"

namespace kong::gateway {
namespace {

Result<uint64_t> Millis(const json::Value& service, std::string_view field, std::string_view where,
                        uint64_t fallback) {
  const json::Value* v = service.Find(field);
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_int() || v->as_int() < 1) {
    return Status::InvalidArgument(std::string(where) + "." + std::string(field) +
                                   ": must be a positive integer");
  }
  return static_cast<uint64_t>(v->as_int());
}

}  // namespace

Result<ServiceInfo> ParseService(const json::Value& service, std::string_view where) {
  if (!service.is_object()) {
    return Status::InvalidArgument(std::string(where) + ": service must be an object");
  }
  ServiceInfo info;
  const json::Value* id = service.Find("id");
  if (id == nullptr || !id->is_string()) {
    return Status::InvalidArgument(std::string(where) + ".id: missing");
  }
  info.id = id->as_string();
  if (const json::Value* v = service.Find("name"); v && v->is_string()) info.name = v->as_string();
  if (const json::Value* v = service.Find("protocol"); v && v->is_string()) {
    info.protocol = v->as_string();
  }
  const json::Value* host = service.Find("host");
  if (host == nullptr || !host->is_string() || host->as_string().empty()) {
    return Status::InvalidArgument(std::string(where) + ".host: missing (service " + info.id + ")");
  }
  info.host = host->as_string();
  info.port = (info.protocol == "https" || info.protocol == "grpcs") ? 443 : 80;
  if (const json::Value* v = service.Find("port"); v && v->is_int()) {
    if (v->as_int() < 0 || v->as_int() > 65535) {
      return Status::InvalidArgument(std::string(where) + ".port: must be in 0..65535");
    }
    info.port = static_cast<uint16_t>(v->as_int());
  }
  info.host_header = proxy::UpstreamHostHeader(info.host, info.port, info.protocol);
  if (sockaddr_storage literal{}; net::ParseIpAddress(info.host, info.port, &literal)) {
    info.address = literal;
  }
  if (const json::Value* v = service.Find("path"); v && v->is_string()) info.path = v->as_string();
  KONG_ASSIGN_OR_RETURN(info.connect_timeout_ms, Millis(service, "connect_timeout", where, 60000));
  KONG_ASSIGN_OR_RETURN(info.write_timeout_ms, Millis(service, "write_timeout", where, 60000));
  KONG_ASSIGN_OR_RETURN(info.read_timeout_ms, Millis(service, "read_timeout", where, 60000));
  if (const json::Value* v = service.Find("retries"); v && v->is_int()) {
    info.retries = static_cast<int>(std::clamp<int64_t>(v->as_int(), 0, 32767));
  }
  return info;
}

Result<std::shared_ptr<const Snapshot>> Snapshot::Build(
    const json::Value& flat_config, const proxy::UpstreamTlsDefaults& upstream_tls,
    const Snapshot* previous, const plugins::PluginFactories* plugin_factories,
    const plugins::PluginEnv& plugin_env) {
  std::shared_ptr<Snapshot> snap(new Snapshot());
  KONG_ASSIGN_OR_RETURN(snap->router_, router::Router::Build(flat_config));
  KONG_ASSIGN_OR_RETURN(snap->balancers_,
                        balancer::BalancerSet::Build(
                            flat_config, previous ? previous->balancers_.get() : nullptr));
  KONG_ASSIGN_OR_RETURN(snap->certificates_, proxy::SniCertificates::Build(flat_config));
  std::shared_ptr<const proxy::UpstreamTlsContexts> tls_contexts;
  KONG_ASSIGN_OR_RETURN(tls_contexts, proxy::UpstreamTlsContexts::Build(flat_config, upstream_tls));
  if (const json::Value* services = flat_config.Find("services"); services && services->is_array()) {
    size_t i = 0;
    for (const json::Value& s : services->as_array()) {
      std::string where = "$.services[" + std::to_string(i++) + "]";
      KONG_ASSIGN_OR_RETURN(ServiceInfo info, ParseService(s, where));
      info.tls = tls_contexts->ForService(info.id);
      info.balancer = snap->balancers_->Find(info.host);
      std::string id = info.id;
      snap->services_.insert_or_assign(std::move(id), std::move(info));
    }
  }
  // The route -> service table, from the service ids the router resolved (unordered_map
  // nodes do not move once inserted).
  snap->router_->ForEachRoute([&](const router::RouteInfo& route) {
    if (!route.service_id) return;
    if (snap->route_services_.size() <= route.config_index) {
      snap->route_services_.resize(route.config_index + 1, nullptr);
    }
    snap->route_services_[route.config_index] = snap->FindService(*route.service_id);
  });
  KONG_ASSIGN_OR_RETURN(snap->consumers_, plugins::ConsumerIndex::Build(flat_config));
  static const plugins::PluginFactories kNoFactories;
  KONG_ASSIGN_OR_RETURN(snap->plugins_,
                        plugins::PluginSet::Build(
                            flat_config, plugin_factories ? *plugin_factories : kNoFactories,
                            plugin_env, *snap->consumers_));
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

std::shared_ptr<const Snapshot> Snapshot::Empty() {
  std::shared_ptr<Snapshot> snap(new Snapshot());
  json::Value empty = json::Value::EmptyObject();
  auto router = router::Router::Build(empty);
  auto balancers = balancer::BalancerSet::Build(empty);
  snap->router_ = router.ok() ? *router : nullptr;
  snap->balancers_ = balancers.ok() ? *balancers : nullptr;
  return snap;
}

const ServiceInfo* Snapshot::FindService(std::string_view id) const {
  auto it = services_.find(id);
  return it == services_.end() ? nullptr : &it->second;
}

}  // namespace kong::gateway
