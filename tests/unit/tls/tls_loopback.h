// Test helpers for lib/tls: a TLS listener on a loopback port and TLS clients connecting to it,
// each side recording what happens to it.
#ifndef KONG_TESTS_UNIT_TLS_TLS_LOOPBACK_H_
#define KONG_TESTS_UNIT_TLS_TLS_LOOPBACK_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kong/event_loop.h"
#include "net/connect.h"
#include "net/listener.h"
#include "support/test_support.h"
#include "tls/tls_context.h"
#include "tls/tls_transport.h"

namespace kong::test {

// One TLS connection end and what it saw. Configure the hooks before Start().
struct TlsEndpoint {
  std::unique_ptr<tls::TlsTransport> transport;
  net::Transport* inner = nullptr;  // the raw TCP transport underneath (owned by `transport`)
  std::string received;
  int handshakes = 0;
  bool eof = false;
  bool failed = false;
  bool closed = false;
  Status error;
  // Extra behaviour: runs after the endpoint recorded the event.
  std::function<void(tls::TlsTransport&)> on_handshake;
  std::function<void(std::string_view)> on_data;
  std::function<void()> on_eof;

  bool settled() const { return handshakes > 0 || failed || closed; }

  Status Start(std::shared_ptr<const tls::TlsContext> context, std::unique_ptr<net::Transport> raw,
               tls::TlsTransportOptions options) {
    inner = raw.get();
    options.on_handshake = [this](tls::TlsTransport& t) {
      ++handshakes;
      if (on_handshake) on_handshake(t);
    };
    auto t = tls::TlsTransport::Create(std::move(context), std::move(raw), std::move(options));
    if (!t.ok()) return t.status();
    transport = std::move(t).value();
    net::TransportCallbacks cb;
    cb.on_data = [this](std::string_view d) {
      received.append(d);
      if (on_data) on_data(d);
    };
    cb.on_eof = [this] {
      eof = true;
      if (on_eof) on_eof();
    };
    cb.on_error = [this](const Status& s) {
      failed = true;
      error = s;
    };
    cb.on_closed = [this] { closed = true; };
    transport->SetCallbacks(std::move(cb));
    return transport->StartReading();
  }
};

// Accepts connections on 127.0.0.1:<free port> and wraps each in TLS with `context`.
struct TlsServer {
  std::unique_ptr<net::Listener> listener;
  std::shared_ptr<const tls::TlsContext> context;
  tls::TlsTransportOptions options;
  // Configures each accepted endpoint before it starts (echo, hooks, ...).
  std::function<void(TlsEndpoint&)> configure;
  std::vector<std::unique_ptr<TlsEndpoint>> accepted;

  uint16_t port() const { return listener->bound_port(); }
  TlsEndpoint& last() { return *accepted.back(); }

  static std::unique_ptr<TlsServer> Listen(EventLoop& loop,
                                           std::shared_ptr<const tls::TlsContext> context,
                                           tls::TlsTransportOptions options = {}) {
    auto server = std::make_unique<TlsServer>();
    server->context = std::move(context);
    server->options = std::move(options);
    TlsServer* s = server.get();
    auto spec = net::ParseListenSpec("127.0.0.1:0");
    REQUIRE_OK(spec.status());
    auto listener = net::Listener::Create(loop, *spec, [s](std::unique_ptr<net::Transport> raw) {
      auto ep = std::make_unique<TlsEndpoint>();
      if (s->configure) s->configure(*ep);
      CHECK_OK(ep->Start(s->context, std::move(raw), s->options));
      s->accepted.push_back(std::move(ep));
    });
    REQUIRE_OK(listener.status());
    server->listener = std::move(listener).value();
    return server;
  }
};

// Connects a raw TCP socket to 127.0.0.1:port (waiting on the loop), then starts TLS on it.
// The handshake runs asynchronously: wait for settled().
inline std::unique_ptr<TlsEndpoint> ConnectTls(
    EventLoop& loop, uint16_t port, std::shared_ptr<const tls::TlsContext> context,
    tls::TlsTransportOptions options = {},
    const std::function<void(TlsEndpoint&)>& configure = nullptr) {
  std::unique_ptr<net::Transport> raw;
  bool done = false;
  auto attempt = net::ConnectAttempt::Start(loop, "127.0.0.1", port, {},
                                            [&](Result<std::unique_ptr<net::Transport>> r) {
                                              done = true;
                                              if (r.ok()) raw = std::move(r).value();
                                            });
  if (!WaitUntil(loop, [&] { return done; }) || raw == nullptr) return nullptr;
  auto ep = std::make_unique<TlsEndpoint>();
  if (configure) configure(*ep);
  Status s = ep->Start(std::move(context), std::move(raw), std::move(options));
  CHECK_OK(s);
  return s.ok() ? std::move(ep) : nullptr;
}

// Waits until both ends settled (handshake done, failed or closed).
inline bool WaitSettled(EventLoop& loop, TlsServer& server, TlsEndpoint& client,
                        int timeout_ms = 10000) {
  return WaitUntil(
      loop, [&] { return client.settled() && !server.accepted.empty() && server.last().settled(); },
      timeout_ms);
}

}  // namespace kong::test

#endif  // KONG_TESTS_UNIT_TLS_TLS_LOOPBACK_H_
