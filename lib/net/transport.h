// Transport: a connected byte stream (raw TCP here, TLS in lib/tls) that HTTP runs over.
#ifndef KONG_NET_TRANSPORT_H_
#define KONG_NET_TRANSPORT_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "kong/event_loop.h"
#include "kong/status.h"

namespace kong::net {

// Events of a Transport, all called on its loop's thread. Any callback may call Close(),
// Shutdown() or SetCallbacks(), or destroy the transport; implementations check for that
// after every call-out. Empty functions are allowed.
struct TransportCallbacks {
  // Bytes from the peer (plaintext for TLS); the view is valid during the call only.
  std::function<void(std::string_view data)> on_data;
  // The peer finished sending (TCP FIN, TLS close_notify). Reading stops; Write() still works.
  std::function<void()> on_eof;
  // A read or write failed. The transport is already closing; on_closed follows.
  std::function<void(const Status& error)> on_error;
  // write_queue_size() rose above the high-water mark: stop producing (pause the other side).
  std::function<void()> on_write_high;
  // ...and fell back to the low-water mark: resume.
  std::function<void()> on_write_low;
  // Fully closed (every handle's close callback ran). The last callback: the owner may
  // destroy the transport, and itself, here.
  std::function<void()> on_closed;
};

// Envoy's TransportSocket seam: lib/http uses only this interface, so TLS (lib/tls) plugs in as
// another implementation. Ownership: the owner holds a std::unique_ptr<Transport> and may
// destroy it at any time; destruction closes it (a Shutdown() in progress still completes) and
// no callback runs afterwards. All methods: loop thread only.
class Transport {
 public:
  static constexpr size_t kDefaultWriteLowWater = 64 * 1024;
  static constexpr size_t kDefaultWriteHighWater = 1024 * 1024;

  virtual ~Transport() = default;

  // Replaces the callbacks (e.g. when an upgraded connection changes hands).
  virtual void SetCallbacks(TransportCallbacks callbacks) = 0;

  // Starts or resumes delivering on_data/on_eof/on_error. Fails once closing or after EOF.
  virtual Status StartReading() = 0;
  // Pauses reading (backpressure); bytes wait in the kernel.
  virtual void StopReading() = 0;

  // Queues bytes for the peer, in order. Fails once Shutdown() or Close() was called.
  virtual Status Write(std::string bytes) = 0;
  // Bytes accepted by Write() that the peer's socket has not taken yet.
  virtual size_t write_queue_size() const = 0;
  // Watermarks for on_write_high/on_write_low (defaults above).
  virtual void SetWriteWatermarks(size_t low, size_t high) = 0;

  // Graceful close: flushes queued writes, half-closes (FIN), then discards input until the
  // peer closes or `linger_ms` passes (nginx's lingering close, so a peer still sending does
  // not get a reset that destroys the response), then closes. on_data is no longer called.
  virtual void Shutdown(uint64_t linger_ms = 5000) = 0;
  // Immediate close: queued writes are dropped. Idempotent; on_closed follows once.
  virtual void Close() = 0;
  // True once Shutdown() or Close() was called or an error closed the transport.
  virtual bool closing() const = 0;

  // "1.2.3.4:5678" / "[::1]:5678" of the peer and of our side; "" if unknown.
  virtual const std::string& peer_address() const = 0;
  virtual const std::string& local_address() const = 0;

  virtual EventLoop& loop() const = 0;
};

}  // namespace kong::net

#endif  // KONG_NET_TRANSPORT_H_
