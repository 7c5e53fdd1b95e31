// DataPlane::Impl: wires the /v1/outlet client, the validated config store with its cache, and
// the status API together on the caller's loop.
#include "kong/data_plane.h"

#include <cstdint>
#include <utility>

#include "api/kong_version.h"
#include "api/node_metrics.h"
#include "api/node_settings.h"
#include "api/node_lifecycle.h"
#include "api/node_proxy.h"
#include "api/node_reload.h"
#include "base/macros.h"
#include "base/text.h"
#include "cluster/cluster_conf.h"
#include "cluster/config_hash.h"
#include "dataplane/config_store.h"
#include "dataplane/outlet_client.h"
#include "dataplane/status_api.h"
#include "net/listen_spec.h"
#include "net/timer.h"
#include "schema/catalog.h"
#include "schema/plugin_registry.h"
#include "schema/plugins/bundled.h"

namespace kong {

namespace {

// cluster_dp_labels ("key:value" items, already checked by Conf) as basic_info's labels
// object; null when unset so the key is omitted.
json::Value LabelsOf(const std::vector<std::string>& items) {
  if (items.empty()) return json::Value();
  json::Value labels = json::Value::EmptyObject();
  for (const std::string& item : items) {
    size_t colon = item.find(':');
    if (colon == std::string::npos) continue;
    labels.Set(item.substr(0, colon), item.substr(colon + 1));
  }
  return labels;
}

}  // namespace

class DataPlane::Impl {
 public:
  Impl(EventLoop& loop, Conf conf, DataPlaneOptions options)
      : loop_(loop), conf_(std::move(conf)), options_(std::move(options)) {}

  Status Init() {
    const std::string role = conf_.GetString("role");
    if (role != "data_plane") {
      return Status::InvalidArgument("role " + role +
                                     " is not served by a data plane (use role = data_plane)");
    }
    if (conf_.GetString("database") != "off") {
      return Status::InvalidArgument("database " + conf_.GetString("database") +
                                     ": a data plane needs database = off");
    }
    KONG_ASSIGN_OR_RETURN(trust_, cluster::ClusterTrustFromConf(conf_));
    KONG_ASSIGN_OR_RETURN(status_listen_,
                          net::ParseListenList(conf_.GetList("status_listen"), "status_listen"));
    control_plane_ = conf_.GetString("cluster_control_plane");
    KONG_RETURN_IF_ERROR(dataplane::ParseControlPlanes(control_plane_).status());
    const double max_payload = conf_.GetNumber("cluster_max_payload");
    if (max_payload < 1) {
      return Status::InvalidArgument("cluster_max_payload must be positive");
    }
    max_payload_ = static_cast<size_t>(max_payload);
    api::NodeSettings settings = api::NodeSettingsFrom(conf_, options_.log_level, options_.hostname);
    min_level_ = settings.min_level;
    hostname_ = std::move(settings.hostname);
    catalog_options_ = settings.catalog_options;
    return Status::Ok();
  }

  Status Start() {
    KONG_RETURN_IF_ERROR(lifecycle_.BeginStart("data plane was already started"));
    const std::string prefix = conf_.GetString("prefix");
    KONG_ASSIGN_OR_RETURN(node_id_, api::PrepareNodePrefix(conf_, [this](const std::string& m) {
                            Log(LogLevel::kWarn, m);
                          }));

    // Before the proxy: an unknown name in `plugins` fails Start with nothing running.
    plugins_ = std::make_unique<schema::PluginSchemaRegistry>();
    KONG_RETURN_IF_ERROR(schema::RegisterBundledPlugins(*plugins_, conf_.GetList("plugins")));
    // The proxy first: a config (the cache's included) is installed only once it compiled.
    KONG_ASSIGN_OR_RETURN(proxy_, api::NodeProxy::Start(
                                      loop_, conf_,
                                      [this](LogLevel level, std::string_view line) {
                                        Log(level, std::string(line));
                                      },
                                      min_level_, options_.access_log));
    catalog_ = std::make_unique<schema::Catalog>(plugins_.get(), catalog_options_);
    store_ = std::make_unique<dataplane::ConfigStore>(
        *catalog_, cluster::ConfigCache::PathInPrefix(prefix), max_payload_);
    if (proxy_) store_->SetCompiler(proxy_->Compiler());
    LoadCache();

    dataplane::StatusApiOptions sopts;
    sopts.listen = status_listen_;
    sopts.server_header = std::string("kong/") + api::kKongCompatibleVersion;
    sopts.config_hash = [this] { return ConfigHash(); };
    sopts.ready = [this] { return Ready(); };
    sopts.connected_control_plane = [this] { return ConnectedControlPlane(); };
    if (proxy_) sopts.upstream_health = [this] { return proxy_->UpstreamHealth(); };
    // Kong adds the prometheus plugin's /metrics to the Status API when the plugin is loaded.
    if (plugins_->Find("prometheus") != nullptr) {
      sopts.metrics = [this] { return api::PrometheusMetricsText(proxy_.get(), node_id_); };
    }
    sopts.node_id = node_id_;
    auto status = dataplane::StatusApi::Start(loop_, std::move(sopts));
    if (!status.ok()) {
      StopProxy();
      return status.status();
    }
    status_ = std::move(status).value();

    dataplane::OutletClientOptions oopts;
    oopts.control_plane = control_plane_;
    oopts.trust = trust_;
    oopts.node = cluster::NodeParams{node_id_, hostname_, api::kKongCompatibleVersion};
    for (const std::string& name : plugins_->Names()) {
      oopts.basic_info.plugins.push_back({name, plugins_->Find(name)->version});
    }
    oopts.basic_info.labels = LabelsOf(conf_.GetList("cluster_dp_labels"));
    oopts.max_payload = max_payload_;
    oopts.log = [this](LogLevel level, std::string_view line) { Log(level, std::string(line)); };
    oopts.apply = [this](cluster::Reconfigure config) { return Apply(std::move(config)); };
    auto outlet = dataplane::OutletClient::Create(loop_, std::move(oopts));
    if (!outlet.ok()) {
      status_->Close(nullptr);
      status_.reset();
      StopProxy();
      return outlet.status();
    }
    outlet_ = std::move(outlet).value();
    outlet_->SetAppliedHash(ConfigHash());
    outlet_->Start();
    lifecycle_.Started();

    std::vector<std::string> where;
    std::vector<uint16_t> ports = status_->bound_ports();
    for (size_t i = 0; i < status_listen_.size() && i < ports.size(); ++i) {
      net::ListenSpec bound = status_listen_[i];
      bound.port = ports[i];
      where.push_back(bound.Address());
    }
    Log(LogLevel::kNotice, proxy_ ? proxy_->ListeningLine() : "proxy_listen is off: no proxy");
    Log(LogLevel::kNotice, "started data plane node " + node_id_ + ", control plane " +
                               control_plane_ + ", status API on " +
                               (where.empty() ? std::string("(off)") : base::Join(where, ", ")));
    // Last: the callback may destroy the DataPlane.
    if (store_->current() && options_.on_config_applied) {
      auto callback = options_.on_config_applied;
      callback(store_->current()->config_hash);
    }
    return Status::Ok();
  }

  void Stop(std::function<void()> on_stopped) { BeginStopping(false, std::move(on_stopped)); }
  void StopGracefully(std::function<void()> on_stopped) {
    BeginStopping(true, std::move(on_stopped));
  }

  Status Reload(const Conf& next) {
    if (!lifecycle_.running()) return Status::Conflict("data plane is not running");
    KONG_ASSIGN_OR_RETURN(api::ReloadPlan plan, api::PlanReload(conf_, next));
    if (plan.cluster_trust_changed) {
      KONG_ASSIGN_OR_RETURN(std::shared_ptr<const tls::ClusterTrust> trust,
                            cluster::ClusterTrustFromConf(next));
      KONG_RETURN_IF_ERROR(outlet_->SetTrust(trust));
      trust_ = std::move(trust);
      Log(LogLevel::kNotice,
          "reload: new cluster certificates apply from the next connection to the control plane");
    }
    min_level_ = api::NodeSettingsFrom(next, options_.log_level, hostname_).min_level;
    if (proxy_) proxy_->SetLogLevel(min_level_);
    if (!plan.needs_restart.empty()) Log(LogLevel::kWarn, api::NeedsRestartLine(plan.needs_restart));
    // Restart-only properties keep their running values: compare later reloads against them.
    if (plan.needs_restart.empty()) conf_ = next;
    return Status::Ok();
  }

  // Called by ~DataPlane while handles are open: this object frees itself when stopped.
  // A graceful stop in progress is cut short: no one is left to wait for it.
  void DestroyWhenStopped() {
    if (lifecycle_.DestroyWhenStopped() || proxy_draining_) Stop(nullptr);
  }

  bool open() const { return lifecycle_.open(); }
  bool running() const { return lifecycle_.running(); }
  const std::string& node_id() const { return node_id_; }
  std::string ConfigHash() const {
    auto current = store_ ? store_->current() : nullptr;
    return current ? current->config_hash : std::string(cluster::kEmptyConfigHash);
  }
  // Kong's ready.lua: a configuration with at least one entity is loaded. (Kong stores an
  // empty one under the all-zero hash; we keep the CP's hash so that /status and the pings
  // always match what /clustering/status shows.)
  bool Ready() const {
    auto current = store_ ? store_->current() : nullptr;
    return current && !current->empty && current->config_hash != cluster::kEmptyConfigHash;
  }
  bool connected() const { return lifecycle_.running() && outlet_ && outlet_->connected(); }
  std::string ConnectedControlPlane() const {
    return connected() ? outlet_->connected_control_plane() : std::string();
  }
  size_t last_payload_bytes() const { return outlet_ ? outlet_->last_payload_bytes() : 0; }
  std::string config_json() const {
    auto current = store_ ? store_->current() : nullptr;
    return current ? current->json : std::string();
  }
  std::vector<uint16_t> status_ports() const {
    return lifecycle_.running() && status_ ? status_->bound_ports() : std::vector<uint16_t>{};
  }
  std::vector<uint16_t> proxy_ports() const {
    return lifecycle_.running() && proxy_ ? proxy_->ports() : std::vector<uint16_t>{};
  }

 private:
  // A valid cache is installed at once, so a DP restarted while the CP is down serves its last
  // configuration; a broken one is reported and left for the next good push to replace.
  void LoadCache() {
    auto cached = store_->LoadCache();
    if (!cached.ok()) {
      if (cached.status().code() != StatusCode::kNotFound) {
        Log(LogLevel::kError, "ignored the cached config: " + cached.status().message() +
                                  "; starting without a configuration");
      }
      return;
    }
    Install(std::move(cached).value());
    Log(LogLevel::kNotice, "loaded the cached config " + store_->current()->config_hash +
                               " from " + store_->cache_path());
  }

  // The outlet client's apply: validate completely, then install, persist and announce.
  Status Apply(cluster::Reconfigure config) {
    KONG_ASSIGN_OR_RETURN(std::shared_ptr<const dataplane::ConfigSnapshot> snapshot,
                          store_->Validate(config.config_table, config.config_hash));
    Install(snapshot);
    Status saved = store_->Save(config.config_table, config.config_hash);
    if (!saved.ok()) {
      Log(LogLevel::kWarn, "could not write the config cache: " + saved.message());
    }
    Log(LogLevel::kNotice, "applied config " + config.config_hash + " from the control plane");
    if (options_.on_config_applied) {
      auto callback = options_.on_config_applied;  // it may stop or destroy us
      callback(snapshot->config_hash);
    }
    return Status::Ok();
  }

  // The config in force for the status API, the pings and the proxy's new requests.
  void Install(std::shared_ptr<const dataplane::ConfigSnapshot> snapshot) {
    if (proxy_) proxy_->Publish(*snapshot);
    store_->Install(std::move(snapshot));
  }

  // The link and the status API close at once; the proxy closes at once too (Kong's fast
  // shutdown), or, `graceful`, stops accepting and lets the requests in flight finish
  // (NodeProxy::Drain). A fast stop during a graceful one closes what the drain still waits for.
  void BeginStopping(bool graceful, std::function<void()> on_stopped) {
    if (!lifecycle_.BeginStop(loop_, std::move(on_stopped))) {
      if (!graceful && proxy_draining_) {
        Log(LogLevel::kNotice, "fast shutdown: closing the proxy connections still open");
        StopProxy();  // the drain's callback still arrives
      }
      return;
    }
    // The callbacks below arrive through timers and handle closes the loop keeps running for.
    pending_closes_ = 2;
    if (graceful && proxy_) {
      const uint64_t grace = proxy_->shutdown_grace_ms();
      Log(LogLevel::kNotice,
          "stopping data plane node gracefully: no new proxy connections; waiting for the "
          "requests in flight (" +
              (grace == UINT64_MAX ? std::string("no time limit")
                                   : "at most " + std::to_string(grace) + " ms") + ")");
      ++pending_closes_;
      proxy_draining_ = true;
      proxy_->Drain([this] {
        proxy_draining_ = false;
        OneClosed();
      });
    } else {
      Log(LogLevel::kNotice, "stopping data plane node");
      StopProxy();
    }
    outlet_->Close([this] { OneClosed(); });
    status_->Close([this] { OneClosed(); });
  }

  // Closes the proxy's listeners and connections at once (Kong's fast shutdown) and joins its
  // workers.
  void StopProxy() {
    if (proxy_) proxy_->Stop();
  }

  void OneClosed() {
    if (--pending_closes_ > 0) return;
    // Later: the last close callback still runs inside the object being reset.
    finish_timer_ = std::make_unique<net::Timer>(loop_);
    finish_timer_->Start(0, [this] { FinishStop(); });
  }

  void FinishStop() {
    outlet_.reset();
    status_.reset();
    proxy_.reset();
    Log(LogLevel::kNotice, "stopped data plane node");
    const bool self_owned = lifecycle_.self_owned();
    auto callbacks = lifecycle_.Finish();
    // A callback may destroy the public DataPlane (and so this object): touch no member
    // from here on. The finish timer is released with it; its callback is running now.
    if (self_owned) {
      delete this;
      for (const auto& cb : callbacks) cb();
      return;
    }
    for (const auto& cb : callbacks) cb();
  }

  void Log(LogLevel level, const std::string& line) const {
    if (options_.log_sink && level >= min_level_) options_.log_sink(level, line);
  }

  EventLoop& loop_;
  Conf conf_;
  DataPlaneOptions options_;
  LogLevel min_level_ = LogLevel::kNotice;
  std::string hostname_;
  std::string node_id_;
  std::string control_plane_;
  size_t max_payload_ = 0;
  std::shared_ptr<const tls::ClusterTrust> trust_;
  std::vector<net::ListenSpec> status_listen_;
  schema::CatalogOptions catalog_options_;

  std::unique_ptr<api::NodeProxy> proxy_;  // null when proxy_listen is off
  std::unique_ptr<schema::PluginSchemaRegistry> plugins_;
  std::unique_ptr<schema::Catalog> catalog_;
  std::unique_ptr<dataplane::ConfigStore> store_;
  std::unique_ptr<dataplane::StatusApi> status_;
  std::unique_ptr<dataplane::OutletClient> outlet_;
  std::unique_ptr<net::Timer> finish_timer_;

  int pending_closes_ = 0;
  bool proxy_draining_ = false;  // a graceful stop waits for the proxy's requests in flight
  api::NodeLifecycle lifecycle_;
};

Result<std::unique_ptr<DataPlane>> DataPlane::Create(EventLoop& loop, DataPlaneOptions options) {
  std::optional<Conf> conf = std::move(options.conf);
  options.conf.reset();
  if (!conf) {
    ConfSources defaults;
    defaults.overrides["role"] = "data_plane";
    defaults.overrides["database"] = "off";
    Result<Conf> loaded = Conf::Load(defaults);
    if (!loaded.ok()) return loaded.status();
    conf.emplace(std::move(loaded).value());
  }
  auto impl = std::make_unique<Impl>(loop, std::move(*conf), std::move(options));
  KONG_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<DataPlane>(new DataPlane(std::move(impl)));
}

DataPlane::DataPlane(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DataPlane::~DataPlane() {
  if (impl_ && impl_->open()) {
    // The link and the listeners close asynchronously; Impl must outlive their callbacks.
    impl_.release()->DestroyWhenStopped();
  }
}

Status DataPlane::Start() { return impl_->Start(); }
Status DataPlane::Reload(const Conf& conf) { return impl_->Reload(conf); }
void DataPlane::Stop(std::function<void()> on_stopped) { impl_->Stop(std::move(on_stopped)); }
void DataPlane::StopGracefully(std::function<void()> on_stopped) {
  impl_->StopGracefully(std::move(on_stopped));
}
const std::string& DataPlane::node_id() const { return impl_->node_id(); }
std::string DataPlane::config_hash() const { return impl_->ConfigHash(); }
bool DataPlane::ready() const { return impl_->Ready(); }
bool DataPlane::connected() const { return impl_->connected(); }
std::string DataPlane::connected_control_plane() const { return impl_->ConnectedControlPlane(); }
std::string DataPlane::config_json() const { return impl_->config_json(); }
size_t DataPlane::last_payload_bytes() const { return impl_->last_payload_bytes(); }
std::vector<uint16_t> DataPlane::status_ports() const { return impl_->status_ports(); }
std::vector<uint16_t> DataPlane::proxy_ports() const { return impl_->proxy_ports(); }
bool DataPlane::running() const { return impl_->running(); }

}  // namespace kong
