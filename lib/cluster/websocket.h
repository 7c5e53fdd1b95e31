// RFC 6455 framing over an upgraded net::Transport, driven by wslay's event API.
#ifndef KONG_CLUSTER_WEBSOCKET_H_
#define KONG_CLUSTER_WEBSOCKET_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "kong/status.h"
#include "net/transport.h"

namespace kong::cluster {

enum class WebSocketRole { kServer, kClient };  // clients mask their frames

struct WebSocketOptions {
  WebSocketRole role = WebSocketRole::kServer;
  // Largest message accepted (cluster_max_payload); bigger ones close the socket with 1009.
  size_t max_message_size = 16 * 1024 * 1024;
};

// Events, all on the transport's loop thread. Any callback may destroy the WebSocket.
struct WebSocketCallbacks {
  // A complete (defragmented) data message; `binary` false for text.
  std::function<void(bool binary, std::string_view payload)> on_message;
  // A ping arrived; the pong answer is already queued.
  std::function<void(std::string_view payload)> on_ping;
  std::function<void(std::string_view payload)> on_pong;
  // The socket is closed for good: `status` is OK after a clean close handshake, else the
  // reason (peer vanished, protocol error, message too big). Called once; last callback.
  std::function<void(const Status& status)> on_closed;
};

class WebSocket {
 public:
  // Takes over an upgraded transport. `buffered`: bytes read past the HTTP head, consumed first.
  static Result<std::unique_ptr<WebSocket>> Create(std::unique_ptr<net::Transport> transport,
                                                   std::string buffered, WebSocketOptions options,
                                                   WebSocketCallbacks callbacks);
  ~WebSocket();
  WebSocket(const WebSocket&) = delete;
  WebSocket& operator=(const WebSocket&) = delete;

  // Processes buffered bytes and starts reading.
  Status Start();
  Status SendBinary(std::string payload);
  Status SendText(std::string payload);
  Status SendPing(std::string payload);  // control frames carry at most 125 bytes
  // Starts the close handshake; on_closed follows once the peer answers (or goes away).
  Status Close(uint16_t code = 1000, std::string reason = {});

  class Impl;

 private:
  explicit WebSocket(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kong::cluster

#endif  // KONG_CLUSTER_WEBSOCKET_H_
