// OutletClient: the DP's link to the control plane. Connects to cluster_control_plane over
// mTLS, upgrades to /v1/outlet, sends basic_info, receives reconfigure pushes, pings every
// 30 s, and reconnects with jittered exponential backoff, failing over along a list of
// control planes when it has several.
#ifndef KONG_DATAPLANE_OUTLET_CLIENT_H_
#define KONG_DATAPLANE_OUTLET_CLIENT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cluster/messages.h"
#include "cluster/reconnect_backoff.h"
#include "conf/address_syntax.h"
#include "kong/event_loop.h"
#include "kong/logger.h"
#include "kong/status.h"
#include "tls/cluster_trust.h"

namespace kong::dataplane {

struct OutletClientOptions {
  // cluster_control_plane: "host:port" / "[v6]:port", or several separated by commas (see
  // cluster::FailoverSchedule for the order they are tried in).
  std::string control_plane;
  // Each CP is refused (and the link dropped before any byte is sent) unless
  // trust->CheckControlPlane accepts it; in pki mode without cluster_server_name its name must
  // be the host of its own entry (ClusterTrust::ServerNameFor). The reason is logged.
  std::shared_ptr<const tls::ClusterTrust> trust;
  cluster::NodeParams node;         // node_id, node_hostname, node_version
  cluster::BasicInfo basic_info;    // plugins and cluster_dp_labels
  size_t max_payload = 16777216;    // cluster_max_payload, on the inflated message
  uint64_t ping_interval_ms = 30000;
  uint64_t ping_wait_ms = 45000;    // no frame from the CP for this long: reconnect
  uint64_t connect_timeout_ms = 10000;  // TCP + TLS + upgrade
  cluster::ReconnectBackoffOptions backoff;  // failover_spread applies between list entries
  uint64_t backoff_seed = 0;        // 0: seeded from the node id and the clock
  LogSink log;
  // Validates and installs a received configuration. Called on the loop thread with the
  // newest payload only: messages are decoded on a later loop turn, so payloads that arrived
  // together collapse into the last one. An error keeps the old config and the link and is
  // logged ("bad config received from control plane ..."); OK makes the client ping the new
  // hash at once. Not called when `config_hash` equals the hash already applied (a ping
  // confirms it instead). A payload that cannot be decoded (gzip, JSON, over max_payload)
  // drops the link, as Kong's config thread does, and the client reconnects.
  std::function<Status(cluster::Reconfigure config)> apply;
  // The link came up (upgrade done, basic_info sent) or went down. May Close the client.
  std::function<void(bool connected)> on_link;
};

// Parses cluster_control_plane (conf::ParseControlPlaneList); kInvalidArgument naming the bad
// entry.
Result<std::vector<conf::ControlPlaneAddress>> ParseControlPlanes(const std::string& value);

// Loop thread only. Every failure (connect, TLS, a refused CP certificate, upgrade, silence,
// close) is logged once, in Kong's words ("connection to control plane wss://.../v1/outlet
// broken: <why> (retrying after N seconds)", or "(failing over to control plane <next> after
// N seconds)" with a list), and followed by the attempt cluster::FailoverSchedule picks. The
// configuration in force is never dropped on a failure.
class OutletClient {
 public:
  static Result<std::unique_ptr<OutletClient>> Create(EventLoop& loop, OutletClientOptions options);
  ~OutletClient();  // Close() without a callback; no callback runs afterwards
  OutletClient(const OutletClient&) = delete;
  OutletClient& operator=(const OutletClient&) = delete;

  // The hash of the config in force (pings carry it); set after loading the cache.
  void SetAppliedHash(std::string hash);
  const std::string& applied_hash() const;

  // Size of the last reconfigure message received (gzipped, as on the wire); 0 before any.
  size_t last_payload_bytes() const;

  // New cluster certificate rules (a reload): the next connection attempt uses them; a link
  // that is up stays up. Nothing changes on error (the TLS context cannot be built).
  Status SetTrust(std::shared_ptr<const tls::ClusterTrust> trust);

  // Starts connecting; reconnects until Close.
  void Start();
  bool connected() const;
  // The cluster_control_plane entry ("host:port" as written) the link is up to; "" while
  // there is no link.
  std::string connected_control_plane() const;
  // Drops the link and stops retrying; `on_closed` (may be empty) runs on a later loop turn
  // unless the client is destroyed first. Idempotent.
  void Close(std::function<void()> on_closed);

  class Impl;

 private:
  explicit OutletClient(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace kong::dataplane

#endif  // KONG_DATAPLANE_OUTLET_CLIENT_H_
