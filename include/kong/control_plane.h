// kong::ControlPlane: a control-plane (or traditional) node: the configuration database, the
// Admin API and (control_plane role) the cluster listener that data planes connect to, or
// (traditional role) the proxy, running on an EventLoop the caller owns.
#ifndef KONG_CONTROL_PLANE_H_
#define KONG_CONTROL_PLANE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kong/conf.h"
#include "kong/event_loop.h"
#include "kong/export.h"
#include "kong/logger.h"
#include "kong/status.h"

namespace kong {

struct ControlPlaneOptions {
  // The node's configuration (role, prefix, database, pg_*, admin_listen, node_id, ...).
  // Empty: Kong's defaults, as Conf::Load with no file and no environment gives them.
  // role must be control_plane or traditional; data_plane is refused by Create.
  std::optional<Conf> conf;

  // Receives the node's log lines, on the loop's thread. Empty: lines are dropped.
  LogSink log_sink;

  // Lines below this level are not passed to log_sink. Empty: the conf's log_level (Kong's
  // default is notice).
  std::optional<LogLevel> log_level;

  // The name reported as `hostname` by GET /. Empty: gethostname(2).
  std::string hostname;

  // Bootstrap a never-bootstrapped embedded SQLite database (a brand-new file) in Start, so
  // the quickstart needs no `kong migrations bootstrap` (a documented difference from Kong).
  // A PostgreSQL database, and an SQLite one with pending migrations, is never migrated
  // implicitly: Start refuses it with Kong's hint.
  bool bootstrap_new_sqlite = true;

  // A traditional node's proxy: one line per request served, in nginx's "combined" format
  // without the newline, called on the proxy's worker threads (must be thread-safe). Empty:
  // no access log.
  std::function<void(std::string_view line)> access_log;
};

// A control plane. Create builds it; Start opens the database and binds the listeners; Stop
// closes them. Every method must be called on `loop`'s thread, and the loop must outlive the
// ControlPlane. Not copyable or movable.
class KONG_EXPORT ControlPlane {
 public:
  // Checks the options (role, database, admin_listen, node_id) without binding or opening
  // anything. kInvalidArgument naming the setting and its value on a bad option.
  static Result<std::unique_ptr<ControlPlane>> Create(EventLoop& loop, ControlPlaneOptions options);

  // Destroying a running ControlPlane starts Stop(); its internals stay alive until the
  // listeners have closed, so keep running the loop afterwards.
  ~ControlPlane();
  ControlPlane(const ControlPlane&) = delete;
  ControlPlane& operator=(const ControlPlane&) = delete;

  // In order: creates the prefix folder when missing; loads (or creates) the node id in
  // <prefix>/kong.id unless node_id is set; connects to the database and checks its schema
  // (kUnavailable with Kong's "Database needs bootstrapping or is outdated..." hint when
  // migrations are pending); on a control_plane node, loads the cluster certificate pair
  // (cluster_cert, cluster_cert_key, cluster_ca_cert in pki mode: kInvalidArgument naming the
  // setting), binds every cluster_listen address and starts pushing the configuration to
  // data planes; on a traditional node, starts the proxy workers on every proxy_listen address
  // (with database = off, after loading declarative_config into memory: kInvalidArgument
  // naming the file when it is invalid; the Admin API is then read-only, as Kong's DB-less
  // mode); binds every admin_listen address ("bind 127.0.0.1:8001: address already in
  // use"). On error nothing stays open and Start may not be called again.
  // Blocks the calling thread while it connects to the database (at most pg_timeout), so call
  // it before the loop serves other work. Calling it twice fails with kConflict.
  Status Start();

  // Applies a re-read configuration (kongd's SIGHUP) without closing any connection:
  // log_level takes effect at once (unless the options fixed log_level), and new cluster
  // certificates (cluster_cert, cluster_cert_key, cluster_ca_cert, cluster_mtls,
  // cluster_server_name; renewed file contents count) are used by handshakes from now on
  // while established links stay up. Every other changed property keeps its running value
  // until a restart; they are named in one warn line ("reload: admin_listen changed; it takes
  // effect after a restart"). kInvalidArgument, with nothing changed, when the role differs
  // or the certificates cannot be used; kConflict unless running.
  Status Reload(const Conf& conf);

  // Stops accepting connections, closes the open ones (data-plane links included), lets the
  // running database job finish and closes the database. `on_stopped` (may be empty) runs on
  // the loop's thread after the last handle closed, never inside Stop. Idempotent: every
  // caller's on_stopped runs once.
  void Stop(std::function<void()> on_stopped);

  // Kong's graceful shutdown (`kong quit`, kongd's SIGQUIT): as Stop, except that a
  // traditional node's proxy stops accepting connections at once and lets the requests in
  // flight finish within nginx_main_worker_shutdown_timeout (nginx's worker_shutdown_timeout,
  // e.g. "30s"; unset: no limit, as nginx) before it closes the rest. The Admin API closes at
  // once. A Stop() (or destroying the ControlPlane) meanwhile ends the wait at once; every
  // caller's on_stopped runs once, when the proxy's workers and every handle are closed.
  void StopGracefully(std::function<void()> on_stopped);

  // The bound Admin API ports in admin_listen order (a port 0 entry resolved to the port the
  // system chose); empty before Start and after Stop.
  std::vector<uint16_t> admin_ports() const;

  // This node's id: node_id from the conf, or the one kept in <prefix>/kong.id (created on
  // the first Start and reused by every later one, as Kong does). "" before Start.
  const std::string& node_id() const;

  // "control_plane" or "traditional".
  const std::string& role() const;

  // True between a successful Start and the end of Stop.
  bool running() const;

  // The bound cluster listener ports (cluster_listen, where data planes connect over mutual
  // TLS) in cluster_listen order, a port 0 entry resolved; empty before Start, after Stop and
  // on a traditional node, which has no cluster listener.
  std::vector<uint16_t> cluster_ports() const;

  // The config_hash this control plane pushes to its data planes now (Kong 3.x's hash of the
  // declarative export); on a traditional node, the hash of the configuration its proxy
  // serves. "" before the first export completed, after Stop and on a traditional node
  // without a proxy.
  std::string config_hash() const;

  // The bound proxy ports of a traditional node (proxy_listen; it proxies with the
  // configuration of its own database, or of declarative_config with database = off) in
  // proxy_listen order, a port 0 entry resolved; empty before Start, after Stop, with
  // proxy_listen = off and on a control_plane node (data planes proxy).
  std::vector<uint16_t> proxy_ports() const;

  class Impl;

 private:
  friend class ClusterStatus;  // reads the data-plane registry through Impl

  explicit ControlPlane(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kong

#endif  // KONG_CONTROL_PLANE_H_
