// Listener: a bound, listening TCP socket for one ListenSpec, handing over accepted streams.
#ifndef KONG_NET_LISTENER_H_
#define KONG_NET_LISTENER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "kong/event_loop.h"
#include "kong/status.h"
#include "net/listen_spec.h"
#include "net/transport.h"

namespace kong::net {

// Accepted connections arrive as raw TCP transports, not yet reading; an `ssl` spec's owner
// wraps them in TLS. so_keepalive is applied to each accepted socket. Loop thread only.
class Listener {
 public:
  using AcceptCallback = std::function<void(std::unique_ptr<Transport> connection)>;
  // Accept failures (EMFILE, ...) are reported here; the listener keeps listening.
  using ErrorCallback = std::function<void(const Status& error)>;

  // Binds and listens. Host names are resolved synchronously (first address), as nginx does
  // at startup. SO_REUSEPORT is set for `reuseport` specs (libuv 1.44 has no flag for it).
  // Errors name the address: "bind 127.0.0.1:8001: address already in use".
  static Result<std::unique_ptr<Listener>> Create(EventLoop& loop, const ListenSpec& spec,
                                                  AcceptCallback on_accept,
                                                  ErrorCallback on_error = nullptr);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  // Closes the socket if still open; no callback runs afterwards.
  ~Listener();

  // The port actually bound (the OS's choice for port 0).
  uint16_t bound_port() const { return bound_port_; }
  // "127.0.0.1:8001" / "[::1]:8001" with the bound port.
  const std::string& address() const { return address_; }
  const ListenSpec& spec() const { return spec_; }

  // Stops accepting; `on_closed` (may be empty) runs after the handle closed. Idempotent.
  void Close(std::function<void()> on_closed);
  bool closed() const { return core_ == nullptr || closing_; }

 private:
  struct Core;
  Listener(EventLoop& loop, ListenSpec spec);
  void OnConnection(int status);

  EventLoop& loop_;
  ListenSpec spec_;
  Core* core_ = nullptr;
  bool closing_ = false;
  AcceptCallback on_accept_;
  ErrorCallback on_error_;
  std::function<void()> on_closed_;
  uint16_t bound_port_ = 0;
  std::string address_;
};

}  // namespace kong::net

#endif  // KONG_NET_LISTENER_H_
