// Tests for late answers, clients that vanish, dropped writers, streaming and upgrades.
#include <stdexcept>
#include <thread>

#include "http/server.h"
#include "unit/http/http_test_util.h"

using kong::EventLoop;
using kong::http::Request;
using kong::http::Response;
using kong::http::ResponseWriter;
using kong::test::LoopbackPeer;
using kong::test::SplitResponses;
using kong::test::TestServer;
using kong::test::WaitUntil;

namespace {
constexpr const char* kGet = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
}

TEST_SUITE("http") {
  TEST_CASE("a handler answers after it returned, from a reply posted by another thread") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      std::thread store;
      TestServer srv(l, {}, [&](Request& r, ResponseWriter& w) {
        // As the Admin API does: a store thread works, then posts the answer to the loop.
        store = std::thread([&l, w, path = r.path] {
          l.Post(
              [w, path]() mutable { w.Send(Response::Json(201, "{\"path\":\"" + path + "\"}")); });
        });
      });
      auto peer = LoopbackPeer::Connect(l, srv.port);
      REQUIRE(peer != nullptr);
      peer->Send(kGet);
      CHECK(WaitUntil(l, [&] { return SplitResponses(peer->received).size() == 1; }));
      store.join();
      auto r = SplitResponses(peer->received)[0];
      CHECK(r.status == 201);
      CHECK(r.body == R"({"path":"/a"})");
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("a client gone before the late answer: the answer is a no-op") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      std::vector<ResponseWriter> held;
      TestServer srv(l, {}, [&](Request&, ResponseWriter& w) { held.push_back(w); });
      SUBCASE("closed with a reset") {
        auto peer = LoopbackPeer::Connect(l, srv.port);
        REQUIRE(peer != nullptr);
        peer->Send(kGet);
        CHECK(WaitUntil(l, [&] { return held.size() == 1; }));
        CHECK(held[0].pending());
        peer->Reset();
        CHECK(WaitUntil(l, [&] { return srv.server->connection_count() == 0; }));
      }
      SUBCASE("closed with a FIN") {
        auto peer = LoopbackPeer::Connect(l, srv.port);
        REQUIRE(peer != nullptr);
        peer->Send(kGet);
        CHECK(WaitUntil(l, [&] { return held.size() == 1; }));
        peer->transport->Shutdown(0);
        CHECK(WaitUntil(l, [&] { return srv.server->connection_count() == 0; }));
      }
      CHECK_FALSE(held[0].pending());
      CHECK_FALSE(held[0].Send(Response::Text(200, "too late")));
      CHECK(held[0].request().path == "/a");  // the request outlives its connection
      held.clear();
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("dropped writers and throwing handlers answer 500; server close cancels answers") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      std::vector<ResponseWriter> held;
      TestServer srv(l, {}, [&](Request& r, ResponseWriter& w) {
        if (r.path == "/throw") throw std::runtime_error("handler bug");
        if (r.path == "/hold") held.push_back(w);
        // "/drop": return without answering or keeping the writer
      });
      auto peer = LoopbackPeer::Connect(l, srv.port);
      REQUIRE(peer != nullptr);
      peer->Send("GET /drop HTTP/1.1\r\nHost: x\r\n\r\nGET /throw HTTP/1.1\r\nHost: x\r\n\r\n");
      CHECK(WaitUntil(l, [&] { return SplitResponses(peer->received).size() == 2; }));
      for (const auto& r : SplitResponses(peer->received)) {
        CHECK(r.status == 500);
        CHECK(r.body == R"({"message":"An unexpected error occurred"})");
      }
      peer->Send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
      CHECK(WaitUntil(l, [&] { return held.size() == 1; }));
      bool closed = false;
      srv.server->Close([&] { closed = true; });
      CHECK(WaitUntil(l, [&] { return closed && peer->eof; }));
      CHECK_FALSE(held[0].Send(Response::Text(200, "after close")));
      held.clear();
      srv.server.reset();
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("streamed responses are chunked for HTTP/1.1 and kept in order") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      std::vector<ResponseWriter> streams;
      TestServer srv(l, {}, [&](Request& r, ResponseWriter& w) {
        if (r.path == "/stream") {
          kong::http::HeaderMap h;
          h.Add("Content-Type", "text/plain");
          CHECK(w.SendHead(200, std::move(h)));
          CHECK(w.SendChunk("part1 "));
          streams.push_back(w);
        } else {
          w.Send(Response::Text(200, "after"));
        }
      });
      auto peer = LoopbackPeer::Connect(l, srv.port);
      REQUIRE(peer != nullptr);
      peer->Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n");
      CHECK(WaitUntil(l, [&] { return peer->received.find("part1 ") != std::string::npos; }));
      REQUIRE(streams.size() == 1);
      CHECK(streams[0].SendChunk("part2"));
      CHECK(streams[0].Finish());
      CHECK_FALSE(streams[0].SendChunk("late"));
      CHECK(WaitUntil(l, [&] { return SplitResponses(peer->received).size() == 2; }));
      auto rs = SplitResponses(peer->received);
      CHECK(*rs[0].headers.Get("Transfer-Encoding") == "chunked");
      CHECK_FALSE(rs[0].headers.Has("Content-Length"));
      CHECK(rs[0].body == "part1 part2");
      CHECK(rs[1].body == "after");
      streams.clear();
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("a head sent without flush goes out with the body that follows") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      std::vector<ResponseWriter> streams;
      TestServer srv(l, {}, [&](Request&, ResponseWriter& w) {
        kong::http::HeaderMap h;
        h.Add("Content-Length", "5");
        CHECK(w.SendHead(200, std::move(h), /*flush=*/false));
        streams.push_back(w);
      });
      auto peer = LoopbackPeer::Connect(l, srv.port);
      REQUIRE(peer != nullptr);
      peer->Send("GET /held HTTP/1.1\r\nHost: x\r\n\r\n");
      CHECK(WaitUntil(l, [&] { return streams.size() == 1; }));
      REQUIRE(streams.size() == 1);
      CHECK(streams[0].SendChunk("hello"));
      CHECK(WaitUntil(l, [&] { return SplitResponses(peer->received).size() == 1; }));
      CHECK(streams[0].Finish());
      auto rs = SplitResponses(peer->received);
      REQUIRE(rs.size() == 1);
      CHECK(rs[0].status == 200);
      CHECK(*rs[0].headers.Get("Content-Length") == "5");
      CHECK_FALSE(rs[0].headers.Has("Transfer-Encoding"));
      CHECK(rs[0].body == "hello");
      streams.clear();
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("an upgrade hands the transport over with the bytes read past the head") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      std::unique_ptr<kong::net::Transport> ws;
      std::string buffered;
      TestServer srv(l, {}, [&](Request& r, ResponseWriter& w) {
        if (!r.upgrade) {
          w.Send(Response::Text(200, "plain " + r.path));
          return;
        }
        if (r.path == "/refuse") {  // answering normally keeps HTTP going
          w.Send(Response::Text(403, "no"));
          return;
        }
        auto up = w.TakeTransport();
        REQUIRE_OK(up.status());
        CHECK_FALSE(w.Send(Response::Text(200, "after hand-off")));
        ws = std::move(up->transport);
        buffered = up->buffered;
        CHECK_OK(
            ws->Write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\n\r\n" +
                      buffered));
        kong::net::Transport* raw = ws.get();
        kong::net::TransportCallbacks cb;
        cb.on_data = [raw](std::string_view d) { CHECK_OK(raw->Write("echo:" + std::string(d))); };
        raw->SetCallbacks(std::move(cb));
        CHECK_OK(raw->StartReading());
      });
      auto peer = LoopbackPeer::Connect(l, srv.port);
      REQUIRE(peer != nullptr);
      const std::string upgrade_head =
          "Host: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
      // A refused upgrade, a plain request, then the real one with frame bytes right behind it.
      peer->Send("GET /refuse HTTP/1.1\r\n" + upgrade_head + "GET /p HTTP/1.1\r\nHost: x\r\n\r\n" +
                 "GET /ws HTTP/1.1\r\n" + upgrade_head + "\x81\x05hello");
      CHECK(WaitUntil(l, [&] { return ws != nullptr; }));
      CHECK(buffered == "\x81\x05hello");
      CHECK(srv.server->connection_count() == 0);  // no longer an HTTP connection
      CHECK(WaitUntil(l, [&] {
        return peer->received.size() >= 5 && peer->received.ends_with("\x81\x05hello");
      }));
      auto rs = SplitResponses(peer->received);
      REQUIRE(rs.size() >= 2);
      CHECK(rs[0].status == 403);
      CHECK(rs[1].body == "plain /p");
      CHECK(peer->received.find("HTTP/1.1 101 Switching Protocols\r\n") != std::string::npos);
      peer->received.clear();
      peer->Send("more");
      CHECK(WaitUntil(l, [&] { return peer->received == "echo:more"; }));
      ws.reset();
      CHECK(WaitUntil(l, [&] { return peer->eof; }));
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("destroying a running server closes its connections") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      std::vector<ResponseWriter> held;
      auto srv = std::make_unique<TestServer>(
          l, kong::http::ServerOptions{}, [&](Request&, ResponseWriter& w) { held.push_back(w); });
      auto peer = LoopbackPeer::Connect(l, srv->port);
      REQUIRE(peer != nullptr);
      peer->Send(kGet);
      CHECK(WaitUntil(l, [&] { return held.size() == 1; }));
      srv.reset();  // the server's Impl closes everything and frees itself afterwards
      CHECK(WaitUntil(l, [&] { return peer->eof; }));
      CHECK_FALSE(held[0].Send(Response::Text(200, "x")));
      held.clear();
      peer->transport->Close();
      CHECK(WaitUntil(l, [&] { return peer->closed; }));
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
