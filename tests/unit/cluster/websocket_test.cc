// Tests for WebSocket framing over real loopback TCP: messages, ping/pong, close, limits.
#include <memory>
#include <string>
#include <vector>

#include "cluster/websocket.h"
#include "net/listener.h"
#include "support/test_support.h"
#include "unit/net/loopback_peer.h"

using kong::EventLoop;
using kong::Status;
using kong::StatusCode;
using kong::cluster::WebSocket;
using kong::cluster::WebSocketCallbacks;
using kong::cluster::WebSocketOptions;
using kong::cluster::WebSocketRole;
using kong::net::Transport;
using kong::test::LoopbackPeer;
using kong::test::WaitUntil;

namespace {

// What one endpoint observed.
struct Seen {
  std::vector<std::pair<bool, std::string>> messages;
  std::vector<std::string> pings;
  std::vector<std::string> pongs;
  bool closed = false;
  Status close_status;
};

WebSocketCallbacks Recorder(Seen& seen) {
  WebSocketCallbacks cb;
  cb.on_message = [&seen](bool binary, std::string_view p) { seen.messages.emplace_back(binary, p); };
  cb.on_ping = [&seen](std::string_view p) { seen.pings.emplace_back(p); };
  cb.on_pong = [&seen](std::string_view p) { seen.pongs.emplace_back(p); };
  cb.on_closed = [&seen](const Status& s) {
    seen.closed = true;
    seen.close_status = s;
  };
  return cb;
}

// A connected TCP pair: `server` is the accepted side, `client` the connecting one.
struct TcpPair {
  std::unique_ptr<kong::net::Listener> listener;
  std::unique_ptr<Transport> server;
  std::unique_ptr<LoopbackPeer> client;
};

TcpPair ConnectPair(EventLoop& loop) {
  TcpPair p;
  auto listener = kong::net::Listener::Create(loop, *kong::net::ParseListenSpec("127.0.0.1:0"),
                                              [&p](std::unique_ptr<Transport> t) { p.server = std::move(t); });
  REQUIRE_OK(listener.status());
  p.listener = std::move(listener).value();
  p.client = LoopbackPeer::Connect(loop, p.listener->bound_port());
  REQUIRE(p.client != nullptr);
  REQUIRE(WaitUntil(loop, [&] { return p.server != nullptr; }));
  return p;
}

std::unique_ptr<WebSocket> MakeSocket(std::unique_ptr<Transport> t, WebSocketRole role, Seen& seen,
                                      size_t max = 1 << 20, std::string buffered = {}) {
  WebSocketOptions options;
  options.role = role;
  options.max_message_size = max;
  auto ws = WebSocket::Create(std::move(t), std::move(buffered), options, Recorder(seen));
  REQUIRE_OK(ws.status());
  REQUIRE_OK((*ws)->Start());
  return std::move(ws).value();
}

}  // namespace

TEST_SUITE("cluster") {
  TEST_CASE("websocket exchanges messages, pings and a clean close over loopback") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      TcpPair p = ConnectPair(l);
      Seen server_seen, client_seen;
      auto server = MakeSocket(std::move(p.server), WebSocketRole::kServer, server_seen);
      auto client = MakeSocket(std::move(p.client->transport), WebSocketRole::kClient, client_seen);

      std::string big(300 * 1024, 'z');  // spans many TCP reads
      CHECK_OK(client->SendText(R"({"type":"basic_info","plugins":[]})"));
      CHECK_OK(client->SendBinary(big));
      CHECK_OK(client->SendPing(std::string(32, '0')));
      REQUIRE(WaitUntil(l, [&] { return server_seen.pings.size() == 1 && client_seen.pongs.size() == 1; }));
      REQUIRE(server_seen.messages.size() == 2);
      CHECK_FALSE(server_seen.messages[0].first);
      CHECK(server_seen.messages[0].second == R"({"type":"basic_info","plugins":[]})");
      CHECK(server_seen.messages[1].first);
      CHECK(server_seen.messages[1].second == big);
      CHECK(server_seen.pings[0] == std::string(32, '0'));
      CHECK(client_seen.pongs[0] == std::string(32, '0'));  // wslay echoes the ping payload

      CHECK_OK(server->SendBinary("reconfigure"));
      REQUIRE(WaitUntil(l, [&] { return client_seen.messages.size() == 1; }));
      CHECK(client_seen.messages[0] == std::make_pair(true, std::string("reconfigure")));

      CHECK(client->SendPing(std::string(126, 'x')).code() == StatusCode::kInvalidArgument);

      CHECK_OK(client->Close(1000, "bye"));
      REQUIRE(WaitUntil(l, [&] { return server_seen.closed && client_seen.closed; }));
      CHECK_OK(server_seen.close_status);
      CHECK_OK(client_seen.close_status);
      CHECK(server->SendBinary("late").code() == StatusCode::kProtocol);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("websocket consumes bytes buffered past the upgrade head first") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      TcpPair p = ConnectPair(l);
      Seen seen;
      // A masked client text frame "hi" with a zero mask key.
      const std::string frame("\x81\x82\x00\x00\x00\x00hi", 8);
      auto server = MakeSocket(std::move(p.server), WebSocketRole::kServer, seen, 1 << 20, frame);
      REQUIRE(seen.messages.size() == 1);
      CHECK(seen.messages[0] == std::make_pair(false, std::string("hi")));
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("websocket refuses messages over the size limit with payload too big") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      TcpPair p = ConnectPair(l);
      Seen server_seen, client_seen;
      auto server = MakeSocket(std::move(p.server), WebSocketRole::kServer, server_seen, 1000);
      auto client = MakeSocket(std::move(p.client->transport), WebSocketRole::kClient, client_seen);
      CHECK_OK(client->SendBinary(std::string(1000, 'a')));  // exactly the limit: accepted
      CHECK_OK(client->SendBinary(std::string(1001, 'b')));
      REQUIRE(WaitUntil(l, [&] { return server_seen.closed && client_seen.closed; }));
      REQUIRE(server_seen.messages.size() == 1);
      CHECK(server_seen.messages[0].second.size() == 1000);
      CHECK(server_seen.close_status.code() == StatusCode::kInvalidArgument);
      CHECK(server_seen.close_status.message() == "payload too big");
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("websocket reports a peer that vanishes and an unmasked client frame") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      TcpPair p = ConnectPair(l);
      Seen seen;
      auto server = MakeSocket(std::move(p.server), WebSocketRole::kServer, seen);
      p.client->transport->Close();
      REQUIRE(WaitUntil(l, [&] { return seen.closed; }));
      CHECK(seen.close_status.code() == StatusCode::kUnavailable);
    }
    {
      TcpPair p = ConnectPair(l);
      Seen seen;
      auto server = MakeSocket(std::move(p.server), WebSocketRole::kServer, seen);
      p.client->Send(std::string("\x82\x02hi", 4));  // clients must mask (RFC 6455 §5.1)
      // The server answers with close 1002 (protocol error), then lingers for our FIN.
      REQUIRE(WaitUntil(l, [&] { return p.client->received.size() >= 4; }));
      CHECK(p.client->received.substr(0, 4) == std::string("\x88\x02\x03\xea", 4));
      CHECK_FALSE(seen.closed);
      p.client->transport->Close();
      REQUIRE(WaitUntil(l, [&] { return seen.closed; }));
      CHECK(seen.messages.empty());
      CHECK(seen.close_status.code() == StatusCode::kProtocol);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
