// Tests for HttpClient and Fetch against the server and against raw loopback peers.
#include "http/client.h"

#include "http/fetch.h"
#include "http/server.h"
#include "net/listener.h"
#include "unit/http/http_test_util.h"

using kong::EventLoop;
using kong::Result;
using kong::http::ClientRequest;
using kong::http::ClientResponse;
using kong::http::Fetch;
using kong::http::HttpClient;
using kong::http::Request;
using kong::http::Response;
using kong::http::ResponseWriter;
using kong::test::TestServer;
using kong::test::WaitUntil;

namespace {

// A raw server: every accepted connection gets `reply` once its first bytes arrive.
struct ScriptedServer {
  std::unique_ptr<kong::net::Listener> listener;
  std::vector<std::unique_ptr<kong::net::Transport>> conns;
  std::string received;

  ScriptedServer(EventLoop& loop, std::string reply, bool close_after) {
    auto spec = kong::net::ParseListenSpec("127.0.0.1:0");
    auto l = kong::net::Listener::Create(
        loop, *spec, [this, reply, close_after](std::unique_ptr<kong::net::Transport> t) {
          kong::net::Transport* raw = t.get();
          kong::net::TransportCallbacks cb;
          cb.on_data = [this, raw, reply, close_after](std::string_view d) {
            received.append(d);
            if (reply.empty()) return;  // silent: lets a client time out
            CHECK_OK(raw->Write(reply));
            if (close_after) raw->Shutdown(0);
          };
          raw->SetCallbacks(std::move(cb));
          CHECK_OK(raw->StartReading());
          conns.push_back(std::move(t));
        });
    REQUIRE_OK(l.status());
    listener = std::move(l).value();
  }
  uint16_t port() const { return listener->bound_port(); }
};

// Runs one Fetch to completion.
Result<ClientResponse> FetchOnce(EventLoop& l, uint16_t port, ClientRequest req,
                                 kong::http::FetchOptions opts = {}) {
  std::optional<Result<ClientResponse>> out;
  auto f = Fetch::Start(l, "127.0.0.1", port, std::move(req), opts,
                        [&](Result<ClientResponse> r) { out.emplace(std::move(r)); });
  CHECK(WaitUntil(l, [&] { return out.has_value(); }));
  if (!out) return kong::Status::Internal("no answer");
  return std::move(*out);
}

}  // namespace

TEST_SUITE("http") {
  TEST_CASE("HttpClient against the server: bodies, pipelining, chunked and HEAD responses") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      TestServer srv(l, {}, [&](Request& r, ResponseWriter& w) {
        if (r.path == "/chunked") {
          w.SendHead(200, {});
          w.SendChunk("a");
          w.SendChunk("bc");
          w.Finish();
          return;
        }
        Response resp = Response::Text(r.method == "POST" ? 201 : 200, r.method + ":" + r.body);
        resp.headers.Add("X-Host", std::string(*r.headers.Get("Host")));
        w.Send(std::move(resp));
      });
      auto posted = FetchOnce(l, srv.port, ClientRequest{"POST", "/things", {}, "payload"});
      REQUIRE_OK(posted.status());
      CHECK(posted->status == 201);
      CHECK(posted->body == "POST:payload");
      CHECK(*posted->headers.Get("x-host") == "127.0.0.1:" + std::to_string(srv.port));

      // One connection, three requests written back to back.
      std::unique_ptr<kong::net::Transport> t;
      auto attempt = kong::net::ConnectAttempt::Start(
          l, "127.0.0.1", srv.port, {},
          [&](Result<std::unique_ptr<kong::net::Transport>> r) { t = std::move(r).value(); });
      REQUIRE(WaitUntil(l, [&] { return t != nullptr; }));
      HttpClient client(std::move(t));
      std::vector<ClientResponse> got;
      auto collect = [&](Result<ClientResponse> r) {
        REQUIRE_OK(r.status());
        got.push_back(std::move(r).value());
      };
      client.Send({"GET", "/one", {}, ""}, collect);
      client.Send({"GET", "/chunked", {}, ""}, collect);
      client.Send({"HEAD", "/three", {}, ""}, collect);
      CHECK(got.empty());  // never answered inside Send
      CHECK(WaitUntil(l, [&] { return got.size() == 3; }));
      CHECK(got[0].body == "GET:");
      CHECK(got[1].body == "abc");
      CHECK(*got[1].headers.Get("Transfer-Encoding") == "chunked");
      CHECK(got[2].body.empty());
      CHECK(*got[2].headers.Get("Content-Length") == "5");
      CHECK(client.open());
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("HttpClient reads close-delimited bodies and reports errors") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      ScriptedServer eof_body(l, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", true);
      auto r = FetchOnce(l, eof_body.port(), {});
      REQUIRE_OK(r.status());
      CHECK(r->body == "until the end");
      CHECK_FALSE(r->keep_alive);
      CHECK(eof_body.received.starts_with("GET / HTTP/1.1\r\nHost: 127.0.0.1:"));

      ScriptedServer garbage(l, "NOT HTTP\r\n\r\n", false);
      auto bad = FetchOnce(l, garbage.port(), {});
      CHECK(bad.status().code() == kong::StatusCode::kProtocol);
      CHECK(bad.status().message().find("http response from 127.0.0.1:") == 0);

      ScriptedServer truncated(l, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", true);
      auto cut = FetchOnce(l, truncated.port(), {});
      CHECK(cut.status().code() == kong::StatusCode::kUnavailable);

      ScriptedServer silent(l, "", false);
      kong::http::FetchOptions quick;
      quick.client.read_timeout_ms = 30;
      auto slow = FetchOnce(l, silent.port(), {}, quick);
      CHECK(slow.status().message() ==
            "http response from 127.0.0.1:" + std::to_string(silent.port()) +
                ": connection timed out");

      uint16_t dead = silent.port();
      silent.listener.reset();
      silent.conns.clear();
      auto refused = FetchOnce(l, dead, {});
      CHECK(refused.status().message() ==
            "connect 127.0.0.1:" + std::to_string(dead) + ": connection refused");
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("HttpClient hands over the transport after 101 with the bytes behind the head") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      ScriptedServer ws(l,
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\n\r\n\x81\x02hi",
                        false);
      std::unique_ptr<kong::net::Transport> t;
      auto attempt = kong::net::ConnectAttempt::Start(
          l, "127.0.0.1", ws.port(), {},
          [&](Result<std::unique_ptr<kong::net::Transport>> r) { t = std::move(r).value(); });
      REQUIRE(WaitUntil(l, [&] { return t != nullptr; }));
      auto client = std::make_unique<HttpClient>(std::move(t));
      CHECK_FALSE(client->TakeTransport().ok());  // no upgrade yet
      std::optional<Result<ClientResponse>> resp;
      ClientRequest req{"GET", "/v1/outlet", {}, ""};
      req.headers.Add("Connection", "Upgrade");
      req.headers.Add("Upgrade", "websocket");
      client->Send(std::move(req), [&](Result<ClientResponse> r) { resp.emplace(std::move(r)); });
      CHECK(WaitUntil(l, [&] { return resp.has_value(); }));
      REQUIRE_OK(resp->status());
      CHECK((*resp)->status == 101);
      CHECK((*resp)->upgrade);
      auto up = client->TakeTransport();
      REQUIRE_OK(up.status());
      CHECK(up->buffered == "\x81\x02hi");
      client.reset();  // the transport now belongs to `up`
      CHECK_OK(up->transport->Write("after"));
      CHECK(WaitUntil(l, [&] { return ws.received.ends_with("after"); }));
      up->transport.reset();
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
