// TlsTransport over real loopback sockets: echo, backpressure, shutdown, refusals, SNI/ALPN.
#include "tls/tls_transport.h"

#include <string>

#include "unit/net/loopback_peer.h"
#include "unit/tls/test_certs.h"
#include "unit/tls/tls_loopback.h"

using kong::EventLoop;
using kong::StatusCode;
using kong::test::ConnectTls;
using kong::test::Pki;
using kong::test::TlsEndpoint;
using kong::test::TlsServer;
using kong::test::WaitSettled;
using kong::test::WaitUntil;
using kong::tls::TlsContext;
using kong::tls::TlsContextOptions;
using kong::tls::TlsRole;
using kong::tls::TlsTransportOptions;
using kong::tls::VerifyMode;

namespace {

std::shared_ptr<const TlsContext> ServerContext(TlsContextOptions o = {}) {
  o.role = TlsRole::kServer;
  o.cert_chain_pem = Pki().server.cert_pem;
  o.key_pem = Pki().server.key_pem;
  o.verify = VerifyMode::kNone;
  auto ctx = TlsContext::Create(std::move(o));
  REQUIRE_OK(ctx.status());
  return *ctx;
}

std::shared_ptr<const TlsContext> ClientContext(TlsContextOptions o = {}) {
  o.role = TlsRole::kClient;
  if (o.ca_pem.empty()) o.ca_pem = Pki().server.cert_pem;
  o.server_name = "localhost";
  auto ctx = TlsContext::Create(std::move(o));
  REQUIRE_OK(ctx.status());
  return *ctx;
}

// Bytes whose position can be checked: a wrong order or a lost record shows.
std::string Pattern(size_t offset, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((offset + i) * 131 % 251);
  return s;
}

void Echo(TlsEndpoint& ep) {
  ep.on_data = [&ep](std::string_view d) { CHECK_OK(ep.transport->Write(std::string(d))); };
}

}  // namespace

TEST_SUITE("tls") {
  TEST_CASE("handshake, then data echoed in both directions") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      auto server = TlsServer::Listen(l, ServerContext());
      server->configure = [](TlsEndpoint& ep) {
        Echo(ep);
        ep.on_handshake = [](kong::tls::TlsTransport& t) { CHECK_OK(t.Write("welcome")); };
      };
      auto client = ConnectTls(l, server->port(), ClientContext());
      REQUIRE(client != nullptr);
      REQUIRE(WaitSettled(l, *server, *client));
      REQUIRE_MESSAGE(client->handshakes == 1, client->error.ToString());
      CHECK(server->last().handshakes == 1);

      auto& t = *client->transport;
      CHECK(t.cipher_suite() == "TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384");
      CHECK_FALSE(t.session_resumed());
      CHECK(t.PeerSubjectCn() == "localhost");
      CHECK(t.PeerCertificateSha256Hex().size() == 64);
      CHECK(t.peer_verify_flags() == 0);
      CHECK(server->last().transport->server_name() == "localhost");  // SNI reached the server
      CHECK_FALSE(server->last().transport->peer_certificate().present());

      CHECK(WaitUntil(l, [&] { return client->received == "welcome"; }));
      CHECK_OK(t.Write("ping over tls"));
      CHECK(WaitUntil(l, [&] { return client->received == "welcomeping over tls"; }));
      CHECK(server->last().received == "ping over tls");
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("writes queued before the handshake are sent after it") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      auto server = TlsServer::Listen(l, ServerContext());
      std::unique_ptr<kong::net::Transport> raw;
      auto attempt = kong::net::ConnectAttempt::Start(
          l, "127.0.0.1", server->port(), {},
          [&](kong::Result<std::unique_ptr<kong::net::Transport>> r) {
            if (r.ok()) raw = std::move(r).value();
          });
      REQUIRE(WaitUntil(l, [&] { return raw != nullptr; }));
      auto t = kong::tls::TlsTransport::Create(ClientContext(), std::move(raw), {});
      REQUIRE_OK(t.status());
      CHECK_OK((*t)->Write("early "));
      CHECK_OK((*t)->Write("bytes"));
      CHECK((*t)->write_queue_size() == 11);
      CHECK(WaitUntil(l, [&] {
        return !server->accepted.empty() && server->last().received == "early bytes";
      }));
      CHECK((*t)->handshake_complete());
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("several megabytes with backpressure: encryption pauses while the socket is full") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      auto server = TlsServer::Listen(l, ServerContext());
      auto client = ConnectTls(l, server->port(), ClientContext());
      REQUIRE(client != nullptr);
      REQUIRE(WaitSettled(l, *server, *client));
      REQUIRE(client->handshakes == 1);
      TlsEndpoint& receiver = server->last();
      receiver.transport->StopReading();

      auto& t = *client->transport;
      constexpr size_t kLow = 64 * 1024, kHigh = 256 * 1024;
      t.SetWriteWatermarks(kLow, kHigh);
      int highs = 0, lows = 0;
      kong::net::TransportCallbacks cb;
      cb.on_write_high = [&] { ++highs; };
      cb.on_write_low = [&] { ++lows; };
      t.SetCallbacks(std::move(cb));

      // The peer reads nothing: kernel buffers fill, then our queue grows past the mark.
      constexpr size_t kChunk = 256 * 1024;
      size_t sent = 0;
      for (int i = 0; i < 512 && highs == 0; ++i) {
        CHECK_OK(t.Write(Pattern(sent, kChunk)));
        sent += kChunk;
        l.RunOnce();
      }
      REQUIRE(highs == 1);
      CHECK(lows == 0);
      // Four more megabytes stay plaintext: encryption pauses while the inner queue is above
      // the high-water mark (plus at most one batch of four records).
      for (int i = 0; i < 16; ++i) {
        CHECK_OK(t.Write(Pattern(sent, kChunk)));
        sent += kChunk;
      }
      CHECK(client->inner->write_queue_size() <= kHigh + 4 * 17 * 1024);
      CHECK(t.write_queue_size() >= 4 * 1024 * 1024);
      CHECK(highs == 1);
      const size_t kTotal = sent;

      std::string got;
      receiver.on_data = [&](std::string_view d) { got.append(d); };
      receiver.received.clear();
      CHECK_OK(receiver.transport->StartReading());
      CHECK(WaitUntil(
          l, [&] { return got.size() >= kTotal; }, 30000));
      REQUIRE(got.size() == kTotal);
      CHECK(got == Pattern(0, kTotal));
      CHECK(WaitUntil(l, [&] { return lows == 1; }));
      CHECK(t.write_queue_size() == 0);
      CHECK(highs == 1);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("Shutdown flushes, sends close_notify, and the peer sees the end of the stream") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      auto server = TlsServer::Listen(l, ServerContext());
      server->configure = [](TlsEndpoint& ep) {
        ep.on_eof = [&ep] {
          CHECK_OK(ep.transport->Write("reply after eof"));
          ep.transport->Shutdown(1000);
        };
      };
      auto client = ConnectTls(l, server->port(), ClientContext());
      REQUIRE(client != nullptr);
      REQUIRE(WaitSettled(l, *server, *client));
      // Queue more than one socket buffer so that Shutdown has to wait for the flush.
      std::string big = Pattern(0, 3 * 1024 * 1024);
      CHECK_OK(client->transport->Write(big));
      client->transport->Shutdown(1000);
      CHECK(client->transport->closing());
      auto w = client->transport->Write("too late");
      CHECK(w.code() == StatusCode::kUnavailable);

      CHECK(WaitUntil(
          l, [&] { return server->last().eof; }, 20000));
      CHECK(server->last().received == big);
      CHECK_FALSE(server->last().failed);
      CHECK(WaitUntil(
          l, [&] { return client->closed && server->last().closed; }, 20000));
      CHECK_FALSE(client->failed);
      // After our close_notify the reader side stops: the reply is not delivered.
      CHECK(client->received.empty());
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("Close is immediate and on_closed follows once") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      auto server = TlsServer::Listen(l, ServerContext());
      auto client = ConnectTls(l, server->port(), ClientContext());
      REQUIRE(client != nullptr);
      REQUIRE(WaitSettled(l, *server, *client));
      client->transport->Close();
      client->transport->Close();
      CHECK(client->transport->closing());
      CHECK(WaitUntil(l, [&] { return client->closed; }));
      // The server sees a TCP EOF without close_notify: end of stream, not an error.
      CHECK(WaitUntil(l, [&] { return server->last().eof; }));
      CHECK_FALSE(server->last().failed);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("a plain HTTP client talking to a TLS server is refused without harm") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      auto server = TlsServer::Listen(l, ServerContext());
      auto peer = kong::test::LoopbackPeer::Connect(l, server->port());
      REQUIRE(peer != nullptr);
      peer->Send("GET /v1/outlet HTTP/1.1\r\nHost: localhost\r\n\r\n");
      REQUIRE(WaitUntil(l, [&] { return !server->accepted.empty() && server->last().failed; }));
      TlsEndpoint& ep = server->last();
      CHECK(ep.error.code() == StatusCode::kTls);
      CHECK(ep.error.message().find("tls handshake with 127.0.0.1:") == 0);
      CHECK(ep.handshakes == 0);
      CHECK(ep.received.empty());
      CHECK(WaitUntil(l, [&] { return peer->eof || peer->error; }));
      CHECK(WaitUntil(l, [&] { return ep.closed; }));
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("a client that never speaks fails the handshake deadline") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      TlsTransportOptions opts;
      opts.handshake_timeout_ms = 50;
      auto server = TlsServer::Listen(l, ServerContext(), opts);
      auto peer = kong::test::LoopbackPeer::Connect(l, server->port());
      REQUIRE(peer != nullptr);
      REQUIRE(WaitUntil(l, [&] { return !server->accepted.empty() && server->last().failed; }));
      CHECK(server->last().error.message().find("timed out after 50 ms") != std::string::npos);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("SNI chooses the server certificate and ALPN agrees on a protocol") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      auto other = kong::test::MakeTestCert({.common_name = "b.example"});
      REQUIRE_OK(other.status());
      auto b_cert = kong::tls::TlsCertificate::Parse(other->cert_pem, other->key_pem);
      REQUIRE_OK(b_cert.status());
      std::vector<std::string> asked;
      TlsContextOptions so;
      so.alpn = {"http/1.1"};
      so.sni = [&](std::string_view name) -> std::shared_ptr<const kong::tls::TlsCertificate> {
        asked.emplace_back(name);
        return name == "b.example" ? *b_cert : nullptr;
      };
      auto server = TlsServer::Listen(l, ServerContext(so));

      TlsContextOptions co;
      co.verify = VerifyMode::kRequired;
      co.ca_pem = Pki().server.cert_pem + other->cert_pem;
      co.alpn = {"h2", "http/1.1"};
      auto client_ctx = ClientContext(co);

      TlsTransportOptions b;
      b.server_name = "b.example";
      auto client_b = ConnectTls(l, server->port(), client_ctx, b);
      REQUIRE(client_b != nullptr);
      REQUIRE(WaitSettled(l, *server, *client_b));
      REQUIRE_MESSAGE(client_b->handshakes == 1, client_b->error.ToString());
      CHECK(client_b->transport->PeerSubjectCn() == "b.example");
      CHECK(client_b->transport->alpn_protocol() == "http/1.1");
      CHECK(server->last().transport->alpn_protocol() == "http/1.1");
      CHECK(server->last().transport->server_name() == "b.example");

      auto client_default = ConnectTls(l, server->port(), client_ctx);  // SNI "localhost"
      REQUIRE(client_default != nullptr);
      REQUIRE(WaitSettled(l, *server, *client_default));
      REQUIRE(client_default->handshakes == 1);
      CHECK(client_default->transport->PeerSubjectCn() == "localhost");
      CHECK(asked == std::vector<std::string>{"b.example", "localhost"});
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("the owner may destroy the transport from its callbacks") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      auto server = TlsServer::Listen(l, ServerContext());
      server->configure = [](TlsEndpoint& ep) {
        ep.on_data = [&ep](std::string_view) { ep.transport.reset(); };
      };
      auto client = ConnectTls(l, server->port(), ClientContext(), {}, [](TlsEndpoint& ep) {
        ep.on_handshake = [&ep](kong::tls::TlsTransport& t) {
          CHECK_OK(t.Write(std::string(100000, 'z')));  // several records in one read
        };
      });
      REQUIRE(client != nullptr);
      REQUIRE(WaitUntil(
          l, [&] { return !server->accepted.empty() && server->last().transport == nullptr; }));
      CHECK(WaitUntil(l, [&] { return client->eof || client->failed; }));
      // And from on_handshake.
      auto doomed = ConnectTls(l, server->port(), ClientContext(), {}, [](TlsEndpoint& ep) {
        ep.on_handshake = [&ep](kong::tls::TlsTransport&) { ep.transport.reset(); };
      });
      REQUIRE(doomed != nullptr);
      CHECK(WaitUntil(l, [&] { return doomed->transport == nullptr; }));
      CHECK(doomed->handshakes == 1);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
