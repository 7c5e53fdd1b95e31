// A minimal control plane for data-plane tests: mTLS on 127.0.0.1:0 with a chosen certificate,
// the /v1/outlet upgrade through http::Server, and WebSocket server links whose traffic is
// recorded and which push the reconfigure payloads a test chooses.
#ifndef KONG_TESTS_UNIT_DATAPLANE_FAKE_CONTROL_PLANE_H_
#define KONG_TESTS_UNIT_DATAPLANE_FAKE_CONTROL_PLANE_H_

#include <memory>
#include <string>
#include <vector>

#include "cluster/messages.h"
#include "cluster/websocket.h"
#include "cluster/websocket_handshake.h"
#include "http/server.h"
#include "json/value.h"
#include "net/listener.h"
#include "support/test_support.h"
#include "tls/cluster_trust.h"
#include "tls/tls_transport.h"
#include "unit/tls/test_certs.h"

namespace kong::test {

// One upgraded DP connection as the CP saw it.
struct FakeLink {
  std::string target;                 // the upgrade request's path?query
  std::vector<std::string> messages;  // binary messages (basic_info first)
  std::vector<std::string> pings;     // ping payloads (the DP's hash)
  std::unique_ptr<cluster::WebSocket> ws;
  bool closed = false;
};

class FakeControlPlane {
 public:
  // `settings` is the CP's cluster_* view (shared: its cert is what the DP must match; pki:
  // cp cert plus the CA).
  FakeControlPlane(EventLoop& loop, tls::ClusterTlsSettings settings) : loop_(loop) {
    auto trust = tls::ClusterTrust::Create(std::move(settings));
    REQUIRE_OK(trust.status());
    auto context = tls::TlsContext::Create(trust->ServerOptions());
    REQUIRE_OK(context.status());
    context_ = std::move(context).value();
    auto server = http::Server::Create(loop, {}, [this](http::Request& r, http::ResponseWriter& w) {
      OnRequest(r, w);
    });
    REQUIRE_OK(server.status());
    server_ = std::move(server).value();
    auto spec = net::ParseListenSpec("127.0.0.1:0");
    REQUIRE_OK(spec.status());
    auto listener = net::Listener::Create(loop, *spec, [this](std::unique_ptr<net::Transport> raw) {
      ++accepted;
      tls::TlsTransportOptions options;
      options.on_handshake = [this](tls::TlsTransport& t) {
        ++handshakes;
        if (t.session_resumed()) ++resumed;
      };
      auto t = tls::TlsTransport::Create(context_, std::move(raw), std::move(options));
      REQUIRE_OK(t.status());
      server_->Serve(std::move(t).value());
    });
    REQUIRE_OK(listener.status());
    listener_ = std::move(listener).value();
  }

  static tls::ClusterTlsSettings Shared(const TestCert& cert) {
    tls::ClusterTlsSettings s;
    s.mode = tls::ClusterMtlsMode::kShared;
    s.cert_pem = cert.cert_pem;
    s.key_pem = cert.key_pem;
    return s;
  }

  uint16_t port() const { return listener_->bound_port(); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port()); }
  FakeLink& last() { return *links.back(); }
  size_t open_links() const {
    size_t n = 0;
    for (const auto& l : links) n += l->closed ? 0 : 1;
    return n;
  }

  // Sends `payload` (an EncodeReconfigure result) to every open link.
  void Push(const std::string& payload) {
    for (auto& l : links) {
      if (!l->closed) CHECK_OK(l->ws->SendBinary(payload));
    }
  }
  // Drops every link at once (a CP that went away).
  void DropAll() {
    for (auto& l : links) {
      l->ws.reset();
      l->closed = true;
    }
  }

  void Close() {
    DropAll();
    bool closed = false;
    server_->Close([&] { closed = true; });
    listener_->Close(nullptr);
    CHECK(WaitUntil(loop_, [&] { return closed; }));
    server_.reset();
    listener_.reset();
  }

  int accepted = 0;
  int handshakes = 0;
  int resumed = 0;  // handshakes that resumed an earlier TLS session
  int requests = 0;
  std::vector<std::unique_ptr<FakeLink>> links;

 private:
  void OnRequest(http::Request& r, http::ResponseWriter& w) {
    ++requests;
    auto accept = cluster::ValidateUpgradeRequest(r);
    if (!accept.ok()) {
      w.Send(http::Response::Text(400, accept.status().message()));
      return;
    }
    auto up = w.TakeTransport();
    REQUIRE_OK(up.status());
    CHECK_OK(up->transport->Write(cluster::UpgradeResponseBytes(*accept)));
    auto link = std::make_unique<FakeLink>();
    link->target = r.target;
    FakeLink* l = link.get();
    cluster::WebSocketCallbacks cb;
    cb.on_message = [l](bool, std::string_view p) { l->messages.emplace_back(p); };
    cb.on_ping = [l](std::string_view p) { l->pings.emplace_back(p); };
    cb.on_closed = [l](const Status&) { l->closed = true; };
    auto ws = cluster::WebSocket::Create(std::move(up->transport), std::move(up->buffered),
                                         {cluster::WebSocketRole::kServer, 64 << 20}, std::move(cb));
    REQUIRE_OK(ws.status());
    link->ws = std::move(ws).value();
    CHECK_OK(link->ws->Start());
    links.push_back(std::move(link));
  }

  EventLoop& loop_;
  std::shared_ptr<const tls::TlsContext> context_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<net::Listener> listener_;
};

// A loopback port nothing listens on (bound, learned, closed): connecting is refused.
inline uint16_t ClosedPort(EventLoop& loop) {
  auto spec = net::ParseListenSpec("127.0.0.1:0");
  REQUIRE_OK(spec.status());
  auto listener = net::Listener::Create(loop, *spec, [](std::unique_ptr<net::Transport>) {});
  REQUIRE_OK(listener.status());
  return (*listener)->bound_port();
}

// A reconfigure payload for `config` (JSON text) and its hash.
struct Push {
  std::string payload;
  std::string hash;
};
inline Push MakePush(const std::string& config_json) {
  auto table = json::Parse(config_json);
  REQUIRE_OK(table.status());
  cluster::ConfigHashes hashes;
  auto payload = cluster::EncodeReconfigure(1700000000.5, *table, &hashes);
  REQUIRE_OK(payload.status());
  return Push{std::move(payload).value(), hashes.config};
}

inline std::string ServiceConfig(const std::string& name, int port = 80) {
  return R"({"_format_version":"3.0","_transform":false,"services":[{"id":"3f1c1a54-5f1b-4a2e-9a0e-2a9bd3d1f001","name":")" +
         name + R"(","host":"example.com","port":)" + std::to_string(port) + "}]}";
}

}  // namespace kong::test

#endif  // KONG_TESTS_UNIT_DATAPLANE_FAKE_CONTROL_PLANE_H_
