// kong::DataPlane: a data-plane node (role = data_plane, database = off): receives the
// configuration from a control plane over mTLS, keeps the last good one in its prefix, and
// serves the status API; runs on an EventLoop the caller owns.
#ifndef KONG_DATA_PLANE_H_
#define KONG_DATA_PLANE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kong/conf.h"
#include "kong/event_loop.h"
#include "kong/export.h"
#include "kong/logger.h"
#include "kong/status.h"

namespace kong {

struct DataPlaneOptions {
  // role must be data_plane (database off); cluster_control_plane, cluster_cert,
  // cluster_cert_key (and cluster_ca_cert in pki mode), status_listen, prefix, node_id,
  // cluster_dp_labels, cluster_max_payload are read from it. Empty: Kong's defaults with
  // role = data_plane, which Create refuses for want of a certificate.
  std::optional<Conf> conf;
  LogSink log_sink;                   // loop thread; empty drops lines
  std::optional<LogLevel> log_level;  // empty: the conf's log_level
  std::string hostname;               // node_hostname sent to the CP; empty: gethostname(2)
  // Runs on the loop thread after each configuration is installed (from the CP or, at Start,
  // from <prefix>/config.cache.json.gz), with its config_hash.
  std::function<void(const std::string& config_hash)> on_config_applied;
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

  // Creates the prefix, loads or creates <prefix>/kong.id, loads the cached config (a
  // corrupted or invalid cache is reported and ignored), binds status_listen and starts
  // connecting to the control plane (failures there are retried, not returned).
  Status Start();
  // Closes the link and the listeners; on_stopped after the last handle closed.
  void Stop(std::function<void()> on_stopped);

  const std::string& node_id() const;
  // The installed config's hash; "00000000000000000000000000000000" before any.
  std::string config_hash() const;
  // A non-empty configuration is installed (what /status/ready reports).
  bool ready() const;
  // The link to the control plane is up.
  bool connected() const;
  // The installed configuration (Kong's flat declarative form, JSON text); "" before any.
  std::string config_json() const;
  // Bytes of the last reconfigure payload received from the control plane, as on the wire
  // (gzipped, before WebSocket and TLS framing); 0 before any.
  size_t last_payload_bytes() const;
  // status_listen ports in order; empty before Start and after Stop.
  std::vector<uint16_t> status_ports() const;
  bool running() const;

  class Impl;

 private:
  explicit DataPlane(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kong

#endif  // KONG_DATA_PLANE_H_
