// BytePipe: after a WebSocket (or other) upgrade, copies bytes both ways between the client's
// and the upstream's transports, with backpressure, until either side closes.
#ifndef KONG_GATEWAY_BYTE_PIPE_H_
#define KONG_GATEWAY_BYTE_PIPE_H_

#include <memory>
#include <string>

#include "gateway/worker_context.h"
#include "http/message.h"
#include "net/transport.h"

namespace kong::gateway {

// Owns itself (registered in WorkerContext::pipes) and is deleted once both transports
// closed. A side that ends (EOF) is flushed and shut down with the other: WebSocket closes
// with a close frame first, so half-open tunnels are not kept. Loop thread only.
class BytePipe {
 public:
  static void Start(WorkerContext& worker, http::UpgradedTransport client,
                    http::UpgradedTransport upstream);
  // Closes both sides at once (gateway stop).
  void Close();

 private:
  struct Side {
    std::unique_ptr<net::Transport> transport;
    bool closed = false;
  };
  BytePipe(WorkerContext& worker, http::UpgradedTransport client, http::UpgradedTransport upstream);
  void Wire(int i);
  void End();  // flush both, then close
  void OnClosed(int i);

  WorkerContext& worker_;
  Side sides_[2];
  bool ending_ = false;
};

}  // namespace kong::gateway

#endif  // KONG_GATEWAY_BYTE_PIPE_H_
