// OutletLink: Kong's CP-side read and write threads of one /v1/outlet connection, as events.
#include "cluster/outlet_link.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace kong::cluster {
namespace {

// Kong's CLUSTERING_TIMEOUT: how long a close frame waits for the data plane's answer.
constexpr uint64_t kCloseGraceMs = 5000;

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void OutletShared::Log(LogLevel level, const std::string& line) const {
  if (options.log) options.log(level, "[clustering] " + line);
}

OutletLink::OutletLink(std::shared_ptr<OutletShared> shared, OutletPeer peer,
                       std::function<void()> on_finished)
    : shared_(std::move(shared)),
      peer_(std::move(peer)),
      on_finished_(std::move(on_finished)),
      timer_(shared_->loop) {}

OutletLink::~OutletLink() = default;

Status OutletLink::Start(http::UpgradedTransport upgraded, std::string_view accept) {
  Status wrote = upgraded.transport->Write(UpgradeResponseBytes(accept));
  if (!wrote.ok()) return wrote;
  WebSocketCallbacks cb;
  cb.on_message = [this](bool binary, std::string_view payload) { OnMessage(binary, payload); };
  cb.on_ping = [this](std::string_view payload) { OnPing(payload); };
  cb.on_pong = [this](std::string_view) { ArmSilenceTimer(); };
  cb.on_closed = [this](const Status& status) { OnClosed(status); };
  WebSocketOptions options;
  options.role = WebSocketRole::kServer;
  options.max_message_size = shared_->options.max_payload;
  Result<std::unique_ptr<WebSocket>> ws =
      WebSocket::Create(std::move(upgraded.transport), std::move(upgraded.buffered), options,
                        std::move(cb));
  if (!ws.ok()) return ws.status();
  ws_ = std::move(ws).value();
  // basic_info must come within the handshake deadline (Kong: its 5 s receive timeout).
  timer_.Start(shared_->options.handshake_timeout_ms, [this] {
    Drop(LogLevel::kError, "failed to receive websocket basic info frame: timeout");
  });
  // Start() may deliver frames that arrived with the upgrade request: Start last.
  return ws_->Start();
}

void OutletLink::OnMessage(bool binary, std::string_view payload) {
  if (phase_ == Phase::kAwaitingBasicInfo) {
    OnBasicInfo(binary, payload);
    return;
  }
  if (phase_ != Phase::kReady) return;
  // Kong's data planes only ping after basic_info (3.6+ drops anything else).
  End(LogLevel::kError, std::string("invalid websocket frame received from data plane: ") +
                            (binary ? "binary" : "text"));
}

void OutletLink::OnBasicInfo(bool binary, std::string_view payload) {
  if (!binary) {
    End(LogLevel::kError, "failed to receive websocket basic info frame: text frame");
    return;
  }
  Result<BasicInfo> info = ParseBasicInfo(payload);
  if (!info.ok()) {
    End(LogLevel::kError, info.status().message());
    return;
  }
  dp_plugins_ = PluginsListToMap(info->plugins);
  labels_ = info->labels.is_object() ? info->labels : json::Value::EmptyObject();
  last_seen_ = NowSeconds();

  Compatibility version = CheckKongVersion(shared_->options.cp_version, peer_.node.version);
  if (!version.ok()) {
    sync_status_ = version.status;
    Upsert();
    End(LogLevel::kError, version.message);
    return;
  }
  phase_ = Phase::kReady;
  ArmSilenceTimer();
  shared_->Log(LogLevel::kInfo, "data plane connected" + Suffix());

  // Every new connection gets the whole current configuration at once.
  std::shared_ptr<const ConfigSnapshot> current = shared_->publisher.current();
  if (current) {
    sync_status_ = CheckConfigurationCompatibility(shared_->options.cp_plugins,
                                                   current->configured_plugins, dp_plugins_)
                       .status;
  }
  Upsert();
  if (current) Push(current);
}

void OutletLink::Push(const std::shared_ptr<const ConfigSnapshot>& snapshot) {
  if (phase_ != Phase::kReady || snapshot == nullptr) return;
  if (snapshot->config_version <= last_sent_version_) return;
  Compatibility compat = CheckConfigurationCompatibility(
      shared_->options.cp_plugins, snapshot->configured_plugins, dp_plugins_);
  const SyncStatus previous = sync_status_;
  sync_status_ = compat.status;
  if (!compat.ok()) {
    // The link stays up (pings go on) but this configuration is not sent.
    shared_->Log(LogLevel::kWarn,
                 "unable to send updated configuration to data plane: " + compat.message +
                     Suffix());
  } else {
    Status sent = ws_->SendBinary(snapshot->payload);
    if (!sent.ok()) {
      Drop(LogLevel::kError, "unable to send updated configuration to data plane: " +
                                 sent.message());
      return;
    }
    last_sent_version_ = snapshot->config_version;
    ++shared_->stats.pushes;
    shared_->stats.bytes_pushed += snapshot->payload.size();
  }
  if (sync_status_ != previous) Upsert();
}

void OutletLink::OnPing(std::string_view payload) {
  ArmSilenceTimer();
  // The pong is already queued by the WebSocket. Pings before basic_info carry no row.
  if (phase_ != Phase::kReady) return;
  Status valid = ValidatePingPayload(payload);
  if (!valid.ok()) {
    End(LogLevel::kError, valid.message());
    return;
  }
  config_hash_ = std::string(payload);
  last_seen_ = NowSeconds();
  Upsert();
}

void OutletLink::OnClosed(const Status& status) {
  if (phase_ == Phase::kFinished) return;
  if (phase_ != Phase::kEnding) {
    if (status.ok()) {
      shared_->Log(LogLevel::kInfo, "data plane closed the connection" + Suffix());
    } else if (status.code() == StatusCode::kInvalidArgument) {  // the WebSocket's 1009
      shared_->Log(LogLevel::kWarn,
                   "data plane sent a message over cluster_max_payload (" +
                       std::to_string(shared_->options.max_payload) +
                       " bytes): payload too big; connection closed" + Suffix());
    } else {
      shared_->Log(LogLevel::kWarn,
                   "connection to data plane broken: " + status.message() + Suffix());
    }
  }
  Finish();  // may destroy *this
}

void OutletLink::ArmSilenceTimer() {
  if (phase_ != Phase::kReady) return;
  const uint64_t wait_ms = shared_->options.ping_wait_ms;
  timer_.Start(wait_ms, [this, wait_ms] {
    Drop(LogLevel::kWarn,
         "did not receive any frame from data plane for " + std::to_string(wait_ms) + " ms");
  });
}

void OutletLink::End(LogLevel level, const std::string& reason) {
  if (phase_ == Phase::kEnding || phase_ == Phase::kFinished) return;
  phase_ = Phase::kEnding;
  shared_->Log(level, reason + Suffix());
  std::weak_ptr<char> alive = alive_;
  Status closing = ws_->Close(1000);
  if (alive.expired()) return;
  if (!closing.ok()) {
    Finish();  // may destroy *this
    return;
  }
  timer_.Start(kCloseGraceMs, [this] { Finish(); });
}

void OutletLink::Drop(LogLevel level, const std::string& reason) {
  if (phase_ == Phase::kFinished) return;
  if (phase_ != Phase::kEnding) shared_->Log(level, reason + Suffix());
  Finish();  // may destroy *this
}

void OutletLink::Finish() {
  if (phase_ == Phase::kFinished) return;
  phase_ = Phase::kFinished;
  timer_.Stop();
  auto done = std::move(on_finished_);
  on_finished_ = nullptr;
  if (done) done();  // the owner destroys *this (and the WebSocket, dropping the connection)
}

void OutletLink::Upsert() {
  const int64_t now = NowSeconds();
  store::DataPlaneRecord record;
  record.id = peer_.node.id;
  record.hostname = peer_.node.hostname;
  record.ip = peer_.ip;
  record.last_seen = last_seen_ != 0 ? last_seen_ : now;
  record.config_hash = config_hash_;
  record.version = peer_.node.version;
  record.sync_status = std::string(SyncStatusName(sync_status_));
  record.labels = labels_;
  // Kong 3.6+ (PR #11921): cert_details = {expiry_timestamp = <notAfter>}.
  if (peer_.cert_expiry) record.cert_details.Set("expiry_timestamp", *peer_.cert_expiry);
  record.updated_at = now;
  record.expires_at = now + shared_->options.purge_delay_s;
  shared_->registry.Upsert(std::move(record), Suffix());
}

std::string OutletLink::Suffix() const {
  return " [id: " + peer_.node.id + ", host: " + peer_.node.hostname + ", ip: " + peer_.ip +
         ", version: " + peer_.node.version + "]";
}

}  // namespace kong::cluster
