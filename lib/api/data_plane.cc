// DataPlane::Impl: wires the /v1/outlet client, the validated config store with its cache, and
// the status API together on the caller's loop.
#include "kong/data_plane.h"

#include <utility>

#include "api/kong_version.h"
#include "api/node_settings.h"
#include "api/node_lifecycle.h"
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
    std::string host;
    uint16_t port = 0;
    KONG_RETURN_IF_ERROR(dataplane::ParseControlPlane(control_plane_, &host, &port));
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

    plugins_ = std::make_unique<schema::PluginSchemaRegistry>();
    catalog_ = std::make_unique<schema::Catalog>(plugins_.get(), catalog_options_);
    store_ = std::make_unique<dataplane::ConfigStore>(
        *catalog_, cluster::ConfigCache::PathInPrefix(prefix), max_payload_);
    LoadCache();

    dataplane::StatusApiOptions sopts;
    sopts.listen = status_listen_;
    sopts.server_header = std::string("kong/") + api::kKongCompatibleVersion;
    sopts.config_hash = [this] { return ConfigHash(); };
    sopts.ready = [this] { return Ready(); };
    KONG_ASSIGN_OR_RETURN(status_, dataplane::StatusApi::Start(loop_, std::move(sopts)));

    dataplane::OutletClientOptions oopts;
    oopts.control_plane = control_plane_;
    oopts.trust = trust_;
    oopts.node = cluster::NodeParams{node_id_, hostname_, api::kKongCompatibleVersion};
    for (const std::string& name : plugins_->Names()) {
      oopts.basic_info.plugins.push_back({name, api::kKongCompatibleVersion});
    }
    oopts.basic_info.labels = LabelsOf(conf_.GetList("cluster_dp_labels"));
    oopts.max_payload = max_payload_;
    oopts.log = [this](LogLevel level, std::string_view line) { Log(level, std::string(line)); };
    oopts.apply = [this](cluster::Reconfigure config) { return Apply(std::move(config)); };
    auto outlet = dataplane::OutletClient::Create(loop_, std::move(oopts));
    if (!outlet.ok()) {
      status_->Close(nullptr);
      status_.reset();
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

  void Stop(std::function<void()> on_stopped) {
    if (!lifecycle_.BeginStop(loop_, std::move(on_stopped))) return;
    Log(LogLevel::kNotice, "stopping data plane node");
    // The callbacks below arrive through timers and handle closes the loop keeps running for.
    pending_closes_ = 2;
    outlet_->Close([this] { OneClosed(); });
    status_->Close([this] { OneClosed(); });
  }

  // Called by ~DataPlane while handles are open: this object frees itself when stopped.
  void DestroyWhenStopped() {
    if (lifecycle_.DestroyWhenStopped()) Stop(nullptr);
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
  size_t last_payload_bytes() const { return outlet_ ? outlet_->last_payload_bytes() : 0; }
  std::string config_json() const {
    auto current = store_ ? store_->current() : nullptr;
    return current ? current->json : std::string();
  }
  std::vector<uint16_t> status_ports() const {
    return lifecycle_.running() && status_ ? status_->bound_ports() : std::vector<uint16_t>{};
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
    store_->Install(std::move(cached).value());
    Log(LogLevel::kNotice, "loaded the cached config " + store_->current()->config_hash +
                               " from " + store_->cache_path());
  }

  // The outlet client's apply: validate completely, then install, persist and announce.
  Status Apply(cluster::Reconfigure config) {
    KONG_ASSIGN_OR_RETURN(std::shared_ptr<const dataplane::ConfigSnapshot> snapshot,
                          store_->Validate(config.config_table, config.config_hash));
    store_->Install(snapshot);
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

  void OneClosed() {
    if (--pending_closes_ > 0) return;
    // Later: the last close callback still runs inside the object being reset.
    finish_timer_ = std::make_unique<net::Timer>(loop_);
    finish_timer_->Start(0, [this] { FinishStop(); });
  }

  void FinishStop() {
    outlet_.reset();
    status_.reset();
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

  std::unique_ptr<schema::PluginSchemaRegistry> plugins_;
  std::unique_ptr<schema::Catalog> catalog_;
  std::unique_ptr<dataplane::ConfigStore> store_;
  std::unique_ptr<dataplane::StatusApi> status_;
  std::unique_ptr<dataplane::OutletClient> outlet_;
  std::unique_ptr<net::Timer> finish_timer_;

  int pending_closes_ = 0;
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
void DataPlane::Stop(std::function<void()> on_stopped) { impl_->Stop(std::move(on_stopped)); }
const std::string& DataPlane::node_id() const { return impl_->node_id(); }
std::string DataPlane::config_hash() const { return impl_->ConfigHash(); }
bool DataPlane::ready() const { return impl_->Ready(); }
bool DataPlane::connected() const { return impl_->connected(); }
std::string DataPlane::config_json() const { return impl_->config_json(); }
size_t DataPlane::last_payload_bytes() const { return impl_->last_payload_bytes(); }
std::vector<uint16_t> DataPlane::status_ports() const { return impl_->status_ports(); }
bool DataPlane::running() const { return impl_->running(); }

}  // namespace kong
