// The gateway streams: chunked uploads and downloads pass without being held whole, a slow
// client pauses the upstream, WebSocket tunnels, and TLS listeners route by SNI.
#include "net/connect.h"
#include "tls/tls_transport.h"
#include "unit/gateway/gateway_test_util.h"
#include "unit/tls/test_certs.h"

using kong::EventLoop;
using kong::gateway::test::Config;
using kong::gateway::test::GatewayFixture;
using kong::gateway::test::Route;
using kong::gateway::test::Service;
using kong::test::LoopbackPeer;
using kong::test::SplitResponses;
using kong::test::TestServer;
using kong::test::WaitUntil;

namespace {

constexpr size_t kChunk = 64 * 1024;

uint64_t Checksum(uint64_t sum, std::string_view data) {
  for (unsigned char c : data) sum = sum * 31 + c;
  return sum;
}

std::string Pattern(size_t i) { return std::string(kChunk, static_cast<char>('a' + i % 26)); }

}  // namespace

TEST_SUITE("gateway") {
  TEST_CASE("a chunked upload larger than any buffer streams through to the upstream") {
    GatewayFixture fx;
    kong::http::ServerOptions streaming;
    streaming.stream_request_body = true;
    streaming.max_body_size = 0;
    uint64_t got = 0, sum = 0;
    std::string te;
    TestServer up(fx.loop, streaming, [&](kong::http::Request& r, kong::http::ResponseWriter& w) {
      te = std::string(r.headers.Get("Transfer-Encoding").value_or(""));
      kong::http::RequestBodyCallbacks cb;
      cb.on_data = [&](std::string_view d) {
        got += d.size();
        sum = Checksum(sum, d);
      };
      cb.on_end = [&, w]() mutable { w.Send(kong::http::Response::Text(200, std::to_string(got))); };
      CHECK(w.ReadBody(std::move(cb)));
    });
    fx.Publish(Config({Service("s", up.port)}, {Route("r", "s", R"("paths":["/"])")}));
    auto peer = LoopbackPeer::Connect(fx.loop, fx.port);
    REQUIRE(peer != nullptr);
    peer->Send("POST /up HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n");
    constexpr size_t kChunks = 64;  // 4 MiB
    uint64_t expected = 0;
    for (size_t i = 0; i < kChunks; ++i) {
      std::string data = Pattern(i);
      expected = Checksum(expected, data);
      char size[32];
      snprintf(size, sizeof size, "%zx\r\n", data.size());
      peer->Send(size + data + "\r\n");
    }
    peer->Send("0\r\n\r\n");
    REQUIRE(WaitUntil(fx.loop, [&] { return SplitResponses(peer->received).size() == 1; }, 20000));
    auto r = SplitResponses(peer->received)[0];
    CHECK(r.status == 200);
    CHECK(r.body == std::to_string(kChunks * kChunk));
    CHECK(sum == expected);
    CHECK(te == "chunked");
    peer.reset();
    up.Close(fx.loop);
  }

  TEST_CASE("a streamed download; a slow client pauses the upstream read") {
    GatewayFixture fx;
    constexpr size_t kTotalChunks = 1024;  // 64 MiB offered
    size_t produced = 0;
    bool blocked_seen = false;
    uint64_t sent_sum = 0;
    std::function<void()> pump;
    std::optional<kong::http::ResponseWriter> writer;
    TestServer up(fx.loop, {}, [&](kong::http::Request& r, kong::http::ResponseWriter& w) {
      size_t limit = r.target == "/big" ? 64 : kTotalChunks;
      writer = w;
      w.SendHead(200, {});
      pump = [&, limit] {
        while (produced < limit) {
          if (writer->write_blocked()) {
            blocked_seen = true;
            writer->OnWritable([&] { pump(); });
            return;
          }
          std::string data = Pattern(produced++);
          sent_sum = Checksum(sent_sum, data);
          writer->SendChunk(data);
        }
        writer->Finish();
      };
      pump();
    });
    fx.Publish(Config({Service("s", up.port)}, {Route("r", "s", R"("paths":["/"])")}));
    SUBCASE("4 MiB chunked download arrives whole") {
      auto resp = fx.Get("/big");
      CHECK(resp.status == 200);
      CHECK(resp.body.size() == 64 * kChunk);
      CHECK(Checksum(0, resp.body) == sent_sum);
    }
    SUBCASE("a client that stops reading stops the upstream") {
      auto peer = LoopbackPeer::Connect(fx.loop, fx.port);
      REQUIRE(peer != nullptr);
      peer->Send("GET /huge HTTP/1.1\r\nHost: example.com\r\n\r\n");
      REQUIRE(WaitUntil(fx.loop, [&] { return !peer->received.empty(); }));
      peer->transport->StopReading();
      REQUIRE(WaitUntil(fx.loop, [&] { return blocked_seen; }, 20000));
      CHECK(produced < kTotalChunks);  // nothing read the whole body ahead of the client
      (void)peer->transport->StartReading();
      REQUIRE(WaitUntil(fx.loop, [&] { return produced == kTotalChunks && writer && !writer->pending(); }, 60000));
      auto r = SplitResponses(peer->received);
      REQUIRE(WaitUntil(fx.loop, [&] { return SplitResponses(peer->received).size() == 1; }, 60000));
      r = SplitResponses(peer->received);
      CHECK(r[0].body.size() == kTotalChunks * kChunk);
    }
    writer.reset();
    pump = nullptr;
    up.Close(fx.loop);
  }

  TEST_CASE("WebSocket: the Upgrade is proxied and bytes are piped both ways") {
    GatewayFixture fx;
    std::unique_ptr<kong::net::Transport> tunnel;
    std::string upgrade_seen;
    TestServer up(fx.loop, {}, [&](kong::http::Request& r, kong::http::ResponseWriter& w) {
      upgrade_seen = std::string(r.headers.Get("Upgrade").value_or(""));
      auto taken = w.TakeTransport();
      REQUIRE(taken.ok());
      tunnel = std::move(taken->transport);
      kong::net::TransportCallbacks cb;
      kong::net::Transport* t = tunnel.get();
      cb.on_data = [t](std::string_view d) { (void)t->Write("echo:" + std::string(d)); };
      cb.on_eof = [t] { t->Shutdown(0); };
      tunnel->SetCallbacks(std::move(cb));
      (void)tunnel->Write(
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
      (void)tunnel->StartReading();
    });
    fx.Publish(Config({Service("s", up.port)}, {Route("r", "s", R"("paths":["/ws"])")}));
    auto peer = LoopbackPeer::Connect(fx.loop, fx.port);
    REQUIRE(peer != nullptr);
    peer->Send(
        "GET /ws HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    REQUIRE(WaitUntil(fx.loop, [&] { return peer->received.find("\r\n\r\n") != std::string::npos; }));
    CHECK(peer->received.rfind("HTTP/1.1 101", 0) == 0);
    CHECK(upgrade_seen == "websocket");
    size_t head_end = peer->received.find("\r\n\r\n") + 4;
    peer->Send("hello");
    REQUIRE(WaitUntil(fx.loop, [&] { return peer->received.size() >= head_end + 10; }));
    CHECK(peer->received.substr(head_end) == "echo:hello");
    peer->transport->Shutdown(0);
    CHECK(WaitUntil(fx.loop, [&] { return peer->closed; }));
    tunnel.reset();
    up.Close(fx.loop);
  }

  TEST_CASE("TLS listener: routes by SNI with the snapshot's certificates") {
    const auto& pki = kong::test::Pki();
    auto named = kong::test::MakeTestCert({.common_name = "secure.test"});
    REQUIRE(named.ok());
    GatewayFixture fx(1, [&](kong::gateway::GatewayOptions& o) {
      o.listen[0] = *kong::net::ParseListenSpec("127.0.0.1:0 ssl");
      o.ssl_cert_pem = pki.server.cert_pem;
      o.ssl_key_pem = pki.server.key_pem;
    });
    kong::gateway::test::Upstream up(fx.loop, "a");
    auto flat = kong::json::Parse(Config(
        {Service("s", up.port())},
        {Route("bysni", "s", R"("snis":["secure.test"],"protocols":["https"])")}));
    REQUIRE(flat.ok());
    kong::json::Value cert = kong::json::Value::EmptyObject();
    cert.Set("id", "c1");
    cert.Set("cert", named->cert_pem);
    cert.Set("key", named->key_pem);
    flat->Set("certificates", kong::json::Value(kong::json::Array{cert}));
    auto sni = kong::json::Parse(R"({"id":"n1","name":"secure.test","certificate":{"id":"c1"}})");
    flat->Set("snis", kong::json::Value(kong::json::Array{*sni}));
    auto snap = fx.gateway->BuildSnapshot(*flat);
    REQUIRE_MESSAGE(snap.ok(), snap.status().ToString());
    fx.gateway->Publish(*snap);

    auto client_ctx = kong::tls::TlsContext::Create({.role = kong::tls::TlsRole::kClient,
                                                     .verify = kong::tls::VerifyMode::kNone});
    REQUIRE(client_ctx.ok());
    auto request = [&](const std::string& server_name, std::string* subject_cn) {
      std::unique_ptr<kong::net::Transport> tcp;
      bool done = false;
      auto attempt = kong::net::ConnectAttempt::Start(
          fx.loop, "127.0.0.1", fx.port, {}, [&](kong::Result<std::unique_ptr<kong::net::Transport>> r) {
            done = true;
            if (r.ok()) tcp = std::move(r).value();
          });
      REQUIRE(WaitUntil(fx.loop, [&] { return done; }));
      REQUIRE(tcp != nullptr);
      kong::tls::TlsTransportOptions to;
      to.server_name = server_name;
      to.on_handshake = [subject_cn](kong::tls::TlsTransport& t) { *subject_cn = t.PeerSubjectCn(); };
      auto tls = kong::tls::TlsTransport::Create(*client_ctx, std::move(tcp), std::move(to));
      REQUIRE(tls.ok());
      kong::http::HttpClient client(std::move(tls).value());
      std::optional<kong::Result<kong::http::ClientResponse>> got;
      kong::http::ClientRequest req;
      req.headers.Add("Host", "example.com");
      client.Send(std::move(req), [&](kong::Result<kong::http::ClientResponse> r) { got = std::move(r); });
      REQUIRE(WaitUntil(fx.loop, [&] { return got.has_value(); }));
      REQUIRE_MESSAGE(got->ok(), got->status().ToString());
      return (*got)->status;
    };
    std::string cn;
    CHECK(request("secure.test", &cn) == 200);
    CHECK(cn == "secure.test");
    CHECK(up.seen.back().headers.Get("X-Forwarded-Proto").value_or("") == "https");
    CHECK(request("other.test", &cn) == 404);
    CHECK(cn == "localhost");  // the listener's default certificate
    up.Close(fx.loop);
  }
}
