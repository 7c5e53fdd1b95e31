// kong::DataPlane: a data-plane node (role = data_plane, database = off): receives the
// configuration from a control plane over mTLS, keeps the last good one in its prefix, proxies
// requests with it (proxy_listen) and serves the status API; runs on an EventLoop the caller
// owns (the proxy runs on worker threads of its own).
#ifndef KONG_DATA_PLANE_H_
#define KONG_DATA_PLANE_H_

#include <cstddef>
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

struct DataPlaneOptions {
  // role must be data_plane (database off); cluster_control_plane (one "host:port", or several
  // separated by commas: see connected_control_plane()), cluster_cert,
  // cluster_cert_key (and cluster_ca_cert in pki mode), status_listen, prefix, node_id,
  // cluster_dp_labels, cluster_max_payload are read from it, and the proxy settings
  // (proxy_listen, nginx_worker_processes, client_max_body_size, trusted_ips, headers,
  // upstream_keepalive_*, dns_*, ssl_cert...: docs/configuration.md). Empty: Kong's defaults with
  // role = data_plane, which Create refuses for want of a certificate.
  std::optional<Conf> conf;
  LogSink log_sink;                   // loop thread; empty drops lines
  std::optional<LogLevel> log_level;  // empty: the conf's log_level
  std::string hostname;               // node_hostname sent to the CP; empty: gethostname(2)
  // Runs on the loop thread after each configuration is installed (from the CP or, at Start,
  // from <prefix>/config.cache.json.gz), with its config_hash.
  std::function<void(const std::string& config_hash)> on_config_applied;
  // One line per request the proxy served, in nginx's "combined" format without the newline
  // ('127.0.0.1 - - [27/Nov/2026:18:20:00 +0000] "GET /x HTTP/1.1" 200 5 "-" "curl/7.88"'),
  // called on the proxy's worker threads: must be thread-safe. Empty: no access log.
  std::function<void(std::string_view line)> access_log;
};

// Every method on `loop`'s thread; the loop must outlive the DataPlane.
class KONG_EXPORT DataPlane {
 public:
  // Checks the options (role, database off, certificates, listen addresses) without binding
  // or connecting. kInvalidArgument naming the setting.
  static Result<std::unique_ptr<DataPlane>> Create(EventLoop& loop, DataPlaneOptions options);
  ~DataPlane();  // starts Stop(); keep running the loop until handles closed
  DataPlane(const DataPlane&) = delete;
  DataPlane& operator=(const DataPlane&) = delete;

  // Creates the prefix, loads or creates <prefix>/kong.id, starts the proxy (its workers bind
  // every proxy_listen address: "bind 0.0.0.0:8000: address already in use"; none when
  // proxy_listen = off), loads the cached config (a corrupted or invalid cache, or one the
  // proxy cannot compile, is reported and ignored), binds status_listen and starts connecting
  // to the control plane (failures there are retried, not returned). A configuration is
  // installed only when both the declarative schema and the proxy accept it: otherwise the
  // previous one keeps serving.
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

  // Closes the link and the listeners, and the proxy's connections at once (no grace period);
  // on_stopped after the last handle closed.
  void Stop(std::function<void()> on_stopped);

  // Kong's graceful shutdown (`kong quit`, kongd's SIGQUIT): the proxy stops accepting
  // connections at once (new ones are refused), closes its idle keep-alive connections and
  // lets the requests in flight finish within nginx_main_worker_shutdown_timeout (nginx's
  // worker_shutdown_timeout, e.g. "30s"; unset: no limit, as nginx), then closes the rest. The
  // link to the control plane and the status API close at once. A Stop() (or destroying the
  // DataPlane) meanwhile ends the wait at once; every caller's on_stopped runs once, when the
  // proxy's workers and every handle are closed.
  void StopGracefully(std::function<void()> on_stopped);

  const std::string& node_id() const;
  // The installed config's hash; "00000000000000000000000000000000" before any.
  std::string config_hash() const;
  // A non-empty configuration is installed (what /status/ready reports).
  bool ready() const;
  // The link to the control plane is up.
  bool connected() const;
  // The control plane the link is up to, as its cluster_control_plane entry is written
  // ("cp2.example:8005"); "" while disconnected. With several entries the DP starts with the
  // first and, when its control plane goes away (link dropped, connection refused, TLS or
  // upgrade failure, 45 s of silence), fails over to the next one after at most a second,
  // and stays there; once every entry failed in a row it waits the growing 5-60 s backoff
  // before the next round. The installed configuration keeps serving throughout.
  std::string connected_control_plane() const;
  // The installed configuration (Kong's flat declarative form, JSON text); "" before any.
  std::string config_json() const;
  // Bytes of the last reconfigure payload received from the control plane, as on the wire
  // (gzipped, before WebSocket and TLS framing); 0 before any.
  size_t last_payload_bytes() const;
  // status_listen ports in order; empty before Start and after Stop.
  std::vector<uint16_t> status_ports() const;
  // proxy_listen ports in order (a port 0 entry resolved); empty before Start, after Stop and
  // with proxy_listen = off.
  std::vector<uint16_t> proxy_ports() const;
  bool running() const;

  class Impl;

 private:
  explicit DataPlane(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kong

#endif  // KONG_DATA_PLANE_H_
