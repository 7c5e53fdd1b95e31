// ControlPlane::Impl: wires the configuration database (AsyncStore), the Admin API and, on a
// control_plane node, the config publisher and the cluster listener together on the caller's
// loop.
#include "kong/control_plane.h"

#include <utility>

#include "admin/admin_api.h"
#include "admin/info_endpoints.h"
#include "api/control_plane_impl.h"
#include "api/dbless.h"
#include "api/kong_version.h"
#include "api/node_metrics.h"
#include "api/node_settings.h"
#include "api/node_lifecycle.h"
#include "api/traditional_proxy.h"
#include "api/node_reload.h"
#include "base/macros.h"
#include "base/text.h"
#include "cluster/cluster_conf.h"
#include "cluster/clustering_endpoints.h"
#include "cluster/config_publisher.h"
#include "cluster/outlet_server.h"
#include "net/listen_spec.h"
#include "net/timer.h"
#include "pki/pem.h"
#include "schema/catalog.h"
#include "schema/plugin_registry.h"
#include "schema/plugins/bundled.h"
#include "store/async_store.h"
#include "store/postgres_change_feed.h"
#include "store/store.h"
#include "store/store_conf.h"

namespace kong {

namespace {

}  // namespace

class ControlPlane::Impl {
 public:
  Impl(EventLoop& loop, Conf conf, ControlPlaneOptions options)
      : loop_(loop), conf_(std::move(conf)), options_(std::move(options)) {}

  Status Init() {
    role_ = conf_.GetString("role");
    if (role_ != "control_plane" && role_ != "traditional") {
      return Status::InvalidArgument("role " + role_ +
                                     " is not served by a control plane (use a data plane)");
    }
    dbless_ = api::IsDbless(conf_);
    if (dbless_ && role_ != "traditional") {
      return Status::InvalidArgument("database off: a " + role_ +
                                     " node needs a database (postgres or sqlite)");
    }
    if (dbless_) {
      store_options_ = api::DblessStoreOptions();
    } else {
      KONG_ASSIGN_OR_RETURN(store_options_, store::StoreOptionsFromConf(conf_));
    }
    KONG_ASSIGN_OR_RETURN(admin_listen_,
                          net::ParseListenList(conf_.GetList("admin_listen"), "admin_listen"));
    api::NodeSettings settings = api::NodeSettingsFrom(conf_, options_.log_level, options_.hostname);
    min_level_ = settings.min_level;
    hostname_ = std::move(settings.hostname);
    catalog_options_ = settings.catalog_options;
    return Status::Ok();
  }

  Status Start() {
    KONG_RETURN_IF_ERROR(lifecycle_.BeginStart("control plane was already started"));
    KONG_ASSIGN_OR_RETURN(node_id_, api::PrepareNodePrefix(conf_, [this](const std::string& m) {
                            Log(LogLevel::kWarn, m);
                          }));

    admin::AdminOptions admin_cert;
    KONG_RETURN_IF_ERROR(LoadAdminCertificate(&admin_cert));
    if (control_plane()) {
      // Certificates and listen addresses are checked before the database opens.
      KONG_ASSIGN_OR_RETURN(cluster_trust_, cluster::ClusterTrustFromConf(conf_));
      KONG_ASSIGN_OR_RETURN(cluster_listen_, net::ParseListenList(conf_.GetList("cluster_listen"),
                                                                  "cluster_listen"));
    }

    store::StoreOptions open_options = store_options_;
    open_options.auto_bootstrap =
        dbless_ ||
        (options_.bootstrap_new_sqlite && open_options.backend == store::Backend::kSqlite);
    KONG_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db, store::Store::Open(open_options));
    // Pending migrations are never applied implicitly: refuse with Kong's hint.
    KONG_RETURN_IF_ERROR(db->CheckSchema());
    Log(LogLevel::kInfo, dbless_ ? std::string("DB-less mode: configuration kept in memory")
                                 : std::string("using the ") +
                                       store::BackendName(db->backend()) + " database");

    plugins_ = std::make_unique<schema::PluginSchemaRegistry>();
    KONG_RETURN_IF_ERROR(schema::RegisterBundledPlugins(*plugins_, conf_.GetList("plugins")));
    catalog_ = std::make_unique<schema::Catalog>(plugins_.get(), catalog_options_);
    if (dbless_) KONG_RETURN_IF_ERROR(api::LoadDeclarativeConfig(conf_, *db, *catalog_));
    store_ = store::AsyncStore::Start(loop_, std::move(db));
    if (control_plane()) {
      Status cluster = StartCluster();
      if (!cluster.ok()) {
        AbortStart();
        return cluster;
      }
    } else {
      // Before the Admin API: a proxy_listen address in use fails Start with nothing served.
      auto proxy = api::TraditionalProxy::Start(
          loop_, conf_, *store_, *catalog_,
          [this](LogLevel level, std::string_view line) { Log(level, std::string(line)); },
          min_level_, options_.access_log);
      if (!proxy.ok()) {
        AbortStart();
        return proxy.status();
      }
      traditional_ = std::move(proxy).value();
    }

    admin::NodeInfo node;
    node.node_id = node_id_;
    node.hostname = hostname_;
    node.version = api::kKongCompatibleVersion;
    node.role = role_;
    node.configuration = conf_.Entries(/*redact_secrets=*/true);
    admin::AdminOptions admin_options;
    admin_options.listen = admin_listen_;
    admin_options.node = node;
    admin_options.log = [this](LogLevel level, std::string_view line) {
      Log(level, std::string(line));
    };
    admin_options.ssl_cert_pem = std::move(admin_cert.ssl_cert_pem);
    admin_options.ssl_key_pem = std::move(admin_cert.ssl_key_pem);
    Result<std::unique_ptr<admin::AdminApi>> admin =
        admin::AdminApi::Start(loop_, *store_, *catalog_, std::move(admin_options));
    if (!admin.ok()) {
      AbortStart();
      return admin.status();
    }
    admin_ = std::move(admin).value();
    admin::RegisterInfoEndpoints(
        *admin_, admin::InfoContext{*store_, *catalog_, std::move(node),
                                    [this](LogLevel level, std::string_view line) {
                                      Log(level, std::string(line));
                                    }});
    if (control_plane()) {
      cluster::RegisterClusteringEndpoints(*admin_, *store_);
    } else {
      cluster::RegisterClusteringEndpointsOffControlPlane(*admin_);
    }
    if (dbless_) api::RefuseEntityWrites(*admin_, *catalog_);
    if (!control_plane() && plugins_->Find("prometheus") != nullptr) {
      api::RegisterAdminMetricsEndpoint(
          *admin_, *store_, [this] { return traditional_ ? traditional_->proxy() : nullptr; },
          node_id_);
    }
    lifecycle_.Started();

    std::vector<std::string> where;
    std::vector<uint16_t> ports = admin_->bound_ports();
    for (size_t i = 0; i < admin_listen_.size() && i < ports.size(); ++i) {
      net::ListenSpec bound = admin_listen_[i];
      bound.port = ports[i];
      where.push_back(bound.Address());
    }
    std::string started = "started " + role_ + " node " + node_id_ + ", admin API on " +
                          (where.empty() ? std::string("(off)") : base::Join(where, ", "));
    if (outlet_) {
      std::vector<std::string> cluster_where;
      std::vector<uint16_t> cluster_ports = outlet_->bound_ports();
      for (size_t i = 0; i < cluster_listen_.size() && i < cluster_ports.size(); ++i) {
        net::ListenSpec bound = cluster_listen_[i];
        bound.port = cluster_ports[i];
        cluster_where.push_back(bound.Address());
      }
      started += ", cluster listener on " + base::Join(cluster_where, ", ");
    }
    if (!control_plane()) {
      Log(LogLevel::kNotice,
          traditional_ ? traditional_->ListeningLine() : "proxy_listen is off: no proxy");
    }
    Log(LogLevel::kNotice, started);  // last: callers read the ports from it
    return Status::Ok();
  }

  void Stop(std::function<void()> on_stopped) { BeginStopping(false, std::move(on_stopped)); }
  void StopGracefully(std::function<void()> on_stopped) {
    BeginStopping(true, std::move(on_stopped));
  }

  Status Reload(const Conf& next) {
    if (!lifecycle_.running()) return Status::Conflict("control plane is not running");
    KONG_ASSIGN_OR_RETURN(api::ReloadPlan plan, api::PlanReload(conf_, next));
    std::shared_ptr<const tls::ClusterTrust> trust;
    if (plan.cluster_trust_changed && outlet_) {
      KONG_ASSIGN_OR_RETURN(trust, cluster::ClusterTrustFromConf(next));
      KONG_RETURN_IF_ERROR(outlet_->SetTrust(trust));
      cluster_trust_ = std::move(trust);
      Log(LogLevel::kNotice, "reload: new cluster certificates apply to new data plane links");
    }
    min_level_ = api::NodeSettingsFrom(next, options_.log_level, hostname_).min_level;
    if (traditional_) traditional_->SetLogLevel(min_level_);
    if (!plan.needs_restart.empty()) Log(LogLevel::kWarn, api::NeedsRestartLine(plan.needs_restart));
    // The running values of restart-only properties stay in force: keep the old ones for
    // them by remembering only what was applied.
    if (plan.needs_restart.empty()) conf_ = next;
    return Status::Ok();
  }

  // Called by ~ControlPlane while handles are open: this object frees itself when stopped. A
  // graceful stop in progress is cut short: no one is left to wait for it.
  void DestroyWhenStopped() {
    if (lifecycle_.DestroyWhenStopped() || proxy_draining_) Stop(nullptr);
  }

  bool open() const { return lifecycle_.open(); }
  bool running() const { return lifecycle_.running(); }
  std::vector<uint16_t> admin_ports() const {
    return lifecycle_.running() && admin_ ? admin_->bound_ports() : std::vector<uint16_t>{};
  }
  std::vector<uint16_t> cluster_ports() const {
    return lifecycle_.running() && outlet_ ? outlet_->bound_ports()
                                                : std::vector<uint16_t>{};
  }
  std::vector<uint16_t> proxy_ports() const {
    return lifecycle_.running() && traditional_ ? traditional_->ports() : std::vector<uint16_t>{};
  }
  std::string config_hash() const {
    if (!lifecycle_.running()) return "";
    if (traditional_) return traditional_->config_hash();
    if (!publisher_) return "";
    std::shared_ptr<const cluster::ConfigSnapshot> current = publisher_->current();
    return current ? current->config_hash : "";
  }
  api::ControlPlaneView view() const {
    api::ControlPlaneView v;
    v.loop = &loop_;
    v.store = lifecycle_.running() ? store_.get() : nullptr;
    v.control_plane = control_plane();
    v.config_hash = config_hash();
    return v;
  }
  const std::string& node_id() const { return node_id_; }
  const std::string& role() const { return role_; }

 private:
  // Everything closes at once (Kong's fast shutdown), except, `graceful`, a traditional
  // node's proxy: it stops accepting and lets the requests in flight finish
  // (NodeProxy::Drain). A fast stop during a graceful one closes what the drain waits for.
  void BeginStopping(bool graceful, std::function<void()> on_stopped) {
    if (!lifecycle_.BeginStop(loop_, std::move(on_stopped))) {
      if (!graceful && proxy_draining_) {
        Log(LogLevel::kNotice, "fast shutdown: closing the proxy connections still open");
        traditional_->Stop();  // the drain's callback still arrives
      }
      return;
    }
    const bool drain = graceful && traditional_;
    Log(LogLevel::kNotice, "stopping " + role_ + " node" + (drain ? " gracefully" : ""));
    // FinishStop arrives through the loop's mailbox, whose handle is unreferenced: this idle
    // timer keeps a caller's uv_run going until then.
    stop_guard_ = std::make_unique<net::Timer>(loop_);
    stop_guard_->Start(24ull * 3600 * 1000, [] {});
    // No more pushes; then the cluster listener and the Admin API close (links and requests
    // included) before the store, which both write to, shuts down.
    if (change_feed_) change_feed_->Stop();
    if (publisher_) publisher_->Close();
    pending_closes_ = outlet_ ? 2 : 1;
    if (drain) {
      ++pending_closes_;
      proxy_draining_ = true;
    } else if (traditional_) {
      traditional_->Stop();  // no more exports; proxy connections close now
    }
    auto closed = [this] {
      if (--pending_closes_ > 0) return;
      // No new requests or data-plane writes can arrive now. Joining the store thread queues
      // the answers of the jobs it ran or cancelled; finishing from a later post lets them be
      // delivered first, while the closed AdminApi and OutletServer still exist to receive
      // them.
      store_->Shutdown();
      loop_.Post([this] { FinishStop(); });
    };
    if (drain) {
      traditional_->Drain([this, closed] {
        proxy_draining_ = false;
        closed();
      });
    }
    if (outlet_) outlet_->Close(closed);
    admin_->Close(closed);
  }

  void FinishStop() {
    stop_guard_.reset();
    change_feed_.reset();
    outlet_.reset();
    publisher_.reset();
    traditional_.reset();
    admin_.reset();
    store_.reset();
    catalog_.reset();
    plugins_.reset();
    Log(LogLevel::kNotice, "stopped " + role_ + " node");
    const bool self_owned = lifecycle_.self_owned();
    auto callbacks = lifecycle_.Finish();
    // A callback may destroy the public ControlPlane (and so this object): touch no member
    // from here on.
    for (const auto& cb : callbacks) cb();
    if (self_owned) delete this;
  }

  bool control_plane() const { return role_ == "control_plane"; }

  // The config publisher and the cluster listener over the open store (Kong's
  // kKongCompatibleVersion and our plugin registry for the sync_status checks).
  Status StartCluster() {
    cluster::ConfigPublisherOptions publish;
    publish.coalesce_ms = static_cast<uint64_t>(conf_.GetNumber("cluster_push_coalesce_ms"));
    publish.max_payload = static_cast<size_t>(conf_.GetNumber("cluster_max_payload"));
    publish.log = [this](LogLevel level, std::string_view line) { Log(level, std::string(line)); };
    publisher_ = std::make_unique<cluster::ConfigPublisher>(loop_, *store_, *catalog_,
                                                            std::move(publish));
    cluster::OutletServerOptions outlet;
    outlet.listen = cluster_listen_;
    outlet.trust = cluster_trust_;
    outlet.cp_version = api::kKongCompatibleVersion;
    for (const std::string& name : plugins_->Names()) {
      const schema::PluginSchema* plugin = plugins_->Find(name);
      outlet.cp_plugins.push_back({name, plugin ? plugin->version : std::string()});
    }
    outlet.max_payload = static_cast<size_t>(conf_.GetNumber("cluster_max_payload"));
    outlet.purge_delay_s = static_cast<int64_t>(conf_.GetNumber("cluster_data_plane_purge_delay"));
    outlet.log = [this](LogLevel level, std::string_view line) { Log(level, std::string(line)); };
    KONG_ASSIGN_OR_RETURN(
        outlet_, cluster::OutletServer::Start(loop_, *store_, *publisher_, std::move(outlet)));
    // After the listener is up, so the first export reaches whoever connects first.
    publisher_->Start();
    if (store_options_.backend == store::Backend::kPostgres) {
      // Other nodes on the same database commit too: their versions arrive by NOTIFY.
      store::ChangeFeedOptions feed;
      feed.postgres = store_options_.postgres;
      feed.postgres.application_name += " change feed";
      cluster::ConfigPublisher* publisher = publisher_.get();
      feed.on_version = [publisher](int64_t version) { publisher->NotifyVersion(version); };
      feed.log = [this](LogLevel level, std::string_view line) {
        Log(level, "[clustering] " + std::string(line));
      };
      KONG_ASSIGN_OR_RETURN(change_feed_, store::PostgresChangeFeed::Start(loop_, std::move(feed)));
    }
    return Status::Ok();
  }

  // A failed Start after the store opened: whatever started is closed at once (destroyed
  // listeners close their sockets), then the store shuts down.
  void AbortStart() {
    change_feed_.reset();
    outlet_.reset();
    traditional_.reset();
    if (publisher_) publisher_->Close();
    store_->Shutdown();
    store_.reset();
    publisher_.reset();
  }

  // admin_ssl_cert / admin_ssl_cert_key (a path, inline PEM or base64, as Kong takes them);
  // Kong allows one pair per key type, we serve the first. Unset: AdminApi makes a
  // self-signed one, as Kong writes admin-kong-default.crt.
  Status LoadAdminCertificate(admin::AdminOptions* options) const {
    std::vector<std::string> certs = conf_.GetList("admin_ssl_cert");
    std::vector<std::string> keys = conf_.GetList("admin_ssl_cert_key");
    if (certs.empty() && keys.empty()) return Status::Ok();
    if (certs.empty() || keys.empty()) {
      return Status::InvalidArgument(
          "admin_ssl_cert and admin_ssl_cert_key must both be set or both be unset");
    }
    KONG_ASSIGN_OR_RETURN(options->ssl_cert_pem,
                          pki::LoadPemSource(certs.front(), pki::PemKind::kCertificate));
    KONG_ASSIGN_OR_RETURN(options->ssl_key_pem,
                          pki::LoadPemSource(keys.front(), pki::PemKind::kPrivateKey));
    return Status::Ok();
  }

  void Log(LogLevel level, const std::string& line) const {
    if (options_.log_sink && level >= min_level_) options_.log_sink(level, line);
  }

  EventLoop& loop_;
  Conf conf_;
  ControlPlaneOptions options_;
  LogLevel min_level_ = LogLevel::kNotice;
  std::string role_;
  std::string hostname_;
  std::string node_id_;
  store::StoreOptions store_options_;
  bool dbless_ = false;  // database = off: declarative_config in an in-memory store
  std::vector<net::ListenSpec> admin_listen_;
  std::vector<net::ListenSpec> cluster_listen_;
  std::shared_ptr<const tls::ClusterTrust> cluster_trust_;
  schema::CatalogOptions catalog_options_;

  std::unique_ptr<schema::PluginSchemaRegistry> plugins_;
  std::unique_ptr<schema::Catalog> catalog_;
  std::unique_ptr<store::AsyncStore> store_;
  std::unique_ptr<admin::AdminApi> admin_;
  // Declared after the store: destroyed before it (FinishStop resets them in order anyway).
  std::unique_ptr<cluster::ConfigPublisher> publisher_;
  std::unique_ptr<cluster::OutletServer> outlet_;
  // Control plane on PostgreSQL: other nodes' commits. Stopped before the publisher closes.
  std::unique_ptr<store::PostgresChangeFeed> change_feed_;
  std::unique_ptr<api::TraditionalProxy> traditional_;  // traditional role with a proxy
  std::unique_ptr<net::Timer> stop_guard_;
  int pending_closes_ = 0;
  bool proxy_draining_ = false;  // a graceful stop waits for the proxy's requests in flight

  api::NodeLifecycle lifecycle_;
};

Result<std::unique_ptr<ControlPlane>> ControlPlane::Create(EventLoop& loop,
                                                           ControlPlaneOptions options) {
  std::optional<Conf> conf = std::move(options.conf);
  options.conf.reset();
  if (!conf) {
    Result<Conf> defaults = Conf::Load(ConfSources{});
    if (!defaults.ok()) return defaults.status();
    conf.emplace(std::move(defaults).value());
  }
  auto impl = std::make_unique<Impl>(loop, std::move(*conf), std::move(options));
  KONG_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<ControlPlane>(new ControlPlane(std::move(impl)));
}

ControlPlane::ControlPlane(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ControlPlane::~ControlPlane() {
  if (impl_ && impl_->open()) {
    // The listeners close asynchronously; Impl must outlive their close callbacks.
    impl_.release()->DestroyWhenStopped();
  }
}

Status ControlPlane::Start() { return impl_->Start(); }
Status ControlPlane::Reload(const Conf& conf) { return impl_->Reload(conf); }
void ControlPlane::Stop(std::function<void()> on_stopped) { impl_->Stop(std::move(on_stopped)); }
void ControlPlane::StopGracefully(std::function<void()> on_stopped) {
  impl_->StopGracefully(std::move(on_stopped));
}
std::vector<uint16_t> ControlPlane::admin_ports() const { return impl_->admin_ports(); }
const std::string& ControlPlane::node_id() const { return impl_->node_id(); }
const std::string& ControlPlane::role() const { return impl_->role(); }
bool ControlPlane::running() const { return impl_->running(); }
std::vector<uint16_t> ControlPlane::cluster_ports() const { return impl_->cluster_ports(); }
std::string ControlPlane::config_hash() const { return impl_->config_hash(); }
std::vector<uint16_t> ControlPlane::proxy_ports() const { return impl_->proxy_ports(); }

api::ControlPlaneView api::ViewOf(const ControlPlane::Impl& impl) { return impl.view(); }

}  // namespace kong
