// Tests for TcpTransport (backpressure, graceful shutdown, errors, early destruction) and Timer.
#include <string>

#include "net/listener.h"
#include "net/tcp_transport.h"
#include "net/timer.h"
#include "support/test_support.h"
#include "unit/net/loopback_peer.h"

using kong::EventLoop;
using kong::net::Transport;
using kong::test::LoopbackPeer;
using kong::test::WaitUntil;

namespace {

// A connected pair over loopback: `server` is the accepted side, without callbacks yet.
struct Pair {
  std::unique_ptr<kong::net::Listener> listener;
  std::unique_ptr<Transport> server;
  std::unique_ptr<LoopbackPeer> client;
};

Pair Connect(EventLoop& loop) {
  Pair p;
  auto spec = kong::net::ParseListenSpec("127.0.0.1:0");
  auto listener = kong::net::Listener::Create(
      loop, *spec, [&p](std::unique_ptr<Transport> t) { p.server = std::move(t); });
  REQUIRE_OK(listener.status());
  p.listener = std::move(listener).value();
  p.client = LoopbackPeer::Connect(loop, p.listener->bound_port());
  REQUIRE(p.client != nullptr);
  REQUIRE(WaitUntil(loop, [&] { return p.server != nullptr; }));
  return p;
}

}  // namespace

TEST_SUITE("net") {
  TEST_CASE("write watermarks signal high and low as the peer stops and resumes reading") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      Pair p = Connect(l);
      Transport& writer = *p.client->transport;
      int highs = 0, lows = 0;
      kong::net::TransportCallbacks cb;
      cb.on_write_high = [&] { ++highs; };
      cb.on_write_low = [&] { ++lows; };
      writer.SetCallbacks(std::move(cb));
      writer.SetWriteWatermarks(16 * 1024, 256 * 1024);

      // The server side does not read: kernel buffers fill, then libuv's queue grows.
      const std::string chunk(256 * 1024, 'x');
      size_t sent = 0;
      for (int i = 0; i < 512 && highs == 0; ++i) {
        CHECK_OK(writer.Write(chunk));
        sent += chunk.size();
        l.RunOnce();
      }
      REQUIRE(highs == 1);
      CHECK(writer.write_queue_size() > 256 * 1024);
      CHECK(lows == 0);

      size_t got = 0;
      kong::net::TransportCallbacks reader;
      reader.on_data = [&](std::string_view d) { got += d.size(); };
      p.server->SetCallbacks(std::move(reader));
      CHECK_OK(p.server->StartReading());
      CHECK(WaitUntil(
          l, [&] { return got == sent; }, 20000));
      CHECK(lows == 1);
      CHECK(highs == 1);
      CHECK(writer.write_queue_size() == 0);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("Shutdown flushes queued bytes, sends FIN, and closes when the peer does") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      Pair p = Connect(l);
      bool server_closed = false;
      kong::net::TransportCallbacks cb;
      cb.on_closed = [&] { server_closed = true; };
      p.server->SetCallbacks(std::move(cb));
      const std::string big(4 * 1024 * 1024, 'y');
      CHECK_OK(p.server->Write(big));
      p.server->Shutdown();
      CHECK(p.server->closing());
      kong::Status late = p.server->Write("late");
      CHECK(late.code() == kong::StatusCode::kUnavailable);
      CHECK(late.message() == "write to " + p.server->peer_address() + ": transport is closing");

      CHECK(WaitUntil(
          l, [&] { return p.client->eof; }, 20000));
      CHECK(p.client->received == big);
      CHECK_FALSE(server_closed);  // lingering: waits for the client
      p.client->Send("ignored while lingering");
      p.client->transport->Close();
      CHECK(WaitUntil(l, [&] { return server_closed && p.client->closed; }));
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("lingering ends after its timeout when the peer keeps the connection open") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      Pair p = Connect(l);
      bool server_closed = false;
      kong::net::TransportCallbacks cb;
      cb.on_closed = [&] { server_closed = true; };
      p.server->SetCallbacks(std::move(cb));
      CHECK_OK(p.server->Write("bye"));
      p.server->Shutdown(30);
      CHECK(WaitUntil(l, [&] { return server_closed; }));
      CHECK(p.client->received == "bye");
      CHECK(p.client->eof);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("a reset peer gives on_error naming the peer, then on_closed") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      Pair p = Connect(l);
      kong::Status error;
      bool closed = false;
      kong::net::TransportCallbacks cb;
      cb.on_error = [&](const kong::Status& s) { error = s; };
      cb.on_closed = [&] { closed = true; };
      p.server->SetCallbacks(std::move(cb));
      CHECK_OK(p.server->StartReading());
      std::string peer = p.server->peer_address();
      p.client->Reset();
      CHECK(WaitUntil(l, [&] { return closed; }));
      CHECK(error.message() == "read from " + peer + ": connection reset by peer");
      CHECK(p.server->closing());
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("destroying a transport inside its callback or with queued writes is safe") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      Pair p = Connect(l);
      int calls = 0;
      kong::net::TransportCallbacks cb;
      cb.on_data = [&](std::string_view) {
        ++calls;
        p.server.reset();  // no callback may follow
      };
      cb.on_closed = [&] { ++calls; };
      p.server->SetCallbacks(std::move(cb));
      CHECK_OK(p.server->StartReading());
      p.client->Send("one");
      CHECK(WaitUntil(l, [&] { return p.client->eof || p.client->error; }));
      CHECK(calls == 1);

      Pair q = Connect(l);
      CHECK_OK(q.server->Write(std::string(8 * 1024 * 1024, 'z')));
      q.server.reset();  // pending writes are cancelled and their buffers freed
      CHECK(WaitUntil(
          l, [&] { return q.client->eof || q.client->error; }, 20000));
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("Timer fires once, restarts, stops, and closes with a callback") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      kong::net::Timer timer(l);
      int fired = 0;
      timer.Start(1, [&] { fired += 1; });
      timer.Start(1, [&] { fired += 10; });  // replaces the first
      CHECK(timer.active());
      CHECK(WaitUntil(l, [&] { return fired != 0; }));
      CHECK(fired == 10);
      CHECK_FALSE(timer.active());

      timer.Start(1, [&] { fired += 100; });
      timer.Stop();
      kong::net::Timer probe(l);
      bool probe_fired = false;
      probe.Start(5, [&] { probe_fired = true; });
      CHECK(WaitUntil(l, [&] { return probe_fired; }));
      CHECK(fired == 10);

      {
        kong::net::Timer dropped(l);
        dropped.Start(1, [&] { FAIL("a destroyed timer must not fire"); });
      }
      bool closed = false;
      timer.Close([&] { closed = true; });
      timer.Close([&] { FAIL("Close is idempotent"); });
      CHECK(WaitUntil(l, [&] { return closed; }));
      timer.Start(1, [&] { FAIL("a closed timer does not start"); });
      probe.Start(5, [&] { probe_fired = false; });
      CHECK(WaitUntil(l, [&] { return !probe_fired; }));
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
