// OutletClient::Impl: one link at a time (connect, TLS, upgrade, WebSocket), rebuilt after
// every failure, to the entry and after the delay the failover schedule picks.
#include "dataplane/outlet_client.h"

#include <chrono>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

#include "base/macros.h"
#include "cluster/websocket.h"
#include "cluster/websocket_handshake.h"
#include "http/client.h"
#include "net/connect.h"
#include "net/timer.h"
#include "tls/thread_random.h"
#include "tls/tls_transport.h"

namespace kong::dataplane {

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

Result<std::vector<conf::ControlPlaneAddress>> ParseControlPlanes(const std::string& value) {
  std::vector<conf::ControlPlaneAddress> entries;
  if (std::string err = conf::ParseControlPlaneList(value, &entries); !err.empty()) {
    return Status::InvalidArgument(err);
  }
  return entries;
}

namespace {

std::string Seconds(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

}  // namespace

class OutletClient::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(EventLoop& loop, OutletClientOptions options, cluster::FailoverSchedule schedule,
       std::shared_ptr<const tls::TlsContext> context,
       std::vector<conf::ControlPlaneAddress> control_planes)
      : loop_(loop),
        o_(std::move(options)),
        schedule_(std::move(schedule)),
        context_(std::move(context)),
        control_planes_(std::move(control_planes)),
        retry_timer_(loop),
        deadline_timer_(loop),
        ping_timer_(loop),
        silence_timer_(loop),
        apply_timer_(loop),
        closed_timer_(loop) {}

  void Start() {
    if (started_ || closed_) return;
    started_ = true;
    Connect();
  }

  void Close(std::function<void()> on_closed) {
    if (!closed_) {
      closed_ = true;
      const bool was_up = link_up_;
      DropLink();
      retry_timer_.Stop();
      apply_timer_.Stop();
      pending_.reset();
      if (was_up) Log(LogLevel::kInfo, "closed the link to control plane " + Uri());
    }
    if (on_closed) {
      // Later, never inside Close; the timer keeps the caller's loop running until then and
      // dies with this object, so nothing runs after destruction.
      closed_callbacks_.push_back(std::move(on_closed));
      closed_timer_.Start(0, [this] {
        auto callbacks = std::move(closed_callbacks_);
        closed_callbacks_.clear();
        for (auto& cb : callbacks) cb();
      });
    }
  }

  void SetAppliedHash(std::string hash) { applied_hash_ = std::move(hash); }
  // An attempt in progress keeps the context its transport holds.
  void SetTrust(std::shared_ptr<const tls::ClusterTrust> trust,
                std::shared_ptr<const tls::TlsContext> context) {
    o_.trust = std::move(trust);
    context_ = std::move(context);
  }
  const std::string& applied_hash() const { return applied_hash_; }
  bool connected() const { return link_up_; }
  std::string connected_control_plane() const { return link_up_ ? Target().text : ""; }
  size_t last_payload_bytes() const { return last_payload_bytes_; }

 private:
  void Log(LogLevel level, const std::string& line) const {
    if (o_.log) o_.log(level, "[clustering] " + line);
  }

  // The entry being tried or connected to.
  const conf::ControlPlaneAddress& Target() const {
    return control_planes_[schedule_.current()];
  }
  std::string Uri(size_t index) const {
    return "wss://" + control_planes_[index].text + std::string(cluster::kOutletPath);
  }
  std::string Uri() const { return Uri(schedule_.current()); }

  // Step 1: TCP.
  void Connect() {
    if (closed_) return;
    ++generation_;
    const uint64_t gen = generation_;
    std::weak_ptr<Impl> weak = weak_from_this();
    deadline_timer_.Start(o_.connect_timeout_ms, [this, gen] {
      if (gen == generation_) {
        Failed(Status::Unavailable("no upgraded link within " +
                                   std::to_string(o_.connect_timeout_ms) + " ms"));
      }
    });
    net::ConnectOptions copts;
    copts.timeout_ms = o_.connect_timeout_ms;
    attempt_ = net::ConnectAttempt::Start(
        loop_, Target().host, Target().port, copts,
        [weak, gen](Result<std::unique_ptr<net::Transport>> r) {
          auto self = weak.lock();
          if (self && gen == self->generation_) self->OnConnected(std::move(r));
        });
  }

  // Step 2: TLS with the cluster rules, then the upgrade request (queued until the handshake
  // completed and the CP passed our checks).
  void OnConnected(Result<std::unique_ptr<net::Transport>> r) {
    if (!r.ok()) return Failed(r.status());
    refusal_.clear();
    tls::TlsTransportOptions topts;
    topts.session_key = Target().text;  // resumption on reconnects, per control plane
    topts.server_name = o_.trust->ServerNameFor(Target().host);
    topts.handshake_timeout_ms = o_.connect_timeout_ms;
    const uint64_t gen = generation_;
    topts.on_handshake = [this, gen](tls::TlsTransport& t) {
      if (gen != generation_) return;
      Status ok = o_.trust->CheckControlPlane(t);
      if (!ok.ok()) {
        refusal_ = ok.message();
        t.Close();  // before a byte of the upgrade request left
      }
    };
    auto tls = tls::TlsTransport::Create(context_, std::move(r).value(), std::move(topts));
    if (!tls.ok()) return Failed(tls.status());

    unsigned char nonce[16];
    if (tls::ThreadRandom(nullptr, nonce, sizeof nonce) != 0) {
      return Failed(Status::Internal("no randomness for the websocket key"));
    }
    auto key = cluster::WebSocketKeyFromNonce(
        std::string_view(reinterpret_cast<const char*>(nonce), sizeof nonce));
    if (!key.ok()) return Failed(key.status());
    key_ = std::move(key).value();

    http::ClientOptions hopts;
    hopts.host = Target().text;
    hopts.read_timeout_ms = o_.connect_timeout_ms;
    http_ = std::make_unique<http::HttpClient>(std::move(tls).value(), hopts);
    http::ClientRequest req;
    req.method = "GET";
    req.target = cluster::BuildOutletTarget(o_.node);
    cluster::AddUpgradeRequestHeaders(req.headers, key_);
    std::weak_ptr<Impl> weak = weak_from_this();
    http_->Send(std::move(req), [weak, gen](Result<http::ClientResponse> resp) {
      auto self = weak.lock();
      if (self && gen == self->generation_) self->OnUpgradeResponse(std::move(resp));
    });
  }

  // Step 3: the 101, then WebSocket framing and basic_info.
  void OnUpgradeResponse(Result<http::ClientResponse> resp) {
    if (!refusal_.empty()) return Failed(Status::Tls(refusal_));
    if (!resp.ok()) return Failed(resp.status());
    Status valid = cluster::ValidateUpgradeResponse(resp->status, resp->headers, key_);
    if (!valid.ok()) {
      std::string body = resp->body.substr(0, 200);
      return Failed(Status::Protocol(valid.message() +
                                     (body.empty() ? std::string() : " (" + body + ")")));
    }
    auto up = http_->TakeTransport();
    if (!up.ok()) return Failed(up.status());
    std::unique_ptr<http::HttpClient> done_with = std::move(http_);

    const uint64_t gen = generation_;
    std::weak_ptr<Impl> weak = weak_from_this();
    auto guard = [weak, gen]() -> std::shared_ptr<Impl> {
      auto self = weak.lock();
      return self && gen == self->generation_ && !self->closed_ ? self : nullptr;
    };
    cluster::WebSocketCallbacks cb;
    cb.on_message = [guard](bool binary, std::string_view payload) {
      if (auto self = guard()) self->OnMessage(binary, payload);
    };
    cb.on_ping = [guard](std::string_view) {
      if (auto self = guard()) self->Heard();
    };
    cb.on_pong = [guard](std::string_view) {
      if (auto self = guard()) self->Heard();
    };
    cb.on_closed = [guard](const Status& status) {
      if (auto self = guard()) {
        self->Failed(status.ok() ? Status::Unavailable("control plane closed the link") : status);
      }
    };
    cluster::WebSocketOptions wopts;
    wopts.role = cluster::WebSocketRole::kClient;
    wopts.max_message_size = o_.max_payload;
    auto ws = cluster::WebSocket::Create(std::move(up->transport), std::move(up->buffered), wopts,
                                         std::move(cb));
    if (!ws.ok()) return Failed(ws.status());
    ws_ = std::move(ws).value();
    Status sent = ws_->SendBinary(cluster::SerializeBasicInfo(o_.basic_info));
    if (sent.ok()) sent = ws_->Start();
    if (!sent.ok()) return Failed(sent);

    deadline_timer_.Stop();
    link_up_ = true;
    link_since_ = Clock::now();
    Log(LogLevel::kInfo, "connected to control plane " + Uri());
    Heard();
    SendPing();  // Kong pings at connect
    Notify(true);
  }

  // Calls on_link; false when the user closed or destroyed us meanwhile.
  bool Notify(bool up) {
    if (!o_.on_link) return !closed_;
    auto keep = shared_from_this();
    const uint64_t gen = generation_;
    o_.on_link(up);
    return !closed_ && gen == generation_;
  }

  void Heard() {
    silence_timer_.Start(o_.ping_wait_ms, [this] {
      Failed(Status::Unavailable(
          "no frame from the control plane for " +
          Seconds(std::chrono::milliseconds(o_.ping_wait_ms)) + " seconds"));
    });
  }

  void SendPing() {
    if (!ws_) return;
    Status s = ws_->SendPing(cluster::PingPayload(applied_hash_));
    if (!s.ok()) return Failed(s);
    ping_timer_.Start(o_.ping_interval_ms, [this] { SendPing(); });
  }

  void OnMessage(bool binary, std::string_view payload) {
    Heard();
    if (!binary) {
      Log(LogLevel::kDebug, "ignored a text frame from control plane " + Uri());
      return;
    }
    // Only the newest payload matters: one that arrives before the previous was processed
    // replaces it (Kong's next_data, PR #6299).
    if (pending_) Log(LogLevel::kDebug, "dropped a superseded config payload");
    pending_.emplace(payload);
    last_payload_bytes_ = payload.size();
    if (!apply_timer_.active()) apply_timer_.Start(0, [this] { ProcessPending(); });
  }

  // Decoding and validation run on this (control) loop thread: the DP has no proxy traffic on
  // it, and messages that arrived meanwhile have already collapsed into pending_.
  void ProcessPending() {
    if (!pending_ || closed_) return;
    std::string payload = std::move(*pending_);
    pending_.reset();
    auto decoded = cluster::DecodeReconfigure(payload, o_.max_payload);
    if (!decoded.ok()) {
      // Kong's config thread dies on an undecodable message and takes the link with it.
      Log(LogLevel::kError, "unable to decode config from control plane " + Uri() + ": " +
                                decoded.status().message() + "; the old config keeps serving");
      return Failed(decoded.status(), /*logged=*/true);
    }
    const std::string hash = decoded->config_hash;
    if (hash == applied_hash_) {
      Log(LogLevel::kDebug, "config " + hash + " is already applied");
      SendPing();
      return;
    }
    Status applied = Status::Internal("no apply callback");
    if (o_.apply) {
      auto keep = shared_from_this();
      const uint64_t gen = generation_;
      applied = o_.apply(std::move(decoded).value());
      if (closed_) return;
      if (gen != generation_) return;  // the link changed meanwhile (apply closed it)
    }
    if (!applied.ok()) {
      Log(LogLevel::kError, "bad config received from control plane " + Uri() + ": " +
                                applied.message() + "; the old config keeps serving");
      return;
    }
    applied_hash_ = hash;
    SendPing();  // at once, so the CP sees the new hash
  }

  // Tears the link down (no callback), leaving the client idle.
  void DropLink() {
    ++generation_;
    deadline_timer_.Stop();
    ping_timer_.Stop();
    silence_timer_.Stop();
    attempt_.reset();
    http_.reset();
    ws_.reset();
    link_up_ = false;
  }

  // Any failure: log, drop, wait, retry (the same or the next control plane of the list).
  // The installed configuration is not touched: it keeps serving until a CP sends a new one.
  void Failed(const Status& error, bool logged = false) {
    if (closed_) return;
    const bool was_up = link_up_;
    auto connected_for = was_up ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                      Clock::now() - link_since_)
                                : std::chrono::milliseconds(0);
    DropLink();
    const std::string broken = Uri();
    const cluster::FailoverSchedule::Step next = schedule_.NextAttempt(connected_for);
    // Kong's wording, for failed attempts and lost links alike.
    const std::string retry =
        control_planes_.size() == 1
            ? "(retrying after " + Seconds(next.delay) + " seconds)"
            : "(failing over to control plane " + Uri(next.index) + " after " +
                  Seconds(next.delay) + " seconds)";
    std::string line = "connection to control plane " + broken + " broken: " + error.message() +
                       " " + retry;
    if (logged) line = "dropped the link to control plane " + broken + " " + retry;
    Log(LogLevel::kError, line);
    const std::chrono::milliseconds delay = next.delay;
    retry_timer_.Start(static_cast<uint64_t>(delay.count()), [this] { Connect(); });
    if (was_up) Notify(false);
  }

  EventLoop& loop_;
  OutletClientOptions o_;
  cluster::FailoverSchedule schedule_;
  std::shared_ptr<const tls::TlsContext> context_;
  std::vector<conf::ControlPlaneAddress> control_planes_;  // cluster_control_plane, in order

  net::Timer retry_timer_;
  net::Timer deadline_timer_;  // connect + TLS + upgrade
  net::Timer ping_timer_;
  net::Timer silence_timer_;  // ping_wait_ms without a frame
  net::Timer apply_timer_;    // defers ProcessPending so a burst collapses
  net::Timer closed_timer_;
  std::vector<std::function<void()>> closed_callbacks_;

  std::unique_ptr<net::ConnectAttempt> attempt_;
  std::unique_ptr<http::HttpClient> http_;
  std::unique_ptr<cluster::WebSocket> ws_;
  std::string key_;
  std::string refusal_;  // why on_handshake refused the CP

  uint64_t generation_ = 0;  // bumped per link; callbacks of older links are ignored
  bool started_ = false;
  bool closed_ = false;
  bool link_up_ = false;
  Clock::time_point link_since_;
  std::string applied_hash_ = std::string(cluster::kEmptyConfigHash);
  std::optional<std::string> pending_;
  size_t last_payload_bytes_ = 0;  // the newest binary message received
};

Result<std::unique_ptr<OutletClient>> OutletClient::Create(EventLoop& loop,
                                                           OutletClientOptions options) {
  if (!options.trust) return Status::InvalidArgument("outlet client: no cluster trust");
  if (options.max_payload == 0) {
    return Status::InvalidArgument("outlet client: cluster_max_payload must be positive");
  }
  if (options.ping_interval_ms == 0 || options.ping_wait_ms == 0 ||
      options.connect_timeout_ms == 0) {
    return Status::InvalidArgument("outlet client: ping and connect intervals must be positive");
  }
  KONG_ASSIGN_OR_RETURN(std::vector<conf::ControlPlaneAddress> control_planes,
                        ParseControlPlanes(options.control_plane));
  uint64_t seed = options.backoff_seed;
  if (seed == 0) {
    // Distinct per node and per start, so DPs restarted together still spread out.
    seed = static_cast<uint64_t>(Clock::now().time_since_epoch().count()) ^
           std::hash<std::string>{}(options.node.id);
  }
  KONG_ASSIGN_OR_RETURN(cluster::ReconnectBackoff backoff,
                        cluster::ReconnectBackoff::Create(options.backoff, seed));
  KONG_ASSIGN_OR_RETURN(
      cluster::FailoverSchedule schedule,
      cluster::FailoverSchedule::Create(control_planes.size(), std::move(backoff)));
  KONG_ASSIGN_OR_RETURN(std::shared_ptr<const tls::TlsContext> context,
                        tls::TlsContext::Create(options.trust->ClientOptions()));
  auto impl = std::make_shared<Impl>(loop, std::move(options), std::move(schedule),
                                     std::move(context), std::move(control_planes));
  return std::unique_ptr<OutletClient>(new OutletClient(std::move(impl)));
}

OutletClient::OutletClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
OutletClient::~OutletClient() {
  if (impl_) impl_->Close(nullptr);
}

void OutletClient::SetAppliedHash(std::string hash) { impl_->SetAppliedHash(std::move(hash)); }
const std::string& OutletClient::applied_hash() const { return impl_->applied_hash(); }
size_t OutletClient::last_payload_bytes() const { return impl_->last_payload_bytes(); }
void OutletClient::Start() { impl_->Start(); }
Status OutletClient::SetTrust(std::shared_ptr<const tls::ClusterTrust> trust) {
  if (!trust) return Status::InvalidArgument("outlet client: no cluster trust");
  KONG_ASSIGN_OR_RETURN(std::shared_ptr<const tls::TlsContext> context,
                        tls::TlsContext::Create(trust->ClientOptions()));
  impl_->SetTrust(std::move(trust), std::move(context));
  return Status::Ok();
}
bool OutletClient::connected() const { return impl_->connected(); }
std::string OutletClient::connected_control_plane() const {
  return impl_->connected_control_plane();
}
void OutletClient::Close(std::function<void()> on_closed) { impl_->Close(std::move(on_closed)); }

}  // namespace kong::dataplane
