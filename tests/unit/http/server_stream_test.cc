// Streaming request bodies (ServerOptions::stream_request_body) and response backpressure.
#include "http/server.h"
#include "unit/http/http_test_util.h"

using kong::EventLoop;
using kong::http::Request;
using kong::http::RequestBodyCallbacks;
using kong::http::Response;
using kong::http::ResponseWriter;
using kong::test::LoopbackPeer;
using kong::test::SplitResponses;
using kong::test::TestServer;
using kong::test::WaitUntil;

namespace {
kong::http::ServerOptions Streaming() {
  kong::http::ServerOptions o;
  o.stream_request_body = true;
  return o;
}
}  // namespace

TEST_SUITE("http") {
  TEST_CASE("streaming: the handler runs at the head, the body arrives in pieces, chunked decoded") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      std::vector<ResponseWriter> writers;
      std::string body;
      bool ended = false;
      TestServer srv(l, Streaming(), [&](Request& r, ResponseWriter& w) {
        CHECK(r.body_streamed);
        CHECK(r.chunked);
        CHECK(r.path.empty());  // not decoded in this mode
        CHECK(r.raw_path == "/a%20b");
        writers.push_back(w);
      });
      auto peer = LoopbackPeer::Connect(l, srv.port);
      REQUIRE(peer != nullptr);
      peer->Send("POST /a%20b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
      REQUIRE(WaitUntil(l, [&] { return writers.size() == 1; }));
      RequestBodyCallbacks cb;
      cb.on_data = [&](std::string_view d) { body.append(d); };
      cb.on_end = [&] {
        ended = true;
        writers[0].Send(Response::Text(200, body));
      };
      CHECK(writers[0].ReadBody(std::move(cb)));
      REQUIRE(WaitUntil(l, [&] { return body == "hello"; }));
      CHECK_FALSE(ended);
      peer->Send("6\r\n world\r\n0\r\n\r\n");
      REQUIRE(WaitUntil(l, [&] { return SplitResponses(peer->received).size() == 1; }));
      CHECK(SplitResponses(peer->received)[0].body == "hello world");
      writers.clear();
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("streaming: 100 Continue goes out when the handler reads; Pause holds the body") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      std::vector<ResponseWriter> writers;
      std::string body;
      TestServer srv(l, Streaming(), [&](Request&, ResponseWriter& w) { writers.push_back(w); });
      auto peer = LoopbackPeer::Connect(l, srv.port);
      REQUIRE(peer != nullptr);
      peer->Send("PUT /u HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n");
      REQUIRE(WaitUntil(l, [&] { return writers.size() == 1; }));
      CHECK(peer->received.empty());  // not before the handler reads
      CHECK(writers[0].request().content_length == 10);
      RequestBodyCallbacks cb;
      cb.on_data = [&](std::string_view d) { body.append(d); };
      cb.on_end = [&] { writers[0].Send(Response::Text(201, body)); };
      writers[0].ReadBody(std::move(cb));
      REQUIRE(WaitUntil(l, [&] { return !peer->received.empty(); }));
      CHECK(peer->received == "HTTP/1.1 100 Continue\r\n\r\n");
      writers[0].PauseBody();
      // The body and a pipelined request: nothing is delivered or parsed while paused.
      peer->Send("0123456789GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
      for (int i = 0; i < 20; ++i) l.RunOnce();
      CHECK(body.empty());
      CHECK(writers.size() == 1);
      writers[0].ResumeBody();
      REQUIRE(WaitUntil(l, [&] { return writers.size() == 2; }));
      CHECK(body == "0123456789");
      writers[1].Send(Response::Text(200, "next"));
      REQUIRE(WaitUntil(l, [&] { return SplitResponses(peer->received.substr(25)).size() == 2; }));
      auto r = SplitResponses(peer->received.substr(25));
      CHECK(r[0].status == 201);
      CHECK(r[1].body == "next");
      writers.clear();
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("streaming: body timeout and a client gone mid-body abort the exchange") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      auto o = Streaming();
      o.body_timeout_ms = 100;
      std::vector<ResponseWriter> writers;
      int aborted = 0;
      TestServer srv(l, o, [&](Request&, ResponseWriter& w) {
        writers.push_back(w);
        w.OnAbort([&] { ++aborted; });
        w.ReadBody({});
      });
      auto peer = LoopbackPeer::Connect(l, srv.port);
      REQUIRE(peer != nullptr);
      peer->Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
      REQUIRE(WaitUntil(l, [&] { return aborted == 1; }));
      CHECK(WaitUntil(l, [&] { return peer->closed || peer->eof; }));
      CHECK_FALSE(writers[0].pending());
      writers.clear();
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("streaming: requests without a body dispatch as usual; buffered bodies in upgrade") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      TestServer srv(l, Streaming(), [&](Request& r, ResponseWriter& w) {
        CHECK_FALSE(r.body_streamed);
        CHECK_FALSE(w.ReadBody({}));
        w.Send(Response::Text(200, r.raw_path));
      });
      auto peer = LoopbackPeer::Connect(l, srv.port);
      REQUIRE(peer != nullptr);
      peer->Send("GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n");
      REQUIRE(WaitUntil(l, [&] { return SplitResponses(peer->received).size() == 2; }));
      CHECK(SplitResponses(peer->received)[1].body == "/two");
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
