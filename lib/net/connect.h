// ConnectAttempt: an asynchronous TCP connect to host:port (DNS included) with one deadline.
#ifndef KONG_NET_CONNECT_H_
#define KONG_NET_CONNECT_H_

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kong/event_loop.h"
#include "kong/status.h"
#include "net/timer.h"
#include "net/transport.h"

namespace kong::net {

class TcpTransport;

struct ConnectOptions {
  // Deadline for resolving and connecting, all addresses together (nginx's
  // proxy_connect_timeout default). The error is "connect <host>:<port>: connection timed out".
  uint64_t timeout_ms = 60000;
};

// One connection attempt. Names are resolved with uv_getaddrinfo (off the loop thread, inside
// libuv's pool); each resolved address is tried in turn until one accepts. Loop thread only.
class ConnectAttempt {
 public:
  using Callback = std::function<void(Result<std::unique_ptr<Transport>> connected)>;

  // `host` is an IP literal ("[::1]" allowed) or a name. `done` runs exactly once, on a later
  // loop iteration (never inside Start), unless the attempt is destroyed first. The transport
  // it receives is connected and not reading yet.
  static std::unique_ptr<ConnectAttempt> Start(EventLoop& loop, std::string host, uint16_t port,
                                               ConnectOptions options, Callback done);
  ConnectAttempt(const ConnectAttempt&) = delete;
  ConnectAttempt& operator=(const ConnectAttempt&) = delete;
  // Cancels a pending attempt; `done` is not called.
  ~ConnectAttempt();

 private:
  struct ResolveReq;
  struct ConnectReq;
  ConnectAttempt(EventLoop& loop, std::string host, uint16_t port, Callback done);
  void TryNext();
  void Finish(Result<std::unique_ptr<Transport>> result);
  void FinishLater(Status error);
  std::string Target() const;

  EventLoop& loop_;
  std::string host_;
  uint16_t port_;
  Callback done_;
  Timer timer_;
  ResolveReq* resolving_ = nullptr;
  ConnectReq* connecting_ = nullptr;
  std::vector<sockaddr_storage> addresses_;
  size_t next_ = 0;
  std::unique_ptr<TcpTransport> socket_;
  Status last_error_;
  bool finished_ = false;
};

}  // namespace kong::net

#endif  // KONG_NET_CONNECT_H_
