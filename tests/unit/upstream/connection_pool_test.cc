// ConnectionPool over loopback: keep-alive reuse, response framing, pool limits.
#include "upstream/connection_pool.h"

#include "http/server.h"
#include "unit/http/http_test_util.h"
#include "unit/upstream/upstream_test_util.h"

using kong::EventLoop;
using kong::http::Request;
using kong::http::Response;
using kong::http::ResponseWriter;
using kong::test::Get;
using kong::test::NewLoop;
using kong::test::LoopbackPeer;
using kong::test::RawUpstream;
using kong::test::ReplyPerRequest;
using kong::test::RunExchange;
using kong::test::TestServer;
using kong::test::WaitUntil;
using kong::upstream::ConnectionPool;
using kong::upstream::PoolOptions;
using kong::upstream::UpstreamErrorKind;

TEST_SUITE("upstream") {
  TEST_CASE("keep-alive: sequential requests share one connection, LIFO from the idle list") {
    auto loop = NewLoop();
    {
      TestServer srv(*loop, {}, [](Request& r, ResponseWriter& w) {
        w.Send(Response::Text(200, "hello " + r.path));
      });
      ConnectionPool pool(*loop);
      auto peer = LoopbackPeer(srv.port);
      for (int i = 0; i < 3; ++i) {
        auto out = RunExchange(*loop, pool, peer, Get("/n" + std::to_string(i)));
        REQUIRE(out.ended);
        CHECK(out.head->status == 200);
        CHECK(out.body == "hello /n" + std::to_string(i));
        CHECK(out.head->content_length == static_cast<int64_t>(out.body.size()));
        CHECK(out.reused == (i > 0));
        CHECK(pool.idle_count() == 1);
      }
      CHECK(pool.opened_count() == 1);
    }
    loop->RunOnce();
  }

  TEST_CASE("response framing: content-length, chunked, close-delimited, HEAD, 204/304, 1xx") {
    auto loop = NewLoop();
    ConnectionPool pool(*loop);

    SUBCASE("content-length") {
      RawUpstream up(*loop,
                     ReplyPerRequest("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello"));
      auto out = RunExchange(*loop, pool, LoopbackPeer(up.port()), Get());
      REQUIRE(out.ended);
      CHECK(out.body == "hello");
      CHECK(out.head->content_length == 5);
      CHECK(out.head->headers.Get("x-a") == "b");
      CHECK(pool.idle_count() == 1);
      CHECK(up.conns.at(0)->in.empty());  // the request was consumed whole
    }
    SUBCASE("chunked: de-chunked, streamed") {
      RawUpstream up(*loop, ReplyPerRequest("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                            "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
      auto out = RunExchange(*loop, pool, LoopbackPeer(up.port()), Get());
      REQUIRE(out.ended);
      CHECK(out.body == "abcde");
      CHECK(out.body_calls == 2);
      CHECK(out.head->content_length == -1);
      CHECK(pool.idle_count() == 1);
    }
    SUBCASE("close-delimited: ends at EOF, not reused") {
      RawUpstream up(*loop, ReplyPerRequest("HTTP/1.1 200 OK\r\n\r\nuntil-eof", true));
      auto out = RunExchange(*loop, pool, LoopbackPeer(up.port()), Get());
      REQUIRE(out.ended);
      CHECK(out.body == "until-eof");
      CHECK(pool.idle_count() == 0);
    }
    SUBCASE("a body cut short by EOF is kBodyBroken") {
      RawUpstream up(*loop, ReplyPerRequest("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true));
      auto out = RunExchange(*loop, pool, LoopbackPeer(up.port()), Get());
      REQUIRE(out.error.has_value());
      CHECK(out.error->kind == UpstreamErrorKind::kBodyBroken);
      CHECK(out.head.has_value());
    }
    SUBCASE("HEAD: a length without a body, reusable") {
      RawUpstream up(*loop, ReplyPerRequest("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"));
      auto peer = LoopbackPeer(up.port());
      for (int i = 0; i < 2; ++i) {
        auto out = RunExchange(*loop, pool, peer, Get("/", "HEAD"));
        REQUIRE(out.ended);
        CHECK(out.head->content_length == 100);
        CHECK(out.body.empty());
      }
      CHECK(pool.opened_count() == 1);
    }
    SUBCASE("204 and 304 have no body even with a length") {
      RawUpstream up(*loop, [](RawUpstream::Conn& c) {
        if (c.in.find("/304") != std::string::npos) {
          CHECK_OK(c.transport->Write("HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n"));
        } else {
          CHECK_OK(c.transport->Write("HTTP/1.1 204 No Content\r\n\r\n"));
        }
        c.in.clear();
      });
      auto peer = LoopbackPeer(up.port());
      auto a = RunExchange(*loop, pool, peer, Get("/204"));
      REQUIRE(a.ended);
      CHECK(a.head->status == 204);
      auto b = RunExchange(*loop, pool, peer, Get("/304"));
      REQUIRE(b.ended);
      CHECK(b.head->status == 304);
      CHECK(b.body.empty());
      CHECK(pool.opened_count() == 1);
    }
    SUBCASE("interim 1xx responses are skipped") {
      RawUpstream up(*loop, ReplyPerRequest(
                                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                                "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"));
      auto out = RunExchange(*loop, pool, LoopbackPeer(up.port()), Get());
      REQUIRE(out.ended);
      CHECK(out.head->status == 201);
      CHECK(!out.head->headers.Has("Link"));
      CHECK(out.body == "ok");
    }
    SUBCASE("Connection: close and HTTP/1.0 responses are not reused") {
      RawUpstream up(*loop, [](RawUpstream::Conn& c) {
        bool old = c.in.find("/old") != std::string::npos;
        c.in.clear();
        CHECK_OK(c.transport->Write(old ? "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx"
                                        : "HTTP/1.1 200 OK\r\nConnection: close\r\n"
                                          "Content-Length: 1\r\n\r\ny"));
      });
      auto peer = LoopbackPeer(up.port());
      CHECK(RunExchange(*loop, pool, peer, Get("/close")).ended);
      CHECK(pool.idle_count() == 0);
      CHECK(RunExchange(*loop, pool, peer, Get("/old")).ended);
      CHECK(pool.idle_count() == 0);
      CHECK(pool.opened_count() == 2);
    }
    SUBCASE("an unparsable response is kBadResponse") {
      RawUpstream up(*loop, ReplyPerRequest("HTTP/1.1 2x0 Nope\r\n\r\n"));
      auto out = RunExchange(*loop, pool, LoopbackPeer(up.port()), Get());
      REQUIRE(out.error.has_value());
      CHECK(out.error->kind == UpstreamErrorKind::kBadResponse);
    }
  }

  TEST_CASE("request bodies: content-length as is, chunked encoded by the connection") {
    auto loop = NewLoop();
    ConnectionPool pool(*loop);
    std::string got;
    RawUpstream up(*loop, [&](RawUpstream::Conn& c) {
      got = c.in;
      bool complete = c.in.find("Transfer-Encoding") != std::string::npos
                          ? c.in.ends_with("0\r\n\r\n")
                          : c.in.ends_with("hello world");
      if (complete) CHECK_OK(c.transport->Write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    });
    auto peer = LoopbackPeer(up.port());

    SUBCASE("content-length") {
      auto head = Get("/cl", "POST");
      head.headers.Add("Content-Length", "11");
      head.body = kong::upstream::UpstreamRequestHead::Body::kContentLength;
      auto out = RunExchange(*loop, pool, peer, std::move(head), {"hello", " world"});
      REQUIRE(out.ended);
      CHECK(got == "POST /cl HTTP/1.1\r\nHost: upstream.test\r\nContent-Length: 11\r\n\r\n"
                   "hello world");
      CHECK(pool.idle_count() == 1);
    }
    SUBCASE("chunked, small and large pieces") {
      auto head = Get("/ch", "POST");
      head.headers.Add("Transfer-Encoding", "chunked");  // replaced by the connection's own
      head.body = kong::upstream::UpstreamRequestHead::Body::kChunked;
      std::string big(20000, 'z');
      auto out = RunExchange(*loop, pool, peer, std::move(head), {"hello", big, "!"});
      REQUIRE(out.ended);
      CHECK(got == "POST /ch HTTP/1.1\r\nHost: upstream.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "5\r\nhello\r\n4e20\r\n" + big + "\r\n1\r\n!\r\n0\r\n\r\n");
      CHECK(pool.idle_count() == 1);
    }
  }

  TEST_CASE("pool limits: max_requests, idle timeout, max_idle_per_peer") {
    auto loop = NewLoop();
    RawUpstream up(*loop, ReplyPerRequest("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nk"));
    auto peer = LoopbackPeer(up.port());

    SUBCASE("max_requests closes a connection after that many") {
      PoolOptions options;
      options.max_requests = 2;
      ConnectionPool pool(*loop, options);
      for (int i = 0; i < 5; ++i) REQUIRE(RunExchange(*loop, pool, peer, Get()).ended);
      CHECK(pool.opened_count() == 3);
    }
    SUBCASE("idle timeout closes idle connections") {
      PoolOptions options;
      options.idle_timeout_ms = 20;
      ConnectionPool pool(*loop, options);
      REQUIRE(RunExchange(*loop, pool, peer, Get()).ended);
      CHECK(pool.idle_count() == 1);
      CHECK(WaitUntil(*loop, [&] { return pool.idle_count() == 0; }));
      CHECK(WaitUntil(*loop, [&] { return up.conns.at(0)->eof; }));
    }
    SUBCASE("max_idle_per_peer keeps the newest") {
      PoolOptions options;
      options.max_idle_per_peer = 1;
      ConnectionPool pool(*loop, options);
      std::vector<std::unique_ptr<kong::upstream::UpstreamConnection>> held;
      for (int i = 0; i < 2; ++i) {
        auto handle = pool.Acquire(peer, 1000, [&](auto c, auto*) { held.push_back(std::move(c)); });
        REQUIRE(WaitUntil(*loop, [&] { return held.size() == static_cast<size_t>(i + 1); }));
      }
      int ended = 0;
      for (auto& c : held) {
        kong::upstream::ExchangeCallbacks cb;
        cb.on_end = [&] { ++ended; };
        c->Start(Get(), {}, std::move(cb));
      }
      REQUIRE(WaitUntil(*loop, [&] { return ended == 2; }));
      for (auto& c : held) pool.Release(std::move(c));
      CHECK(pool.idle_count() == 1);
      CHECK(pool.opened_count() == 2);
    }
    SUBCASE("pool max_idle_per_peer 0 disables reuse") {
      PoolOptions options;
      options.max_idle_per_peer = 0;
      ConnectionPool pool(*loop, options);
      REQUIRE(RunExchange(*loop, pool, peer, Get()).ended);
      REQUIRE(RunExchange(*loop, pool, peer, Get()).ended);
      CHECK(pool.opened_count() == 2);
    }
  }

  TEST_CASE("an IPv6 loopback peer") {
    auto loop = NewLoop();
    ConnectionPool pool(*loop);
    auto spec = kong::net::ParseListenSpec("[::1]:0");
    REQUIRE_OK(spec.status());
    std::unique_ptr<kong::net::Transport> accepted;
    auto listener = kong::net::Listener::Create(*loop, *spec, [&](auto t) {
      accepted = std::move(t);
      kong::net::TransportCallbacks cb;
      cb.on_data = [&](std::string_view) {
        CHECK_OK(accepted->Write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv6"));
      };
      accepted->SetCallbacks(std::move(cb));
      CHECK_OK(accepted->StartReading());
    });
    if (!listener.ok()) return;  // no IPv6 loopback in this environment
    kong::upstream::Peer peer;
    auto address = kong::net::IpAddress("::1", (*listener)->bound_port());
    REQUIRE_OK(address.status());
    peer.address = *address;
    auto out = RunExchange(*loop, pool, peer, Get());
    REQUIRE(out.ended);
    CHECK(out.body == "v6");
  }

  TEST_CASE("an idle connection the server closed is discarded, not handed out") {
    auto loop = NewLoop();
    ConnectionPool pool(*loop);
    RawUpstream up(*loop, ReplyPerRequest("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nk"));
    auto peer = LoopbackPeer(up.port());
    REQUIRE(RunExchange(*loop, pool, peer, Get()).ended);
    REQUIRE(pool.idle_count() == 1);
    up.conns.at(0)->transport->Shutdown(0);  // the server's keepalive_timeout
    CHECK(WaitUntil(*loop, [&] { return pool.idle_count() == 0; }));
    auto out = RunExchange(*loop, pool, peer, Get());
    REQUIRE(out.ended);
    CHECK(!out.reused);
    CHECK(pool.opened_count() == 2);
  }
}
