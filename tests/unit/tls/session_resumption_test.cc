// Session resumption: a DP reconnecting to its CP skips the ECDHE/ECDSA work.
#include <string>

#include "tls/cluster_trust.h"
#include "unit/net/loopback_peer.h"
#include "unit/tls/test_certs.h"
#include "unit/tls/tls_loopback.h"

using kong::EventLoop;
using kong::test::ConnectTls;
using kong::test::Pki;
using kong::test::TlsEndpoint;
using kong::test::TlsServer;
using kong::test::WaitSettled;
using kong::test::WaitUntil;
using kong::tls::ClusterMtlsMode;
using kong::tls::ClusterTlsSettings;
using kong::tls::ClusterTrust;
using kong::tls::TlsContext;
using kong::tls::TlsContextOptions;
using kong::tls::TlsTransportOptions;

namespace {

std::shared_ptr<const TlsContext> Context(TlsContextOptions o) {
  auto ctx = TlsContext::Create(std::move(o));
  REQUIRE_OK(ctx.status());
  return *ctx;
}

ClusterTrust SharedTrust() {
  ClusterTlsSettings s;
  s.cert_pem = Pki().shared.cert_pem;
  s.key_pem = Pki().shared.key_pem;
  auto trust = ClusterTrust::Create(s);
  REQUIRE_OK(trust.status());
  return std::move(trust).value();
}

// Connects, waits for both handshakes, then closes the client and waits until it is gone.
std::unique_ptr<TlsEndpoint> ConnectOnce(EventLoop& l, TlsServer& server,
                                         std::shared_ptr<const TlsContext> ctx,
                                         const std::string& session_key) {
  TlsTransportOptions o;
  o.session_key = session_key;
  size_t before = server.accepted.size();
  auto client = ConnectTls(l, server.port(), std::move(ctx), o);
  REQUIRE(client != nullptr);
  REQUIRE(WaitUntil(l, [&] {
    return client->settled() && server.accepted.size() > before && server.last().settled();
  }));
  REQUIRE_MESSAGE(client->handshakes == 1, client->error.ToString());
  REQUIRE(server.last().handshakes == 1);
  return client;
}

void CloseAndWait(EventLoop& l, TlsEndpoint& ep) {
  ep.transport->Close();
  CHECK(WaitUntil(l, [&] { return ep.closed; }));
}

}  // namespace

TEST_SUITE("tls") {
  TEST_CASE("a reconnecting client resumes its session; the peer certificate is kept") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      ClusterTrust trust = SharedTrust();
      TlsContextOptions so = trust.ServerOptions();
      SUBCASE("with session tickets") {}
      SUBCASE("with the server's session cache only") { so.session_tickets = false; }
      auto server = TlsServer::Listen(l, Context(so));
      auto client_ctx = Context(trust.ClientOptions());
      const std::string key = "127.0.0.1:" + std::to_string(server->port());

      auto first = ConnectOnce(l, *server, client_ctx, key);
      CHECK_FALSE(first->transport->session_resumed());
      CHECK_FALSE(server->last().transport->session_resumed());
      CHECK(client_ctx->remembered_sessions() == 1);
      CloseAndWait(l, *first);

      auto second = ConnectOnce(l, *server, client_ctx, key);
      CHECK(second->transport->session_resumed());
      auto& cp_side = *server->last().transport;
      CHECK(cp_side.session_resumed());
      // The cluster check still sees the DP's certificate, restored from the session.
      CHECK(cp_side.PeerCertificateSha256Hex() == trust.own_certificate().sha256_hex);
      CHECK_OK(trust.CheckDataPlane(cp_side));
      CHECK_OK(trust.CheckControlPlane(*second->transport));
      CHECK(second->transport->cipher_suite() == first->transport->cipher_suite());
      // And the resumed session carries data.
      CHECK_OK(second->transport->Write("after resumption"));
      CHECK(WaitUntil(l, [&] { return server->last().received == "after resumption"; }));
      CloseAndWait(l, *second);

      // Another key (another CP) does not resume.
      auto other = ConnectOnce(l, *server, client_ctx, "cp2.example:8005");
      CHECK_FALSE(other->transport->session_resumed());
      CloseAndWait(l, *other);
      // No key: no resumption either.
      auto keyless = ConnectOnce(l, *server, client_ctx, "");
      CHECK_FALSE(keyless->transport->session_resumed());
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("a server that forgot the session falls back to a full handshake") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      ClusterTrust trust = SharedTrust();
      auto client_ctx = Context(trust.ClientOptions());
      std::string key;
      {
        auto server = TlsServer::Listen(l, Context(trust.ServerOptions()));
        key = "127.0.0.1:" + std::to_string(server->port());
        auto first = ConnectOnce(l, *server, client_ctx, key);
        CloseAndWait(l, *first);
      }
      // A restarted CP: new ticket keys, empty cache (same key, as after a restart).
      auto server = TlsServer::Listen(l, Context(trust.ServerOptions()));
      auto again = ConnectOnce(l, *server, client_ctx, key);
      CHECK_FALSE(again->transport->session_resumed());
      CHECK_OK(trust.CheckDataPlane(*server->last().transport));
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
