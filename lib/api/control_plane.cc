// ControlPlane::Impl: wires the configuration database (AsyncStore) and the Admin API together
// on the caller's loop.
#include "kong/control_plane.h"

#include <unistd.h>

#include <climits>
#include <utility>

#include "admin/admin_api.h"
#include "admin/info_endpoints.h"
#include "api/node_identity.h"
#include "base/macros.h"
#include "base/text.h"
#include "net/listen_spec.h"
#include "pki/pem.h"
#include "net/timer.h"
#include "schema/catalog.h"
#include "schema/plugin_registry.h"
#include "store/async_store.h"
#include "store/store.h"
#include "store/store_conf.h"

namespace kong {

namespace {

// The Kong release whose Admin API and hybrid protocol this library follows; GET / reports it.
constexpr char kKongCompatibleVersion[] = "3.10.0";

std::string LocalHostname() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

schema::RouterFlavor RouterFlavorOf(const std::string& word) {
  if (word == "traditional") return schema::RouterFlavor::kTraditional;
  if (word == "expressions") return schema::RouterFlavor::kExpressions;
  return schema::RouterFlavor::kTraditionalCompatible;
}

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
    KONG_ASSIGN_OR_RETURN(store_options_, store::StoreOptionsFromConf(conf_));
    KONG_ASSIGN_OR_RETURN(admin_listen_,
                          net::ParseListenList(conf_.GetList("admin_listen"), "admin_listen"));
    min_level_ = LogLevel::kNotice;
    if (options_.log_level) {
      min_level_ = *options_.log_level;
    } else if (!ParseLogLevel(conf_.GetString("log_level"), &min_level_)) {
      min_level_ = LogLevel::kNotice;
    }
    hostname_ = options_.hostname.empty() ? LocalHostname() : options_.hostname;
    catalog_options_.router_flavor = RouterFlavorOf(conf_.GetString("router_flavor"));
    return Status::Ok();
  }

  Status Start() {
    if (state_ != State::kCreated) return Status::Conflict("control plane was already started");
    state_ = State::kStopped;  // a failed Start leaves nothing to stop and cannot be retried
    const std::string prefix = conf_.GetString("prefix");
    KONG_RETURN_IF_ERROR(api::EnsureFolder(prefix));
    KONG_ASSIGN_OR_RETURN(
        node_id_,
        api::LoadOrCreateNodeId(prefix, conf_.Has("node_id") ? conf_.GetString("node_id") : "",
                                [this](const std::string& m) { Log(LogLevel::kWarn, m); }));

    admin::AdminOptions admin_cert;
    KONG_RETURN_IF_ERROR(LoadAdminCertificate(&admin_cert));

    store::StoreOptions open_options = store_options_;
    open_options.auto_bootstrap =
        options_.bootstrap_new_sqlite && open_options.backend == store::Backend::kSqlite;
    KONG_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db, store::Store::Open(open_options));
    // Pending migrations are never applied implicitly: refuse with Kong's hint.
    KONG_RETURN_IF_ERROR(db->CheckSchema());
    Log(LogLevel::kInfo,
        std::string("using the ") + store::BackendName(db->backend()) + " database");

    plugins_ = std::make_unique<schema::PluginSchemaRegistry>();
    catalog_ = std::make_unique<schema::Catalog>(plugins_.get(), catalog_options_);
    store_ = store::AsyncStore::Start(loop_, std::move(db));

    admin::NodeInfo node;
    node.node_id = node_id_;
    node.hostname = hostname_;
    node.version = kKongCompatibleVersion;
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
      store_->Shutdown();
      store_.reset();
      return admin.status();
    }
    admin_ = std::move(admin).value();
    admin::RegisterInfoEndpoints(
        *admin_, admin::InfoContext{*store_, *catalog_, std::move(node),
                                    [this](LogLevel level, std::string_view line) {
                                      Log(level, std::string(line));
                                    }});
    // The cluster listener (cluster_listen, mTLS, DP registry) starts here with the cluster
    // issue; until then data planes cannot connect to this node.
    state_ = State::kRunning;

    std::vector<std::string> where;
    std::vector<uint16_t> ports = admin_->bound_ports();
    for (size_t i = 0; i < admin_listen_.size() && i < ports.size(); ++i) {
      net::ListenSpec bound = admin_listen_[i];
      bound.port = ports[i];
      where.push_back(bound.Address());
    }
    Log(LogLevel::kNotice, "started " + role_ + " node " + node_id_ + ", admin API on " +
                               (where.empty() ? std::string("(off)") : base::Join(where, ", ")));
    return Status::Ok();
  }

  void Stop(std::function<void()> on_stopped) {
    if (on_stopped) on_stopped_.push_back(std::move(on_stopped));
    switch (state_) {
      case State::kStopping:
        return;
      case State::kCreated:
      case State::kStopped: {
        state_ = State::kStopped;
        // Nothing is open: answer on a later iteration without touching this object then.
        auto callbacks = std::move(on_stopped_);
        on_stopped_.clear();
        if (!callbacks.empty()) {
          loop_.Post([callbacks = std::move(callbacks)] {
            for (const auto& cb : callbacks) cb();
          });
        }
        return;
      }
      case State::kRunning:
        break;
    }
    state_ = State::kStopping;
    Log(LogLevel::kNotice, "stopping " + role_ + " node");
    // FinishStop arrives through the loop's mailbox, whose handle is unreferenced: this idle
    // timer keeps a caller's uv_run going until then.
    stop_guard_ = std::make_unique<net::Timer>(loop_);
    stop_guard_->Start(24ull * 3600 * 1000, [] {});
    admin_->Close([this] {
      // No new requests can arrive now. Joining the store thread queues the answers of the
      // jobs it ran or cancelled; finishing from a later post lets them be delivered first,
      // while the closed AdminApi still exists to receive them.
      store_->Shutdown();
      loop_.Post([this] { FinishStop(); });
    });
  }

  // Called by ~ControlPlane while handles are open: this object frees itself when stopped.
  void DestroyWhenStopped() {
    self_owned_ = true;
    if (state_ == State::kRunning) Stop(nullptr);
  }

  bool open() const { return state_ == State::kRunning || state_ == State::kStopping; }
  bool running() const { return state_ == State::kRunning; }
  std::vector<uint16_t> admin_ports() const {
    return state_ == State::kRunning && admin_ ? admin_->bound_ports() : std::vector<uint16_t>{};
  }
  const std::string& node_id() const { return node_id_; }
  const std::string& role() const { return role_; }

 private:
  enum class State { kCreated, kRunning, kStopping, kStopped };

  void FinishStop() {
    stop_guard_.reset();
    admin_.reset();
    store_.reset();
    catalog_.reset();
    plugins_.reset();
    state_ = State::kStopped;
    Log(LogLevel::kNotice, "stopped " + role_ + " node");
    const bool self_owned = self_owned_;
    auto callbacks = std::move(on_stopped_);
    on_stopped_.clear();
    // A callback may destroy the public ControlPlane (and so this object): touch no member
    // from here on.
    for (const auto& cb : callbacks) cb();
    if (self_owned) delete this;
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
  std::vector<net::ListenSpec> admin_listen_;
  schema::CatalogOptions catalog_options_;

  std::unique_ptr<schema::PluginSchemaRegistry> plugins_;
  std::unique_ptr<schema::Catalog> catalog_;
  std::unique_ptr<store::AsyncStore> store_;
  std::unique_ptr<admin::AdminApi> admin_;
  std::unique_ptr<net::Timer> stop_guard_;

  State state_ = State::kCreated;
  std::vector<std::function<void()>> on_stopped_;
  bool self_owned_ = false;
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
void ControlPlane::Stop(std::function<void()> on_stopped) { impl_->Stop(std::move(on_stopped)); }
std::vector<uint16_t> ControlPlane::admin_ports() const { return impl_->admin_ports(); }
const std::string& ControlPlane::node_id() const { return impl_->node_id(); }
const std::string& ControlPlane::role() const { return impl_->role(); }
bool ControlPlane::running() const { return impl_->running(); }

}  // namespace kong
