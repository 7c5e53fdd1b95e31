// Test helpers for lib/net and lib/http: a loopback TCP peer that records what it receives,
// and a check that a loop has no handle left.
#ifndef KONG_TESTS_UNIT_NET_LOOPBACK_PEER_H_
#define KONG_TESTS_UNIT_NET_LOOPBACK_PEER_H_

#include <sys/socket.h>
#include <uv.h>

#include <memory>
#include <string>

#include "kong/uv.h"
#include "net/connect.h"
#include "net/tcp_transport.h"
#include "net/transport.h"
#include "support/test_support.h"

namespace kong::test {

// A client socket driven by the test: Send() raw bytes, inspect `received`, eof and closed.
struct LoopbackPeer {
  std::unique_ptr<net::Transport> transport;
  std::string received;
  bool eof = false;
  bool error = false;
  bool closed = false;

  // Connects to 127.0.0.1:port, waiting on the loop; null on failure (the test fails).
  static std::unique_ptr<LoopbackPeer> Connect(EventLoop& loop, uint16_t port) {
    std::unique_ptr<net::Transport> connected;
    bool done = false;
    auto attempt = net::ConnectAttempt::Start(loop, "127.0.0.1", port, {},
                                              [&](Result<std::unique_ptr<net::Transport>> r) {
                                                done = true;
                                                if (r.ok()) connected = std::move(r).value();
                                              });
    if (!WaitUntil(loop, [&] { return done; }) || connected == nullptr) return nullptr;
    auto peer = std::make_unique<LoopbackPeer>();
    peer->Adopt(std::move(connected));
    return peer;
  }

  void Adopt(std::unique_ptr<net::Transport> t) {
    transport = std::move(t);
    net::TransportCallbacks cb;
    cb.on_data = [this](std::string_view d) { received.append(d); };
    cb.on_eof = [this] { eof = true; };
    cb.on_error = [this](const Status&) { error = true; };
    cb.on_closed = [this] { closed = true; };
    transport->SetCallbacks(std::move(cb));
    (void)transport->StartReading();
  }

  void Send(std::string bytes) { CHECK_OK(transport->Write(std::move(bytes))); }

  // Closes with a TCP reset (SO_LINGER 0), as a crashing client would.
  void Reset() {
    uv_handle_t* h = nullptr;
    auto* tcp = dynamic_cast<net::TcpTransport*>(transport.get());
    if (tcp != nullptr) h = reinterpret_cast<uv_handle_t*>(tcp->uv_handle());
    uv_os_fd_t fd;
    if (h != nullptr && uv_fileno(h, &fd) == 0) {
      struct linger lg = {1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    transport->Close();
  }
};

// Handles other than the loop's own mailbox (uv_async).
inline int OpenHandles(EventLoop& loop) {
  int n = 0;
  uv_walk(
      NativeHandle(loop),
      [](uv_handle_t* h, void* arg) {
        if (h->type != UV_ASYNC) ++*static_cast<int*>(arg);
      },
      &n);
  return n;
}

// Runs pending close callbacks; true when every handle is gone. Call after destroying the
// objects under test: their handles must already be closing, so no waiting is involved.
inline bool AllHandlesClosed(EventLoop& loop) {
  for (int i = 0; i < 100 && OpenHandles(loop) > 0; ++i) uv_run(NativeHandle(loop), UV_RUN_NOWAIT);
  return OpenHandles(loop) == 0;
}

}  // namespace kong::test

#endif  // KONG_TESTS_UNIT_NET_LOOPBACK_PEER_H_
