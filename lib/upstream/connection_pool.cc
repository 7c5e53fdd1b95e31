// ConnectionPool: per-peer LIFO idle lists, new connections (TCP, then TLS) under one deadline.
#include "upstream/connection_pool.h"

#include <netinet/in.h>
#include <uv.h>

#include <cstring>
#include <deque>
#include <unordered_map>

#include "base/macros.h"
#include "net/connect.h"
#include "net/socket_address.h"
#include "net/tcp_transport.h"
#include "net/timer.h"
#include "tls/tls_transport.h"
#include "upstream/pooled_connection.h"

namespace kong::upstream {
namespace {

// A compact binary key: family and TLS flag, port, address bytes, then the TLS context's
// identity and the SNI. Short enough for the small-string buffer for plain IPv4 peers.
void BuildPeerKey(const Peer& peer, std::string* key) {
  key->clear();
  const auto* sa = reinterpret_cast<const sockaddr*>(&peer.address);
  char kind = static_cast<char>((sa->sa_family == AF_INET6 ? 2 : 1) | (peer.tls ? 4 : 0));
  key->push_back(kind);
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    key->append(reinterpret_cast<const char*>(&in6->sin6_port), sizeof in6->sin6_port);
    key->append(reinterpret_cast<const char*>(&in6->sin6_addr), sizeof in6->sin6_addr);
  } else {
    const auto* in4 = reinterpret_cast<const sockaddr_in*>(sa);
    key->append(reinterpret_cast<const char*>(&in4->sin_port), sizeof in4->sin_port);
    key->append(reinterpret_cast<const char*>(&in4->sin_addr), sizeof in4->sin_addr);
  }
  if (peer.tls) {
    const tls::TlsContext* context = peer.tls.get();
    key->append(reinterpret_cast<const char*>(&context), sizeof context);
    key->append(peer.sni);
  }
}

// "127.0.0.1" / "::1" for ConnectAttempt, which then skips name resolution.
std::string HostLiteral(const std::string& address_with_port) {
  size_t colon = address_with_port.rfind(':');
  std::string_view host(address_with_port.data(),
                        colon == std::string::npos ? address_with_port.size() : colon);
  return std::string(net::StripBrackets(host));
}

struct Counters {
  size_t opened = 0;
};

// One new connection: ConnectAttempt to the resolved address, TCP_NODELAY, then the TLS
// handshake for https peers, all under the connect timeout. Destroying it cancels.
class PendingConnect final : public AcquireHandle {
 public:
  PendingConnect(EventLoop& loop, const Peer& peer, std::string key,
                 std::shared_ptr<Counters> counters, ConnectionPool::AcquireCallback done)
      : loop_(loop),
        tls_context_(peer.tls),
        sni_(peer.sni),
        key_(std::move(key)),
        address_(net::FormatAddress(reinterpret_cast<const sockaddr*>(&peer.address))),
        address_storage_(peer.address),
        counters_(std::move(counters)),
        done_(std::move(done)),
        timer_(loop) {}

  void Begin(uint64_t timeout_ms) {
    timer_.Start(timeout_ms, [this] {
      Finish(nullptr, UpstreamErrorKind::kConnectTimeout,
             "upstream timed out (110: Connection timed out) while connecting to upstream " +
                 address_);
    });
    net::ConnectOptions options;
    options.timeout_ms = timeout_ms + 1000;  // our timer fires first, with the right kind
    uint16_t port = net::AddressPort(reinterpret_cast<const sockaddr*>(&address_storage_));
    attempt_ = net::ConnectAttempt::Start(
        loop_, HostLiteral(address_), port, options,
        [this](Result<std::unique_ptr<net::Transport>> connected) {
          OnConnected(std::move(connected));
        });
  }


 private:
  void OnConnected(Result<std::unique_ptr<net::Transport>> connected) {
    if (!connected.ok()) {
      Finish(nullptr, UpstreamErrorKind::kConnectFailed,
             "connect() to " + address_ + " failed: " + connected.status().message());
      return;
    }
    std::unique_ptr<net::Transport> transport = std::move(connected).value();
    // ConnectAttempt hands over a TcpTransport; requests must not wait for Nagle.
    uv_tcp_t* handle = static_cast<net::TcpTransport*>(transport.get())->uv_handle();
    if (handle != nullptr) uv_tcp_nodelay(handle, 1);
    ++counters_->opened;
    if (tls_context_ == nullptr) {
      Finish(std::move(transport), UpstreamErrorKind::kConnectFailed, "");
      return;
    }
    tls::TlsTransportOptions options;
    options.session_key = address_ + "|" + sni_;
    options.server_name = sni_;
    options.handshake_timeout_ms = 0;  // the connect timer covers the handshake
    options.on_handshake = [this](tls::TlsTransport&) {
      Finish(std::move(tls_), UpstreamErrorKind::kConnectFailed, "");
    };
    auto created = tls::TlsTransport::Create(tls_context_, std::move(transport), options);
    if (!created.ok()) {
      FinishLater("SSL handshake with upstream " + address_ + " failed: " +
                  created.status().message());
      return;
    }
    tls_ = std::move(created).value();
    net::TransportCallbacks cb;
    cb.on_error = [this](const Status& error) {
      Finish(nullptr, UpstreamErrorKind::kConnectFailed,
             "SSL handshake with upstream " + address_ + " failed: " + error.message());
    };
    cb.on_eof = [this] {
      Finish(nullptr, UpstreamErrorKind::kConnectFailed,
             "upstream " + address_ + " closed the connection during the SSL handshake");
    };
    tls_->SetCallbacks(std::move(cb));
    Status reading = tls_->StartReading();
    if (!reading.ok()) FinishLater("SSL handshake with upstream " + address_ + " failed: " +
                                   reading.message());
  }

  void FinishLater(std::string message) {
    tls_.reset();
    failure_ = std::move(message);
    timer_.Start(0, [this] {
      Finish(nullptr, UpstreamErrorKind::kConnectFailed, std::move(failure_));
    });
  }

  // Runs `done_` once; nothing touches *this afterwards (the callback may destroy it).
  void Finish(std::unique_ptr<net::Transport> transport, UpstreamErrorKind kind,
              std::string message) {
    if (!done_) return;
    timer_.Stop();
    auto done = std::move(done_);
    done_ = nullptr;
    if (transport != nullptr) {
      auto connection =
          std::make_unique<PooledConnection>(loop_, std::move(transport), std::move(key_));
      done(std::move(connection), nullptr);
      return;
    }
    UpstreamError error{kind, std::move(message), true};
    done(nullptr, &error);
  }

  EventLoop& loop_;
  std::shared_ptr<const tls::TlsContext> tls_context_;
  std::string sni_;
  std::string key_;
  std::string address_;
  sockaddr_storage address_storage_;
  std::shared_ptr<Counters> counters_;
  ConnectionPool::AcquireCallback done_;
  net::Timer timer_;
  std::unique_ptr<net::ConnectAttempt> attempt_;
  std::unique_ptr<tls::TlsTransport> tls_;
  std::string failure_;
};

}  // namespace

struct ConnectionPool::Impl final : IdleOwner {
  using IdleList = std::deque<std::unique_ptr<UpstreamConnection>>;

  Impl(EventLoop& l, PoolOptions o) : loop(l), options(o) {}

  void OnIdleConnectionGone(PooledConnection* connection) override {
    IdleList* list = Find(connection->pool_key());
    if (list == nullptr) return;
    for (auto c = list->begin(); c != list->end(); ++c) {
      if (c->get() != connection) continue;
      std::unique_ptr<UpstreamConnection> gone = std::move(*c);
      list->erase(c);
      --idle_total;
      ForgetIfEmpty(connection->pool_key());
      return;  // `gone` closes the connection here
    }
  }

  // The list for `key`, or null. The last list used is remembered: a worker mostly talks to
  // the same few peers, and a hit costs a string compare instead of a hash.
  IdleList* Find(std::string_view key) {
    if (last_list != nullptr && key == last_key) return last_list;
    auto it = idle.find(std::string(key));
    if (it == idle.end()) return nullptr;
    Remember(it);
    return &it->second;
  }
  IdleList& FindOrAdd(std::string_view key) {
    if (last_list != nullptr && key == last_key) return *last_list;
    auto it = idle.try_emplace(std::string(key)).first;
    Remember(it);
    return it->second;
  }
  void Remember(std::unordered_map<std::string, IdleList>::iterator it) {
    last_key = it->first;
    last_list = &it->second;
  }
  // An empty list stays (it is reused at once under load: a deque costs two allocations)
  // unless there are many: peers come and go with DNS and balancer changes.
  void ForgetIfEmpty(std::string_view key) {
    if (idle.size() <= kKeptEmptyLists) return;
    auto it = idle.find(std::string(key));
    if (it == idle.end() || !it->second.empty()) return;
    if (&it->second == last_list) last_list = nullptr;
    idle.erase(it);
  }
  static constexpr size_t kKeptEmptyLists = 64;

  EventLoop& loop;
  PoolOptions options;
  std::unordered_map<std::string, IdleList> idle;
  size_t idle_total = 0;
  std::shared_ptr<Counters> counters = std::make_shared<Counters>();
  std::string key_scratch;  // reused for lookups: no allocation per Acquire
  std::string last_key;
  IdleList* last_list = nullptr;  // the list of `last_key` (map nodes do not move)
};

ConnectionPool::ConnectionPool(EventLoop& loop, PoolOptions options)
    : impl_(std::make_unique<Impl>(loop, options)) {}

ConnectionPool::~ConnectionPool() {
  // Connections are destroyed outside the map: their transports may call back into it.
  auto idle = std::move(impl_->idle);
  impl_->idle.clear();
  impl_->last_list = nullptr;
  impl_->idle_total = 0;
  idle.clear();
}

std::unique_ptr<AcquireHandle> ConnectionPool::Acquire(const Peer& peer,
                                                       uint64_t connect_timeout_ms,
                                                       AcquireCallback done) {
  KONG_DCHECK(impl_->loop.IsCurrentThread());
  BuildPeerKey(peer, &impl_->key_scratch);
  if (Impl::IdleList* list = impl_->Find(impl_->key_scratch)) {
    std::unique_ptr<UpstreamConnection> found;
    while (!list->empty() && found == nullptr) {
      std::unique_ptr<UpstreamConnection> c = std::move(list->back());  // LIFO: the warmest
      list->pop_back();
      --impl_->idle_total;
      if (static_cast<PooledConnection*>(c.get())->Unpark()) found = std::move(c);
    }
    if (list->empty()) impl_->ForgetIfEmpty(impl_->key_scratch);
    if (found != nullptr) {
      done(std::move(found), nullptr);
      return nullptr;
    }
  }
  auto pending = std::make_unique<PendingConnect>(impl_->loop, peer, impl_->key_scratch,
                                                  impl_->counters, std::move(done));
  pending->Begin(connect_timeout_ms);
  return pending;
}

void ConnectionPool::Release(std::unique_ptr<UpstreamConnection> connection) {
  auto* c = static_cast<PooledConnection*>(connection.get());
  if (c == nullptr || impl_->options.max_idle_per_peer == 0 ||
      !c->Reusable(impl_->options.max_requests)) {
    return;  // destroying it closes the transport
  }
  Impl::IdleList& list = impl_->FindOrAdd(c->pool_key());
  std::unique_ptr<UpstreamConnection> evicted;
  if (list.size() >= impl_->options.max_idle_per_peer) {
    evicted = std::move(list.front());  // nginx's keepalive cache drops its oldest entry
    list.pop_front();
    --impl_->idle_total;
  }
  c->Park(impl_.get(), impl_->options.idle_timeout_ms);
  list.push_back(std::move(connection));
  ++impl_->idle_total;
}

size_t ConnectionPool::idle_count() const { return impl_->idle_total; }

size_t ConnectionPool::opened_count() const { return impl_->counters->opened; }

}  // namespace kong::upstream
