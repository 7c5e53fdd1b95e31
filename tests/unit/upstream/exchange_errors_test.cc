// UpstreamConnection failures and flow control: timeouts, refused connects, backpressure, 101.
#include "upstream/connection_pool.h"

#include "unit/upstream/upstream_test_util.h"

using kong::EventLoop;
using kong::test::Get;
using kong::test::NewLoop;
using kong::test::LoopbackPeer;
using kong::test::RawUpstream;
using kong::test::ReplyPerRequest;
using kong::test::RunExchange;
using kong::test::WaitUntil;
using kong::upstream::ConnectionPool;
using kong::upstream::ExchangeCallbacks;
using kong::upstream::UpstreamConnection;
using kong::upstream::UpstreamError;
using kong::upstream::UpstreamErrorKind;
using kong::upstream::UpstreamRequestHead;
using kong::upstream::UpstreamResponseHead;

namespace {

std::unique_ptr<UpstreamConnection> AcquireNow(EventLoop& loop, ConnectionPool& pool,
                                               const kong::upstream::Peer& peer) {
  std::unique_ptr<UpstreamConnection> conn;
  auto handle = pool.Acquire(peer, 2000, [&](auto c, auto*) { conn = std::move(c); });
  REQUIRE(WaitUntil(loop, [&] { return conn != nullptr; }));
  return conn;
}

}  // namespace

TEST_SUITE("upstream") {
  TEST_CASE("read timeout: a server that never answers") {
    auto loop = NewLoop();
    ConnectionPool pool(*loop);
    RawUpstream up(*loop, [](RawUpstream::Conn&) {});
    auto out = RunExchange(*loop, pool, LoopbackPeer(up.port()), Get(), {}, {60000, 30});
    REQUIRE(out.error.has_value());
    CHECK(out.error->kind == UpstreamErrorKind::kReadTimeout);
    CHECK(!out.error->nothing_sent);
    CHECK(out.error->message.find("timed out") != std::string::npos);
    CHECK(!up.conns.at(0)->in.empty());
  }

  TEST_CASE("write timeout: a server that never reads; the body raises on_write_high") {
    auto loop = NewLoop();
    ConnectionPool pool(*loop);
    RawUpstream up(*loop, nullptr, /*read_input=*/false);
    auto conn = AcquireNow(*loop, pool, LoopbackPeer(up.port()));
    std::optional<UpstreamError> error;
    bool high = false;
    ExchangeCallbacks cb;
    cb.on_error = [&](const UpstreamError& e) { error = e; };
    cb.on_write_high = [&] { high = true; };
    UpstreamRequestHead head = Get("/upload", "PUT");
    const size_t size = 64u << 20;  // far more than both sockets' buffers hold
    head.headers.Add("Content-Length", std::to_string(size));
    head.body = UpstreamRequestHead::Body::kContentLength;
    conn->Start(std::move(head), {50, 60000}, std::move(cb));
    conn->WriteBody(std::string(size, 'b'));
    CHECK(high);  // the transport's queue is far above its high-water mark at once
    REQUIRE(WaitUntil(*loop, [&] { return error.has_value(); }, 20000));
    CHECK(error->kind == UpstreamErrorKind::kWriteTimeout);
    CHECK(!error->nothing_sent);
  }

  TEST_CASE("refused connect: kConnectFailed, nothing sent") {
    auto loop = NewLoop();
    uint16_t port = 0;
    {
      RawUpstream closed(*loop, nullptr);
      port = closed.port();
    }
    loop->RunOnce();  // the listener's close callback
    ConnectionPool pool(*loop);
    auto out = RunExchange(*loop, pool, LoopbackPeer(port), Get());
    REQUIRE(out.error.has_value());
    CHECK(out.error->kind == UpstreamErrorKind::kConnectFailed);
    CHECK(out.error->nothing_sent);
    CHECK(out.error->message.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
    CHECK(pool.opened_count() == 0);
  }

  TEST_CASE("a cancelled Acquire never calls back") {
    auto loop = NewLoop();
    ConnectionPool pool(*loop);
    RawUpstream up(*loop, nullptr);
    bool called = false;
    auto handle = pool.Acquire(LoopbackPeer(up.port()), 1000, [&](auto, auto*) { called = true; });
    REQUIRE(handle != nullptr);
    handle.reset();
    CHECK(!WaitUntil(*loop, [&] { return called; }, 100));
  }

  TEST_CASE("a reused connection that the server resets before answering reports reused()") {
    auto loop = NewLoop();
    ConnectionPool pool(*loop);
    int requests = 0;
    RawUpstream up(*loop, [&](RawUpstream::Conn& c) {
      if (c.in.find("\r\n\r\n") == std::string::npos) return;
      c.in.clear();
      if (++requests == 1) {
        CHECK_OK(c.transport->Write("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nk"));
      } else {
        c.transport->Close();  // drops the second request unanswered
      }
    });
    auto peer = LoopbackPeer(up.port());
    REQUIRE(RunExchange(*loop, pool, peer, Get()).ended);
    auto out = RunExchange(*loop, pool, peer, Get());
    REQUIRE(out.error.has_value());
    CHECK(out.reused);
    CHECK(out.error->kind == UpstreamErrorKind::kReset);
    CHECK(!out.head.has_value());
  }

  TEST_CASE("PauseResponse stops on_body until ResumeResponse") {
    auto loop = NewLoop();
    ConnectionPool pool(*loop);
    RawUpstream up(*loop, ReplyPerRequest("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                          "1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n"));
    auto conn = AcquireNow(*loop, pool, LoopbackPeer(up.port()));
    std::string body;
    bool ended = false;
    ExchangeCallbacks cb;
    cb.on_body = [&](std::string_view d) {
      body.append(d);
      if (body == "a") conn->PauseResponse();
    };
    cb.on_end = [&] { ended = true; };
    conn->Start(Get(), {}, std::move(cb));
    REQUIRE(WaitUntil(*loop, [&] { return !body.empty(); }));
    // Every byte has arrived in one read, yet nothing more is delivered while paused.
    CHECK(!WaitUntil(*loop, [&] { return body.size() > 1 || ended; }, 100));
    CHECK(body == "a");
    conn->ResumeResponse();
    CHECK(body == "a");  // delivered from the loop, not inside ResumeResponse
    REQUIRE(WaitUntil(*loop, [&] { return ended; }));
    CHECK(body == "abc");
    pool.Release(std::move(conn));
    CHECK(pool.idle_count() == 1);
  }

  TEST_CASE("101 upgrade hands over the raw transport and the bytes past the head") {
    auto loop = NewLoop();
    ConnectionPool pool(*loop);
    RawUpstream up(*loop, [](RawUpstream::Conn& c) {
      if (c.in.starts_with("GET")) {
        c.in.clear();
        CHECK_OK(c.transport->Write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                    "Connection: Upgrade\r\n\r\nEARLY"));
      } else if (c.in == "ping") {
        CHECK_OK(c.transport->Write("pong"));
      }
    });
    auto conn = AcquireNow(*loop, pool, LoopbackPeer(up.port()));
    std::optional<kong::http::UpgradedTransport> upgraded;
    ExchangeCallbacks cb;
    cb.on_head = [&](UpstreamResponseHead h) {
      CHECK(h.status == 101);
      CHECK(h.upgrade);
      auto taken = conn->TakeTransport();
      REQUIRE_OK(taken.status());
      upgraded = std::move(taken).value();
    };
    cb.on_end = [] { FAIL("no on_end after an upgrade"); };
    UpstreamRequestHead head = Get("/ws");
    head.headers.Add("Connection", "Upgrade");
    head.headers.Add("Upgrade", "websocket");
    conn->Start(std::move(head), {}, std::move(cb));
    REQUIRE(WaitUntil(*loop, [&] { return upgraded.has_value(); }));
    conn.reset();  // the connection is finished; the transport lives on
    CHECK(upgraded->buffered == "EARLY");
    std::string received;
    kong::net::TransportCallbacks tcb;
    tcb.on_data = [&](std::string_view d) { received.append(d); };
    upgraded->transport->SetCallbacks(std::move(tcb));
    REQUIRE_OK(upgraded->transport->StartReading());
    REQUIRE_OK(upgraded->transport->Write("ping"));
    CHECK(WaitUntil(*loop, [&] { return received == "pong"; }));
    CHECK(pool.idle_count() == 0);
  }

  TEST_CASE("Abort drops the exchange without callbacks") {
    auto loop = NewLoop();
    ConnectionPool pool(*loop);
    RawUpstream up(*loop, [](RawUpstream::Conn&) {});
    auto conn = AcquireNow(*loop, pool, LoopbackPeer(up.port()));
    bool called = false;
    ExchangeCallbacks cb;
    cb.on_error = [&](const UpstreamError&) { called = true; };
    conn->Start(Get(), {60000, 20}, std::move(cb));
    conn->Abort();
    CHECK(WaitUntil(*loop, [&] { return up.conns.size() == 1 && up.conns[0]->eof; }));
    CHECK(!called);
  }
}
