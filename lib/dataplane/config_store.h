// ConfigStore: the data plane's configuration in force. Validates a candidate completely
// before it replaces the running one, keeps the last good one in <prefix>/config.cache.json.gz
// and reloads it at start-up.
#ifndef KONG_DATAPLANE_CONFIG_STORE_H_
#define KONG_DATAPLANE_CONFIG_STORE_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "cluster/config_cache.h"
#include "json/value.h"
#include "kong/status.h"
#include "schema/catalog.h"

namespace kong::gateway {
class Snapshot;  // gateway/gateway.h: the proxy's compiled form of a configuration
}

namespace kong::dataplane {

// One installed configuration. Immutable: readers (the status API now, proxy workers later)
// hold a shared_ptr and keep using it while a newer one is installed.
struct ConfigSnapshot {
  std::string config_hash;  // what the CP sent; pings and GET /status report it
  json::Value config;       // Kong's flat declarative form (declarative::Flatten's output)
  std::string json;         // `config` serialized
  // No entity at all (Kong's config_is_empty): /status/ready stays 503 with it.
  bool empty = true;
  // The proxy's compiled form (router, balancers, certificates); null on a node without a
  // proxy (no ConfigStore::Compiler).
  std::shared_ptr<const gateway::Snapshot> proxy;
};

// Loop thread only.
class ConfigStore {
 public:
  // `catalog` must outlive the store. `cache_path` is the cache file ("" disables the cache);
  // `max_bytes` bounds it (cluster_max_payload).
  ConfigStore(const schema::Catalog& catalog, std::string cache_path, size_t max_bytes);

  // Compiles a validated flat config for the proxy (gateway::Gateway::BuildSnapshot). Set, it
  // is part of Validate: a config the proxy cannot use is refused like an invalid one, so a
  // node never installs a config it cannot proxy with.
  using Compiler = std::function<Result<std::shared_ptr<const gateway::Snapshot>>(
      const json::Value& flat_config)>;
  void SetCompiler(Compiler compiler) { compiler_ = std::move(compiler); }

  // Validates `config_table` (a reconfigure message's, or the cache's) with the declarative
  // schema, as Kong's config_helper.update does, then compiles it with the Compiler.
  // kInvalidArgument with Kong's "declarative config is invalid: ..." message, or the
  // compiler's ("... cannot be proxied: ..."); nothing changes.
  Result<std::shared_ptr<const ConfigSnapshot>> Validate(const json::Value& config_table,
                                                         const std::string& config_hash) const;
  // Makes `snapshot` the configuration in force.
  void Install(std::shared_ptr<const ConfigSnapshot> snapshot);
  // Writes `config_table` and its hash to the cache (atomic, 0600). Blocking file I/O on the
  // calling thread (the DP's control loop, which carries no proxy traffic).
  Status Save(const json::Value& config_table, const std::string& config_hash) const;
  // Reads and validates the cache. kNotFound when there is none; any other error names the
  // file and why it was not usable.
  Result<std::shared_ptr<const ConfigSnapshot>> LoadCache() const;

  // The configuration in force; null before the first Install.
  std::shared_ptr<const ConfigSnapshot> current() const { return current_; }
  const std::string& cache_path() const { return cache_.path(); }

 private:
  const schema::Catalog& catalog_;
  cluster::ConfigCache cache_;
  bool cache_enabled_;
  Compiler compiler_;
  std::shared_ptr<const ConfigSnapshot> current_;
};

}  // namespace kong::dataplane

#endif  // KONG_DATAPLANE_CONFIG_STORE_H_
