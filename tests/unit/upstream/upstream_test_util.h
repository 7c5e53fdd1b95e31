// Test helpers for lib/upstream: a scripted raw upstream server and a one-exchange runner.
#ifndef KONG_TESTS_UNIT_UPSTREAM_UPSTREAM_TEST_UTIL_H_
#define KONG_TESTS_UNIT_UPSTREAM_UPSTREAM_TEST_UTIL_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/listen_spec.h"
#include "net/listener.h"
#include "net/socket_address.h"
#include "support/test_support.h"
#include "upstream/connection_pool.h"

namespace kong::test {

inline std::unique_ptr<EventLoop> NewLoop() {
  auto loop = EventLoop::Create();
  REQUIRE(loop.ok());
  return std::move(loop).value();
}

// Accepts on 127.0.0.1:<free port>. Each connection's input accumulates in `in`; `on_input`
// runs after every read and answers by writing to `transport`.
struct RawUpstream {
  struct Conn {
    std::unique_ptr<net::Transport> transport;
    std::string in;
    bool eof = false;
  };
  std::unique_ptr<net::Listener> listener;
  std::vector<std::unique_ptr<Conn>> conns;
  std::function<void(Conn&)> on_input;
  bool read = true;  // false: never reads (fills the client's socket buffers)

  RawUpstream(EventLoop& loop, std::function<void(Conn&)> input, bool read_input = true)
      : on_input(std::move(input)), read(read_input) {
    auto spec = net::ParseListenSpec("127.0.0.1:0");
    auto l = net::Listener::Create(loop, *spec, [this](std::unique_ptr<net::Transport> t) {
      auto conn = std::make_unique<Conn>();
      Conn* c = conn.get();
      c->transport = std::move(t);
      net::TransportCallbacks cb;
      cb.on_data = [this, c](std::string_view d) {
        c->in.append(d);
        if (on_input) on_input(*c);
      };
      cb.on_eof = [c] { c->eof = true; };
      c->transport->SetCallbacks(std::move(cb));
      if (read) CHECK_OK(c->transport->StartReading());
      conns.push_back(std::move(conn));
    });
    REQUIRE_OK(l.status());
    listener = std::move(l).value();
  }
  uint16_t port() const { return listener->bound_port(); }
};

// Answers each complete bodiless request (head ending in CRLFCRLF) with `reply`.
inline std::function<void(RawUpstream::Conn&)> ReplyPerRequest(std::string reply,
                                                               bool close_after = false) {
  return [reply, close_after](RawUpstream::Conn& c) {
    size_t end;
    while ((end = c.in.find("\r\n\r\n")) != std::string::npos) {
      c.in.erase(0, end + 4);
      CHECK_OK(c.transport->Write(reply));
      if (close_after) c.transport->Shutdown(0);
    }
  };
}

inline upstream::Peer LoopbackPeer(uint16_t port) {
  upstream::Peer peer;
  auto address = net::IpAddress("127.0.0.1", port);
  REQUIRE_OK(address.status());
  peer.address = *address;
  return peer;
}

inline upstream::UpstreamRequestHead Get(std::string target = "/",
                                         std::string method = "GET") {
  upstream::UpstreamRequestHead head;
  head.method = std::move(method);
  head.target = std::move(target);
  head.headers.Add("Host", "upstream.test");
  return head;
}

// What one exchange produced.
struct Outcome {
  std::optional<upstream::UpstreamResponseHead> head;
  std::string body;
  int body_calls = 0;
  bool ended = false;
  std::optional<upstream::UpstreamError> error;
  bool reused = false;
  bool done() const { return ended || error.has_value(); }
};

// Acquires a connection, runs one exchange (body pieces written after Start, then EndBody
// unless the head has Body::kNone), waits for on_end or on_error and releases the connection
// on success.
inline Outcome RunExchange(EventLoop& loop, upstream::ConnectionPool& pool,
                           const upstream::Peer& peer, upstream::UpstreamRequestHead head,
                           std::vector<std::string> body = {},
                           upstream::ExchangeTimeouts timeouts = {}) {
  Outcome out;
  std::unique_ptr<upstream::UpstreamConnection> conn;
  bool acquired = false;
  auto handle = pool.Acquire(peer, 5000,
                             [&](std::unique_ptr<upstream::UpstreamConnection> c,
                                 const upstream::UpstreamError* error) {
                               acquired = true;
                               if (error != nullptr) out.error = *error;
                               conn = std::move(c);
                             });
  if (!WaitUntil(loop, [&] { return acquired; }) || conn == nullptr) return out;
  out.reused = conn->reused();
  const bool has_body = head.body != upstream::UpstreamRequestHead::Body::kNone;
  upstream::ExchangeCallbacks cb;
  cb.on_head = [&](upstream::UpstreamResponseHead h) { out.head = std::move(h); };
  cb.on_body = [&](std::string_view d) {
    out.body.append(d);
    ++out.body_calls;
  };
  cb.on_end = [&] {
    out.ended = true;
    pool.Release(std::move(conn));
  };
  cb.on_error = [&](const upstream::UpstreamError& e) {
    out.error = e;
    conn.reset();
  };
  conn->Start(std::move(head), timeouts, std::move(cb));
  if (has_body) {
    for (auto& piece : body) {
      if (conn) conn->WriteBody(std::move(piece));
    }
    if (conn) conn->EndBody();
  }
  CHECK(WaitUntil(loop, [&] { return out.done(); }, 10000));
  return out;
}

}  // namespace kong::test

#endif  // KONG_TESTS_UNIT_UPSTREAM_UPSTREAM_TEST_UTIL_H_
