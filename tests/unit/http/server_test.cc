// Tests for the HTTP server's request handling over loopback: keep-alive, pipelining, bodies.
#include "http/server.h"
#include "net/listener.h"

#include <map>
#include <vector>

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

// Answers "<METHOD> <path> <body>" and records every request it saw.
struct EchoHandler {
  std::vector<Request> seen;
  kong::http::Handler Get() {
    return [this](Request& r, ResponseWriter& w) {
      seen.push_back(r);
      w.Send(Response::Text(200, r.method + " " + r.path + " " + r.body));
    };
  }
};

constexpr const char* kGet = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";

}  // namespace

TEST_SUITE("http") {
  TEST_CASE("a request is parsed into method, path, query, headers; the response is framed") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      EchoHandler echo;
      ServerOptions opts;
      opts.server_name = "kong/3.6.1";
      TestServer srv(l, opts, echo.Get());
      auto peer = LoopbackPeer::Connect(l, srv.port);
      REQUIRE(peer != nullptr);
      peer->Send(
          "POST /services/my%20svc?size=2&tags=a&tags=b%2Bc HTTP/1.1\r\n"
          "Host: localhost\r\nX-Kong-Test: One\r\nx-kong-test: two\r\n"
          "Content-Length: 5\r\n\r\nhello");
      CHECK(WaitUntil(l, [&] { return SplitResponses(peer->received).size() == 1; }));
      REQUIRE(echo.seen.size() == 1);
      const Request& r = echo.seen[0];
      CHECK(r.method == "POST");
      CHECK(r.target == "/services/my%20svc?size=2&tags=a&tags=b%2Bc");
      CHECK(r.path == "/services/my svc");
      CHECK(r.raw_path == "/services/my%20svc");
      CHECK(*r.Query("size") == "2");
      CHECK(r.query.at("tags") == std::vector<std::string>{"a", "b+c"});
      CHECK(r.headers.GetAll("X-KONG-TEST") == std::vector<std::string_view>{"One", "two"});
      CHECK(r.body == "hello");
      CHECK(r.http_minor == 1);
      CHECK(r.peer_address == peer->transport->local_address());

      auto resp = SplitResponses(peer->received)[0];
      CHECK(resp.status == 200);
      CHECK(resp.body == "POST /services/my svc hello");
      CHECK(*resp.headers.Get("Content-Length") == "27");
      CHECK(*resp.headers.Get("Server") == "kong/3.6.1");
      CHECK(*resp.headers.Get("Connection") == "keep-alive");
      CHECK(resp.headers.Get("Date")->size() == 29);
      CHECK(srv.server->connection_count() == 1);
      srv.Close(l);
      CHECK(WaitUntil(l, [&] { return peer->eof || peer->error; }));
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("keep-alive: several requests on one connection; pipelined ones answered in order") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      // /slow is answered later than the requests behind it, which answer at once.
      std::vector<ResponseWriter> held;
      int calls = 0;
      TestServer srv(l, {}, [&](Request& r, ResponseWriter& w) {
        ++calls;
        if (r.path == "/slow") {
          held.push_back(w);
        } else {
          w.Send(Response::Text(200, r.path));
        }
      });
      auto peer = LoopbackPeer::Connect(l, srv.port);
      REQUIRE(peer != nullptr);
      for (int i = 0; i < 3; ++i) {
        peer->Send(kGet);
        CHECK(WaitUntil(l, [&] { return SplitResponses(peer->received).size() == size_t(i + 1); }));
      }
      CHECK(srv.server->connection_count() == 1);

      peer->received.clear();
      peer->Send(
          "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
          "GET /b HTTP/1.1\r\nHost: x\r\n\r\n"
          "GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
      // All three handlers ran (3 earlier requests + 3 now); /b and /c wait behind /slow.
      CHECK(WaitUntil(l, [&] { return calls == 6; }));
      for (int i = 0; i < 5; ++i) l.RunOnce();
      CHECK(peer->received.empty());
      CHECK(held[0].Send(Response::Text(200, "/slow")));
      CHECK_FALSE(held[0].Send(Response::Text(200, "twice")));
      CHECK(WaitUntil(l, [&] { return SplitResponses(peer->received).size() == 3; }));
      auto rs = SplitResponses(peer->received);
      CHECK(rs[0].body == "/slow");
      CHECK(rs[1].body == "/b");
      CHECK(rs[2].body == "/c");
      held.clear();
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("chunked request bodies are de-chunked; Connection: close ends the connection") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      EchoHandler echo;
      TestServer srv(l, {}, echo.Get());
      auto peer = LoopbackPeer::Connect(l, srv.port);
      REQUIRE(peer != nullptr);
      peer->Send("PUT /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
      l.RunOnce();
      peer->Send("lo\r\n6\r\n world\r\n0\r\n\r\n");
      CHECK(WaitUntil(l, [&] { return echo.seen.size() == 1; }));
      CHECK(echo.seen[0].body == "hello world");

      peer->Send("GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + std::string(kGet));
      CHECK(WaitUntil(l, [&] { return peer->eof; }));
      auto rs = SplitResponses(peer->received);
      REQUIRE(rs.size() == 2);
      CHECK(*rs[1].headers.Get("Connection") == "close");
      CHECK(rs[1].body == "GET /last ");
      CHECK(echo.seen.size() == 2);  // nothing after the closing request is served
      peer->transport->Close();
      CHECK(WaitUntil(l, [&] { return srv.server->connection_count() == 0; }));
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("HTTP/1.0, HEAD, Expect: 100-continue and the per-connection request limit") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      EchoHandler echo;
      ServerOptions opts;
      opts.max_requests_per_connection = 2;
      TestServer srv(l, opts, echo.Get());

      auto old = LoopbackPeer::Connect(l, srv.port);
      REQUIRE(old != nullptr);
      old->Send("GET /keep HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      CHECK(WaitUntil(l, [&] { return SplitResponses(old->received).size() == 1; }));
      CHECK(*SplitResponses(old->received)[0].headers.Get("Connection") == "keep-alive");
      old->Send("GET /plain HTTP/1.0\r\n\r\n");  // 1.0 closes by default
      CHECK(WaitUntil(l, [&] { return old->eof; }));
      CHECK(*SplitResponses(old->received)[1].headers.Get("Connection") == "close");

      auto peer = LoopbackPeer::Connect(l, srv.port);
      REQUIRE(peer != nullptr);
      peer->Send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n");
      CHECK(WaitUntil(l, [&] { return SplitResponses(peer->received, {true}).size() == 1; }));
      auto head = SplitResponses(peer->received, {true})[0];
      CHECK(*head.headers.Get("Content-Length") == "8");  // length of "HEAD /h "
      CHECK(head.body.empty());

      peer->received.clear();
      peer->Send(
          "POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
      CHECK(WaitUntil(l, [&] { return peer->received == "HTTP/1.1 100 Continue\r\n\r\n"; }));
      peer->Send("body");
      CHECK(WaitUntil(l, [&] { return peer->eof; }));  // second request: the limit closes
      auto rs = SplitResponses(peer->received);
      REQUIRE(rs.size() == 2);  // the 100 interim response, then the answer
      CHECK(rs[0].status == 100);
      CHECK(rs[1].body == "POST /e body");
      CHECK(*rs[1].headers.Get("Connection") == "close");
      old->transport->Close();
      peer->transport->Close();
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("Serve() runs HTTP over a transport accepted elsewhere; Listen() refuses ssl") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      EchoHandler echo;
      auto server = kong::http::Server::Create(l, {}, echo.Get());
      REQUIRE_OK(server.status());
      auto ssl = (*server)->Listen(*kong::net::ParseListenSpec("127.0.0.1:0 ssl"));
      CHECK(ssl.status().code() == kong::StatusCode::kInvalidArgument);
      CHECK(ssl.status().message().find("listen 127.0.0.1:0: ssl listeners") == 0);
      CHECK((*server)->bound_ports().empty());

      // As a TLS listener would: accept raw TCP, wrap it, hand the result to Serve().
      auto own = kong::net::Listener::Create(
          l, *kong::net::ParseListenSpec("127.0.0.1:0"),
          [&](std::unique_ptr<kong::net::Transport> t) { (*server)->Serve(std::move(t)); });
      REQUIRE_OK(own.status());
      auto peer = LoopbackPeer::Connect(l, (*own)->bound_port());
      REQUIRE(peer != nullptr);
      peer->Send(kGet);
      CHECK(WaitUntil(l, [&] { return SplitResponses(peer->received).size() == 1; }));
      CHECK(SplitResponses(peer->received)[0].body == "GET /a ");
      CHECK((*server)->connection_count() == 1);
      own->reset();
      bool closed = false;
      (*server)->Close([&] { closed = true; });
      CHECK(WaitUntil(l, [&] { return closed; }));
      (*server)->Serve(nullptr);  // after Close: ignored
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
