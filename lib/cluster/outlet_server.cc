// OutletServer: mTLS listeners (refusing a data plane during the handshake), the /v1/outlet
// upgrade over lib/http, and the links that the publisher's snapshots fan out to.
#include "cluster/outlet_server.h"

#include <ctime>
#include <map>
#include <utility>

#include "cluster/messages.h"
#include "cluster/outlet_link.h"
#include "cluster/websocket_handshake.h"
#include "http/server.h"
#include "net/listener.h"
#include "net/timer.h"
#include "tls/tls_transport.h"

namespace kong::cluster {

class OutletServer::Impl {
 public:
  explicit Impl(std::shared_ptr<OutletShared> shared)
      : shared_(std::move(shared)), finish_timer_(shared_->loop), purge_timer_(shared_->loop) {}

  ~Impl() {
    // Owned objects cancel their callbacks when destroyed; the publisher must not call us.
    if (subscription_ != 0) shared_->publisher.Unsubscribe(subscription_);
  }

  Status Init() {
    const OutletServerOptions& options = shared_->options;
    if (options.trust == nullptr) {
      return Status::InvalidArgument("cluster listener: no cluster certificate settings");
    }
    Result<std::shared_ptr<const tls::TlsContext>> context =
        tls::TlsContext::Create(options.trust->ServerOptions());
    if (!context.ok()) return context.status();
    context_ = std::move(context).value();

    http::ServerOptions http_options;
    // The upgrade request must follow the handshake promptly; nothing but it is served.
    http_options.header_timeout_ms = options.handshake_timeout_ms;
    http_options.keepalive_timeout_ms = options.handshake_timeout_ms;
    http_options.max_body_size = 64 * 1024;
    Result<std::unique_ptr<http::Server>> http = http::Server::Create(
        shared_->loop, http_options,
        [this](http::Request& request, http::ResponseWriter& writer) {
          OnRequest(request, writer);
        });
    if (!http.ok()) return http.status();
    http_ = std::move(http).value();

    for (const net::ListenSpec& spec : options.listen) {
      Result<std::unique_ptr<net::Listener>> listener = net::Listener::Create(
          shared_->loop, spec,
          [this](std::unique_ptr<net::Transport> raw) { OnAccept(std::move(raw)); },
          [this](const Status& error) {
            shared_->Log(LogLevel::kError, "cluster listener: " + error.message());
          });
      if (!listener.ok()) {
        return Status(listener.status().code(), "cluster_listen: " + listener.status().message());
      }
      listeners_.push_back(std::move(listener).value());
    }
    subscription_ = shared_->publisher.Subscribe(
        [this](const std::shared_ptr<const ConfigSnapshot>& snapshot) { Fan(snapshot); });
    PurgeExpired();
    return Status::Ok();
  }

  std::vector<uint16_t> bound_ports() const {
    std::vector<uint16_t> ports;
    if (closing_) return ports;
    for (const auto& l : listeners_) ports.push_back(l->bound_port());
    return ports;
  }

  Status SetTrust(std::shared_ptr<const tls::ClusterTrust> trust) {
    if (trust == nullptr) return Status::InvalidArgument("cluster listener: no cluster trust");
    Result<std::shared_ptr<const tls::TlsContext>> context =
        tls::TlsContext::Create(trust->ServerOptions());
    if (!context.ok()) return context.status();
    // Transports hold their own reference to the context they started with.
    context_ = std::move(context).value();
    shared_->options.trust = std::move(trust);
    return Status::Ok();
  }

  OutletServerStats stats() const {
    OutletServerStats s = shared_->stats;
    s.links = links_.size();
    return s;
  }

  void Close(std::function<void()> on_closed) {
    if (closing_) return;
    closing_ = true;
    on_closed_ = std::move(on_closed);
    if (subscription_ != 0) shared_->publisher.Unsubscribe(subscription_);
    subscription_ = 0;
    purge_timer_.Stop();
    // Destroying a link or a handshaking transport closes its connection; their handles free
    // themselves, and no callback of theirs runs afterwards.
    handshaking_.clear();
    links_.clear();
    pending_closes_ = 1 + listeners_.size();
    for (auto& listener : listeners_) listener->Close([this] { OneClosed(); });
    http_->Close([this] { OneClosed(); });
  }

 private:
  void OnAccept(std::unique_ptr<net::Transport> raw) {
    if (closing_) return;  // dropping it closes it
    const uint64_t id = next_id_++;
    const std::string peer = raw->peer_address();
    tls::TlsTransportOptions options;
    options.handshake_timeout_ms = shared_->options.handshake_timeout_ms;
    options.on_handshake = [this, id](tls::TlsTransport& transport) {
      OnHandshake(id, transport);
    };
    Result<std::unique_ptr<tls::TlsTransport>> tls =
        tls::TlsTransport::Create(context_, std::move(raw), std::move(options));
    if (!tls.ok()) {
      shared_->Log(LogLevel::kError, "cluster listener: " + peer + ": " + tls.status().message());
      return;
    }
    tls::TlsTransport* transport = tls->get();
    net::TransportCallbacks cb;
    // Kong's nginx refuses a peer that does not speak TLS (a plain HTTP request) or fails the
    // handshake; the log says who and why.
    cb.on_error = [this](const Status& error) {
      ++shared_->stats.refused_handshakes;
      shared_->Log(LogLevel::kWarn, "refused connection: " + error.message());
    };
    cb.on_closed = [this, id] { handshaking_.erase(id); };  // destroys the transport
    transport->SetCallbacks(std::move(cb));
    handshaking_.emplace(id, std::move(tls).value());
    Status reading = transport->StartReading();
    if (!reading.ok()) {
      shared_->Log(LogLevel::kError, "cluster listener: " + reading.message());
      handshaking_.erase(id);
    }
  }

  // The certificate rules run before a single byte of HTTP is read or written.
  void OnHandshake(uint64_t id, tls::TlsTransport& transport) {
    Status accepted = shared_->options.trust->CheckDataPlane(transport);
    if (!accepted.ok()) {
      ++shared_->stats.refused_handshakes;
      shared_->Log(LogLevel::kWarn, "refused data plane " + transport.peer_address() + ": " +
                                        accepted.message());
      transport.Close();  // on_closed then forgets it
      return;
    }
    auto it = handshaking_.find(id);
    if (it == handshaking_.end()) return;
    std::unique_ptr<tls::TlsTransport> owned = std::move(it->second);
    handshaking_.erase(it);
    // The HTTP server takes the callbacks over; TlsTransport delivers the records that follow
    // the handshake to it.
    http_->Serve(std::move(owned));
  }

  void OnRequest(http::Request& request, http::ResponseWriter& writer) {
    if (request.path != kOutletPath) {
      writer.Send(http::Response::Text(404, "Not Found"));
      return;
    }
    Result<NodeParams> params = ParseNodeParams(request.target);
    if (!params.ok()) {
      shared_->Log(LogLevel::kError, params.status().message() + " [ip: " +
                                         tls::HostOf(request.peer_address) + "]");
      writer.Send(http::Response::Text(kMissingNodeParamHttpStatus, params.status().message()));
      return;
    }
    Result<std::string> accept = ValidateUpgradeRequest(request);
    if (!accept.ok()) {
      shared_->Log(LogLevel::kError,
                   "failed to perform the websocket handshake with data plane: " +
                       accept.status().message() + " [id: " + params->id + "]");
      http::Response refused = http::Response::Text(400, accept.status().message());
      refused.headers.Set("Connection", "close");
      writer.Send(std::move(refused));
      return;
    }
    Result<http::UpgradedTransport> upgraded = writer.TakeTransport();
    if (!upgraded.ok()) {
      shared_->Log(LogLevel::kError, "cluster listener: " + upgraded.status().message());
      return;
    }
    OutletPeer peer;
    peer.node = std::move(params).value();
    peer.ip = tls::HostOf(upgraded->transport->peer_address());
    if (auto* tls = dynamic_cast<tls::TlsTransport*>(upgraded->transport.get())) {
      if (tls->peer_certificate().present()) peer.cert_expiry = tls->PeerNotAfter();
    }
    const uint64_t id = next_id_++;
    auto link = std::make_unique<OutletLink>(shared_, std::move(peer),
                                             [this, id] { links_.erase(id); });
    OutletLink* raw = link.get();
    links_.emplace(id, std::move(link));
    Status started = raw->Start(std::move(upgraded).value(), *accept);
    if (!started.ok()) {
      shared_->Log(LogLevel::kError, "cluster listener: " + started.message());
      links_.erase(id);  // no-op if the link already finished
    }
  }

  void Fan(const std::shared_ptr<const ConfigSnapshot>& snapshot) {
    std::vector<uint64_t> ids;
    ids.reserve(links_.size());
    for (const auto& entry : links_) ids.push_back(entry.first);
    for (uint64_t id : ids) {
      auto it = links_.find(id);  // an earlier push may have ended another link
      if (it != links_.end()) it->second->Push(snapshot);
    }
  }

  // Deletes registry rows past their expiry (cluster_data_plane_purge_delay after the last
  // ping), now and then hourly; reads already hide them, this keeps the table small. Every CP
  // sharing the database does it; the DELETEs are idempotent.
  void PurgeExpired() {
    const int64_t now = static_cast<int64_t>(::time(nullptr));
    std::weak_ptr<OutletShared> weak = shared_;
    shared_->store.Submit(
        [now](store::Store& s) { return s.PurgeExpiredDataPlanes(now); },
        [weak](Result<int64_t> purged) {
          auto shared = weak.lock();
          if (!shared) return;
          if (!purged.ok()) {
            shared->Log(LogLevel::kError,
                        "unable to purge expired data planes: " + purged.status().message());
          } else if (*purged > 0) {
            shared->Log(LogLevel::kInfo,
                        "purged " + std::to_string(*purged) + " expired data plane record(s)");
          }
        });
    purge_timer_.Start(kPurgeIntervalMs, [this] { PurgeExpired(); });
  }

  void OneClosed() {
    if (--pending_closes_ > 0) return;
    // Listener and server close callbacks run from libuv, but a server with nothing open may
    // answer inside Close: finish on a later iteration either way.
    finish_timer_.Start(0, [this] {
      auto done = std::move(on_closed_);
      on_closed_ = nullptr;
      if (done) done();
    });
  }

  std::shared_ptr<OutletShared> shared_;
  std::shared_ptr<const tls::TlsContext> context_;
  std::vector<std::unique_ptr<net::Listener>> listeners_;
  std::unique_ptr<http::Server> http_;
  std::map<uint64_t, std::unique_ptr<tls::TlsTransport>> handshaking_;
  std::map<uint64_t, std::unique_ptr<OutletLink>> links_;
  uint64_t next_id_ = 1;
  int subscription_ = 0;
  bool closing_ = false;
  size_t pending_closes_ = 0;
  std::function<void()> on_closed_;
  net::Timer finish_timer_;
  net::Timer purge_timer_;
  static constexpr uint64_t kPurgeIntervalMs = 3600 * 1000;
};

Result<std::unique_ptr<OutletServer>> OutletServer::Start(EventLoop& loop,
                                                          store::AsyncStore& store,
                                                          ConfigPublisher& publisher,
                                                          OutletServerOptions options) {
  auto shared = std::make_shared<OutletShared>(loop, store, publisher, std::move(options));
  auto impl = std::make_shared<Impl>(std::move(shared));
  // On failure the Impl is destroyed here: its listeners close and nothing stays bound.
  Status init = impl->Init();
  if (!init.ok()) return init;
  return std::unique_ptr<OutletServer>(new OutletServer(std::move(impl)));
}

OutletServer::OutletServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

OutletServer::~OutletServer() {
  if (impl_) impl_->Close(nullptr);
}

std::vector<uint16_t> OutletServer::bound_ports() const { return impl_->bound_ports(); }
OutletServerStats OutletServer::stats() const { return impl_->stats(); }
Status OutletServer::SetTrust(std::shared_ptr<const tls::ClusterTrust> trust) {
  return impl_->SetTrust(std::move(trust));
}
void OutletServer::Close(std::function<void()> on_closed) { impl_->Close(std::move(on_closed)); }

}  // namespace kong::cluster
