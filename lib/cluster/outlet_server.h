// OutletServer: the CP's cluster listener. mTLS on cluster_listen, Kong's /v1/outlet WebSocket
// protocol (basic_info, reconfigure pushes, ping/pong), and the data-plane registry writes.
#ifndef KONG_CLUSTER_OUTLET_SERVER_H_
#define KONG_CLUSTER_OUTLET_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cluster/compatibility.h"
#include "cluster/config_publisher.h"
#include "kong/event_loop.h"
#include "kong/logger.h"
#include "kong/status.h"
#include "net/listen_spec.h"
#include "store/async_store.h"
#include "tls/cluster_trust.h"

namespace kong::cluster {

struct OutletServerOptions {
  // cluster_listen (several addresses allowed; port 0 binds an ephemeral port).
  std::vector<net::ListenSpec> listen;
  // cluster_mtls rules: every connection is refused during the TLS handshake, before any
  // HTTP byte, unless trust->CheckDataPlane accepts the peer; the reason is logged (warn).
  std::shared_ptr<const tls::ClusterTrust> trust;
  // The CP's Kong-compatible version ("3.10.0") and plugin list, for the sync_status checks.
  std::string cp_version;
  std::vector<PluginVersion> cp_plugins;
  // cluster_max_payload: the largest message accepted from a DP.
  size_t max_payload = 16777216;
  // Kong's PING_WAIT (PING_INTERVAL * 1.5): a link silent this long is closed.
  uint64_t ping_wait_ms = 45000;
  // cluster_data_plane_purge_delay: a registry row expires this long after the last ping.
  int64_t purge_delay_s = 1209600;
  // TLS handshake plus upgrade request must complete within this.
  uint64_t handshake_timeout_ms = 10000;
  LogSink log;  // loop thread; may be empty
};

// Counters for benchmarks and tests.
struct OutletServerStats {
  size_t links = 0;             // open, upgraded DP links
  uint64_t pushes = 0;          // reconfigure messages queued to DPs
  uint64_t bytes_pushed = 0;    // their payload bytes (gzipped, before TLS/WebSocket framing)
  uint64_t refused_handshakes = 0;  // TLS-level refusals (certificate rules, not TLS at all)
};

// Loop thread only. `store` and `publisher` must outlive it.
class OutletServer {
 public:
  // Binds every listen address; kInvalidArgument/kUnavailable naming the address on failure
  // (nothing stays bound then).
  static Result<std::unique_ptr<OutletServer>> Start(EventLoop& loop, store::AsyncStore& store,
                                                     ConfigPublisher& publisher,
                                                     OutletServerOptions options);
  ~OutletServer();  // Close() without a callback
  OutletServer(const OutletServer&) = delete;
  OutletServer& operator=(const OutletServer&) = delete;

  std::vector<uint16_t> bound_ports() const;
  OutletServerStats stats() const;

  // New cluster certificate rules (a reload): handshakes that start from now on use them;
  // established links are kept. kTls/kInvalidArgument, and nothing changed, when the TLS
  // context cannot be built.
  Status SetTrust(std::shared_ptr<const tls::ClusterTrust> trust);

  // Stops listening, closes every link; `on_closed` (may be empty) after the last handle
  // closed, never inside Close. Idempotent.
  void Close(std::function<void()> on_closed);

  class Impl;

 private:
  explicit OutletServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace kong::cluster

#endif  // KONG_CLUSTER_OUTLET_SERVER_H_
