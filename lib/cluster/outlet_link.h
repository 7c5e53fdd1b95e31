// OutletLink: one data plane's upgraded /v1/outlet connection on the CP (Kong's
// handle_cp_websocket after the upgrade): basic_info, the version and plugin checks, reconfigure
// pushes, pings and that data plane's clustering_data_planes row.
#ifndef KONG_CLUSTER_OUTLET_LINK_H_
#define KONG_CLUSTER_OUTLET_LINK_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cluster/compatibility.h"
#include "cluster/config_publisher.h"
#include "cluster/messages.h"
#include "cluster/outlet_server.h"
#include "cluster/websocket.h"
#include "cluster/websocket_handshake.h"
#include "http/message.h"
#include "kong/event_loop.h"
#include "kong/logger.h"
#include "kong/status.h"
#include "net/timer.h"
#include "cluster/registry_writer.h"
#include "store/async_store.h"

namespace kong::cluster {

// What every link of one OutletServer reads and updates; owned by the server and outliving its
// links. Store answers hold it weakly, so none runs into a destroyed server.
struct OutletShared {
  OutletShared(EventLoop& l, store::AsyncStore& s, ConfigPublisher& p, OutletServerOptions o)
      : loop(l), store(s), publisher(p), options(std::move(o)), registry(s, options.log) {}

  EventLoop& loop;
  store::AsyncStore& store;
  ConfigPublisher& publisher;
  OutletServerOptions options;
  OutletServerStats stats;
  RegistryWriter registry;  // every link's registry rows, batched

  // "[clustering] <line>" to options.log.
  void Log(LogLevel level, const std::string& line) const;
};

// What the upgrade request and the TLS handshake told about the data plane.
struct OutletPeer {
  NodeParams node;
  std::string ip;                      // the TCP peer's address, without the port
  std::optional<int64_t> cert_expiry;  // the client certificate's notAfter (Unix seconds)
};

// Loop thread only. Owned by the OutletServer, which destroys it once `on_finished` ran (it
// may do so inside that call).
class OutletLink {
 public:
  OutletLink(std::shared_ptr<OutletShared> shared, OutletPeer peer,
             std::function<void()> on_finished);
  ~OutletLink();
  OutletLink(const OutletLink&) = delete;
  OutletLink& operator=(const OutletLink&) = delete;

  // Writes the 101 answer carrying `accept` on the taken-over transport and starts the
  // WebSocket (server role, max message cluster_max_payload). The first frame must be
  // basic_info within handshake_timeout_ms.
  Status Start(http::UpgradedTransport upgraded, std::string_view accept);

  // A newly published configuration: sent unless the data plane lacks a configured plugin
  // (sync_status tells which); the same bytes for every link.
  void Push(const std::shared_ptr<const ConfigSnapshot>& snapshot);

  const OutletPeer& peer() const { return peer_; }

 private:
  enum class Phase { kAwaitingBasicInfo, kReady, kEnding, kFinished };

  void OnMessage(bool binary, std::string_view payload);
  void OnBasicInfo(bool binary, std::string_view payload);
  void OnPing(std::string_view payload);
  void OnClosed(const Status& status);
  // Any frame from the data plane restarts the silence deadline.
  void ArmSilenceTimer();
  // Kong's send_close and exit: a close frame, then the connection ends once the data plane
  // answered or after a grace period. `reason` is logged with `level`.
  void End(LogLevel level, const std::string& reason);
  // Drops the connection at once (a silent data plane will not answer a close frame).
  void Drop(LogLevel level, const std::string& reason);
  void Finish();
  void Upsert();
  // Kong's log_suffix: " [id: .., host: .., ip: .., version: ..]".
  std::string Suffix() const;

  std::shared_ptr<OutletShared> shared_;
  OutletPeer peer_;
  std::function<void()> on_finished_;
  std::unique_ptr<WebSocket> ws_;
  net::Timer timer_;
  Phase phase_ = Phase::kAwaitingBasicInfo;

  PluginMap dp_plugins_;
  json::Value labels_ = json::Value::EmptyObject();
  SyncStatus sync_status_ = SyncStatus::kUnknown;
  std::string config_hash_ = std::string(kEmptyConfigHash);  // the last ping's payload
  int64_t last_seen_ = 0;
  int64_t last_sent_version_ = -1;  // config_version of the last payload sent
  std::shared_ptr<char> alive_ = std::make_shared<char>();  // expires with *this
};

}  // namespace kong::cluster

#endif  // KONG_CLUSTER_OUTLET_LINK_H_
