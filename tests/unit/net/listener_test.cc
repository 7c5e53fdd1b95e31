// Tests for Listener and ConnectAttempt over real loopback sockets.
#include "net/listener.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "net/connect.h"
#include "support/test_support.h"
#include "unit/net/loopback_peer.h"

using kong::EventLoop;
using kong::net::Listener;
using kong::net::ListenSpec;
using kong::net::Transport;
using kong::test::LoopbackPeer;
using kong::test::WaitUntil;

namespace {

ListenSpec Loopback(uint16_t port = 0, bool reuseport = false) {
  auto spec = kong::net::ParseListenSpec("127.0.0.1:" + std::to_string(port) +
                                         (reuseport ? " reuseport" : ""));
  REQUIRE_OK(spec.status());
  return *spec;
}

// Accepted transports echo what they read and close when the peer does.
struct EchoServer {
  std::vector<std::unique_ptr<Transport>> conns;
  int closed = 0;

  Listener::AcceptCallback OnAccept() {
    return [this](std::unique_ptr<Transport> t) {
      Transport* raw = t.get();
      kong::net::TransportCallbacks cb;
      cb.on_data = [raw](std::string_view d) { CHECK_OK(raw->Write(std::string(d))); };
      cb.on_eof = [raw] { raw->Shutdown(); };
      cb.on_closed = [this] { ++closed; };
      raw->SetCallbacks(std::move(cb));
      CHECK_OK(raw->StartReading());
      conns.push_back(std::move(t));
    };
  }
};

}  // namespace

TEST_SUITE("net") {
  TEST_CASE("Listener accepts on port 0 and echoes over a connected transport") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      EchoServer echo;
      auto listener = Listener::Create(l, Loopback(), echo.OnAccept());
      REQUIRE_OK(listener.status());
      uint16_t port = (*listener)->bound_port();
      CHECK(port != 0);
      CHECK((*listener)->address() == "127.0.0.1:" + std::to_string(port));

      auto peer = LoopbackPeer::Connect(l, port);
      REQUIRE(peer != nullptr);
      CHECK(peer->transport->peer_address() == "127.0.0.1:" + std::to_string(port));
      peer->Send("hello ");
      peer->Send("world");
      CHECK(WaitUntil(l, [&] { return peer->received == "hello world"; }));
      REQUIRE(echo.conns.size() == 1);
      CHECK(echo.conns[0]->local_address() == "127.0.0.1:" + std::to_string(port));
      CHECK(echo.conns[0]->peer_address() == peer->transport->local_address());

      // Graceful end: our FIN makes the echo side shut down; both ends see a close.
      peer->transport->Shutdown();
      CHECK(WaitUntil(l, [&] { return peer->closed && echo.closed == 1; }));

      bool listener_closed = false;
      (*listener)->Close([&] { listener_closed = true; });
      (*listener)->Close([&] { FAIL("second Close must be ignored"); });
      CHECK(WaitUntil(l, [&] { return listener_closed; }));
      CHECK((*listener)->closed());
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("reuseport lets two listeners share a port; without it bind fails") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      EchoServer echo;
      auto first = Listener::Create(l, Loopback(0, true), echo.OnAccept());
      REQUIRE_OK(first.status());
      uint16_t port = (*first)->bound_port();
      auto second = Listener::Create(l, Loopback(port, true), echo.OnAccept());
      REQUIRE_OK(second.status());
      CHECK((*second)->bound_port() == port);

      auto third = Listener::Create(l, Loopback(port, false), echo.OnAccept());
      REQUIRE_FALSE(third.ok());
      CHECK(third.status().code() == kong::StatusCode::kConflict);
      CHECK(third.status().message() ==
            "bind 127.0.0.1:" + std::to_string(port) + ": address already in use");

      // Both still accept: connections to the shared port reach one of them and echo.
      auto a = LoopbackPeer::Connect(l, port);
      auto b = LoopbackPeer::Connect(l, port);
      REQUIRE(a != nullptr);
      REQUIRE(b != nullptr);
      a->Send("a");
      b->Send("b");
      CHECK(WaitUntil(l, [&] { return a->received == "a" && b->received == "b"; }));
      a->transport->Close();
      b->transport->Close();
      CHECK(WaitUntil(l, [&] { return a->closed && b->closed && echo.closed == 2; }));
    }  // listeners destroyed without Close(): their handles close by themselves
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("ConnectAttempt reports refused connections and resolves names") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      // A port that was just free: bind, learn it, close.
      uint16_t dead_port;
      {
        auto probe = Listener::Create(l, Loopback(), nullptr);
        REQUIRE_OK(probe.status());
        dead_port = (*probe)->bound_port();
      }
      kong::Status refused;
      bool done = false;
      auto attempt = kong::net::ConnectAttempt::Start(
          l, "127.0.0.1", dead_port, {}, [&](kong::Result<std::unique_ptr<Transport>> r) {
            done = true;
            refused = r.status();
          });
      CHECK_FALSE(done);  // never called inside Start
      CHECK(WaitUntil(l, [&] { return done; }));
      CHECK(refused.code() == kong::StatusCode::kUnavailable);
      CHECK(refused.message() ==
            "connect 127.0.0.1:" + std::to_string(dead_port) + ": connection refused");

      // "localhost" goes through uv_getaddrinfo; if it yields ::1 first (refused, nothing
      // listens there) the next address is tried.
      EchoServer echo;
      auto listener = Listener::Create(l, Loopback(), echo.OnAccept());
      REQUIRE_OK(listener.status());
      std::unique_ptr<Transport> connected;
      done = false;
      auto named =
          kong::net::ConnectAttempt::Start(l, "localhost", (*listener)->bound_port(), {},
                                           [&](kong::Result<std::unique_ptr<Transport>> r) {
                                             done = true;
                                             REQUIRE_OK(r.status());
                                             connected = std::move(r).value();
                                           });
      CHECK(WaitUntil(l, [&] { return done; }));
      REQUIRE(connected != nullptr);
      CHECK(connected->peer_address() == "127.0.0.1:" + std::to_string((*listener)->bound_port()));

      // A resolver without network may stall: the attempt's own deadline then answers.
      done = false;
      auto unknown =
          kong::net::ConnectAttempt::Start(l, "no-such-host.invalid", 80, {.timeout_ms = 10000},
                                           [&](kong::Result<std::unique_ptr<Transport>> r) {
                                             done = true;
                                             refused = r.status();
                                           });
      CHECK(WaitUntil(
          l, [&] { return done; }, 15000));
      CHECK_MESSAGE((refused.message().find("resolve no-such-host.invalid: ") == 0 ||
                     refused.message() == "connect no-such-host.invalid:80: connection timed out"),
                    refused.message());
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("ConnectAttempt times out against a listener whose queue is full") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    // A plain socket that listens with a zero backlog and never accepts: once its queue is full
    // the kernel drops further SYNs, so a connect stays pending.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 0) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    uint16_t port = ntohs(addr.sin_port);
    {
      std::vector<std::unique_ptr<kong::net::ConnectAttempt>> fillers;
      std::vector<std::unique_ptr<Transport>> filled;
      for (int i = 0; i < 4; ++i) {
        fillers.push_back(kong::net::ConnectAttempt::Start(
            l, "127.0.0.1", port, {}, [&](kong::Result<std::unique_ptr<Transport>> r) {
              if (r.ok()) filled.push_back(std::move(r).value());
            }));
      }
      kong::Status result;
      bool done = false;
      auto attempt =
          kong::net::ConnectAttempt::Start(l, "127.0.0.1", port, {.timeout_ms = 150},
                                           [&](kong::Result<std::unique_ptr<Transport>> r) {
                                             done = true;
                                             result = r.status();
                                             if (r.ok()) filled.push_back(std::move(r).value());
                                           });
      CHECK(WaitUntil(l, [&] { return done; }));
      // With a full queue the attempt cannot complete; fillers may still be pending.
      CHECK(result.message() ==
            "connect 127.0.0.1:" + std::to_string(port) + ": connection timed out");
    }  // pending fillers are cancelled by their destructors
    ::close(fd);
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
