// ConnectionPool to https peers: verification, SNI, reuse keyed by TLS context and SNI.
#include "upstream/connection_pool.h"

#include "tls/tls_context.h"
#include "unit/tls/test_certs.h"
#include "unit/tls/tls_loopback.h"
#include "unit/upstream/upstream_test_util.h"

using kong::EventLoop;
using kong::test::Get;
using kong::test::LoopbackPeer;
using kong::test::Pki;
using kong::test::RunExchange;
using kong::test::TlsEndpoint;
using kong::test::TlsServer;
using kong::tls::TlsContext;
using kong::tls::TlsContextOptions;
using kong::tls::TlsRole;
using kong::tls::VerifyMode;
using kong::upstream::ConnectionPool;
using kong::upstream::UpstreamErrorKind;

namespace {

std::shared_ptr<const TlsContext> Context(TlsContextOptions o) {
  auto ctx = TlsContext::Create(std::move(o));
  REQUIRE_OK(ctx.status());
  return *ctx;
}

// An https upstream answering each request head with a fixed response.
std::unique_ptr<TlsServer> HttpsUpstream(EventLoop& loop) {
  TlsContextOptions so;
  so.role = TlsRole::kServer;
  so.cert_chain_pem = Pki().server.cert_pem;  // CN=localhost
  so.key_pem = Pki().server.key_pem;
  so.verify = VerifyMode::kNone;
  auto server = TlsServer::Listen(loop, Context(so));
  server->configure = [](TlsEndpoint& ep) {
    ep.on_data = [&ep](std::string_view) {
      if (ep.received.find("\r\n\r\n") == std::string::npos) return;
      ep.received.clear();
      CHECK_OK(ep.transport->Write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret"));
    };
  };
  return server;
}

std::shared_ptr<const TlsContext> ClientContext(const std::string& ca_pem) {
  TlsContextOptions co;
  co.role = TlsRole::kClient;
  co.verify = VerifyMode::kRequired;
  co.ca_pem = ca_pem;
  return Context(co);
}

}  // namespace

TEST_SUITE("upstream") {
  TEST_CASE("https peer: verified handshake with SNI, keep-alive reuse") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      auto server = HttpsUpstream(l);
      ConnectionPool pool(l);
      auto peer = LoopbackPeer(server->port());
      peer.tls = ClientContext(Pki().server.cert_pem);
      peer.sni = "localhost";
      for (int i = 0; i < 2; ++i) {
        auto out = RunExchange(l, pool, peer, Get());
        REQUIRE_MESSAGE(out.ended, (out.error ? out.error->message : "no answer"));
        CHECK(out.body == "secret");
        CHECK(out.reused == (i == 1));
      }
      CHECK(pool.opened_count() == 1);
      REQUIRE(server->accepted.size() == 1);
      CHECK(server->last().transport->server_name() == "localhost");

      // Another SNI is another peer: a new connection.
      auto other = peer;
      other.sni = "127.0.0.1";
      auto out = RunExchange(l, pool, other, Get());
      REQUIRE(out.error.has_value());  // the certificate is for localhost only
      CHECK(out.error->kind == UpstreamErrorKind::kConnectFailed);
      CHECK(out.error->nothing_sent);
    }
    l.RunOnce();
  }

  TEST_CASE("https peer: an untrusted certificate fails the connect") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      auto server = HttpsUpstream(l);
      ConnectionPool pool(l);
      auto peer = LoopbackPeer(server->port());
      peer.tls = ClientContext(Pki().other_ca.cert_pem);
      peer.sni = "localhost";
      auto out = RunExchange(l, pool, peer, Get());
      REQUIRE(out.error.has_value());
      CHECK(out.error->kind == UpstreamErrorKind::kConnectFailed);
      CHECK(out.error->nothing_sent);
      CHECK(out.error->message.find("SSL handshake") != std::string::npos);
      CHECK(pool.idle_count() == 0);
    }
    l.RunOnce();
  }
}
