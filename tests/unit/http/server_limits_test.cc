// Tests for the server's nginx-style limits and timeouts: 413, 414, 400/494, slow clients.
#include <string>

#include "http/server.h"
#include "unit/http/http_test_util.h"

using kong::EventLoop;
using kong::http::Request;
using kong::http::Response;
using kong::http::ResponseWriter;
using kong::http::ServerOptions;
using kong::test::LoopbackPeer;
using kong::test::SplitResponses;
using kong::test::TestServer;
using kong::test::WaitUntil;

namespace {

kong::http::Handler CountingOk(int* calls) {
  return [calls](Request&, ResponseWriter& w) {
    ++*calls;
    w.Send(Response::Text(200, "ok"));
  };
}

// Sends `raw` on a new connection; returns the single response, after the server closed.
kong::test::RawResponse RejectedWith(EventLoop& l, uint16_t port, const std::string& raw) {
  auto peer = LoopbackPeer::Connect(l, port);
  REQUIRE(peer != nullptr);
  peer->Send(raw);
  CHECK(WaitUntil(l, [&] { return peer->eof; }));
  auto rs = SplitResponses(peer->received);
  REQUIRE(rs.size() == 1);
  CHECK(*rs[0].headers.Get("Connection") == "close");
  peer->transport->Close();
  CHECK(WaitUntil(l, [&] { return peer->closed; }));
  return rs[0];
}

}  // namespace

TEST_SUITE("http") {
  TEST_CASE("oversized bodies get 413, oversized heads 400/414, malformed requests 400") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      int calls = 0;
      ServerOptions opts;
      opts.max_body_size = 1000;
      opts.max_request_line_size = 200;
      opts.max_header_line_size = 300;
      opts.max_header_size = 1000;
      opts.max_header_count = 10;
      TestServer srv(l, opts, CountingOk(&calls));

      SUBCASE("announced Content-Length over the limit: 413 before the body is read") {
        auto r = RejectedWith(
            l, srv.port,
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n" + std::string(600, 'b'));
        CHECK(r.status == 413);
        CHECK(r.body == R"({"message":"Payload too large"})");
      }
      SUBCASE("chunked body growing past the limit: 413") {
        auto r = RejectedWith(l, srv.port,
                              "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "258\r\n" +
                                  std::string(600, 'b') + "\r\n258\r\n" + std::string(600, 'b') +
                                  "\r\n0\r\n\r\n");
        CHECK(r.status == 413);
      }
      SUBCASE("one header line too long: 400 with Kong's 494 message") {
        auto r = RejectedWith(
            l, srv.port,
            "GET / HTTP/1.1\r\nHost: x\r\nCookie: " + std::string(400, 'c') + "\r\n\r\n");
        CHECK(r.status == 400);
        CHECK(r.body == R"({"message":"Request header or cookie too large"})");
      }
      SUBCASE("all headers together too large: 400 with the 494 message") {
        std::string head = "GET / HTTP/1.1\r\nHost: x\r\n";
        for (int i = 0; i < 9; ++i)
          head += "X-" + std::to_string(i) + ": " + std::string(150, 'v') + "\r\n";
        auto r = RejectedWith(l, srv.port, head + "\r\n");
        CHECK(r.status == 400);
        CHECK(r.body == R"({"message":"Request header or cookie too large"})");
      }
      SUBCASE("too many header fields: 400 with the 494 message") {
        std::string head = "GET / HTTP/1.1\r\nHost: x\r\n";
        for (int i = 0; i < 10; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
        auto r = RejectedWith(l, srv.port, head + "\r\n");
        CHECK(r.status == 400);
        CHECK(r.body == R"({"message":"Request header or cookie too large"})");
      }
      SUBCASE("request line too long: 414") {
        auto r = RejectedWith(l, srv.port,
                              "GET /" + std::string(300, 'u') + " HTTP/1.1\r\nHost: x\r\n\r\n");
        CHECK(r.status == 414);
        CHECK(r.body == R"({"message":"URI too long"})");
      }
      SUBCASE("malformed request line: 400") {
        auto r = RejectedWith(l, srv.port, "GET / HTTX/1.1\r\nHost: x\r\n\r\n");
        CHECK(r.status == 400);
        CHECK(r.body == R"({"message":"Bad request"})");
      }
      SUBCASE("HTTP/1.1 without Host: 400") {
        auto r = RejectedWith(l, srv.port, "GET / HTTP/1.1\r\n\r\n");
        CHECK(r.status == 400);
      }
      SUBCASE("a good request before a bad one is still answered first") {
        auto peer = LoopbackPeer::Connect(l, srv.port);
        REQUIRE(peer != nullptr);
        peer->Send("GET / HTTP/1.1\r\nHost: x\r\n\r\nBROKEN\r\n\r\n");
        CHECK(WaitUntil(l, [&] { return peer->eof; }));
        auto rs = SplitResponses(peer->received);
        REQUIRE(rs.size() == 2);
        CHECK(rs[0].status == 200);
        CHECK(rs[1].status == 400);
        peer->transport->Close();
        CHECK(WaitUntil(l, [&] { return peer->closed; }));
        CHECK(calls == 1);
      }
      CHECK(calls <= 1);
      CHECK(WaitUntil(l, [&] { return srv.server->connection_count() == 0; }));
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("slow clients are closed: header, body and keep-alive timeouts") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      int calls = 0;
      ServerOptions opts;
      opts.header_timeout_ms = 50;
      opts.body_timeout_ms = 50;
      opts.keepalive_timeout_ms = 50;
      TestServer srv(l, opts, CountingOk(&calls));

      SUBCASE("an incomplete head: closed without a response") {
        auto peer = LoopbackPeer::Connect(l, srv.port);
        REQUIRE(peer != nullptr);
        peer->Send("GET / HTTP/1.1\r\nHo");
        CHECK(WaitUntil(l, [&] { return peer->eof; }));
        CHECK(peer->received.empty());
        peer->transport->Close();
      }
      SUBCASE("a connection that never sends anything") {
        auto peer = LoopbackPeer::Connect(l, srv.port);
        REQUIRE(peer != nullptr);
        CHECK(WaitUntil(l, [&] { return peer->eof; }));
        peer->transport->Close();
      }
      SUBCASE("a body that stops arriving") {
        auto peer = LoopbackPeer::Connect(l, srv.port);
        REQUIRE(peer != nullptr);
        peer->Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
        CHECK(WaitUntil(l, [&] { return peer->eof; }));
        CHECK(peer->received.empty());
        peer->transport->Close();
      }
      SUBCASE("an idle kept-alive connection after its response") {
        // A generous header timeout, so that only the keep-alive timeout can end this one.
        ServerOptions idle_opts;
        idle_opts.keepalive_timeout_ms = 50;
        TestServer idle(l, idle_opts, CountingOk(&calls));
        auto peer = LoopbackPeer::Connect(l, idle.port);
        REQUIRE(peer != nullptr);
        peer->Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        CHECK(WaitUntil(l, [&] { return peer->eof; }));
        CHECK(SplitResponses(peer->received).size() == 1);
        peer->transport->Close();
        CHECK(WaitUntil(l, [&] { return idle.server->connection_count() == 0; }));
        idle.Close(l);
      }
      CHECK(WaitUntil(l, [&] { return srv.server->connection_count() == 0; }));
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
