// TcpTransport: the raw TCP implementation of Transport over a libuv stream.
#ifndef KONG_NET_TCP_TRANSPORT_H_
#define KONG_NET_TCP_TRANSPORT_H_

#include <uv.h>

#include <memory>
#include <string>

#include <sys/types.h>

#include "net/transport.h"

namespace kong::net {

// The uv_tcp_t lives in a heap core freed only in its close callback; the front object may be
// destroyed at any time (see Transport). Loop thread only.
class TcpTransport final : public Transport {
 public:
  // A socket that is not connected yet (for ConnectAttempt).
  static Result<std::unique_ptr<TcpTransport>> Create(EventLoop& loop);
  // Accepts one pending connection of a listening stream.
  static Result<std::unique_ptr<TcpTransport>> Accept(EventLoop& loop, uv_stream_t* server);

  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;
  ~TcpTransport() override;

  void SetCallbacks(TransportCallbacks callbacks) override { cb_ = std::move(callbacks); }
  Status StartReading() override;
  void StopReading() override;
  Status Write(std::string bytes) override;
  size_t write_queue_size() const override;
  void SetWriteWatermarks(size_t low, size_t high) override;
  void Shutdown(uint64_t linger_ms = 5000) override;
  void Close() override;
  bool closing() const override;
  const std::string& peer_address() const override { return peer_; }
  const std::string& local_address() const override { return local_; }
  EventLoop& loop() const override { return loop_; }

  // For the listener and the connector: the handle (null once closed), and a refresh of the
  // address strings after connect.
  uv_tcp_t* uv_handle();
  void RefreshAddresses();

 private:
  struct Core;
  explicit TcpTransport(EventLoop& loop);
  void Fail(const Status& error);
  void FireClosed();
  ssize_t TrySend(const std::string& bytes);

  EventLoop& loop_;
  Core* core_ = nullptr;
  TransportCallbacks cb_;
  std::string peer_;
  std::string local_;
  size_t low_water_ = kDefaultWriteLowWater;
  size_t high_water_ = kDefaultWriteHighWater;
  bool above_high_ = false;
};

}  // namespace kong::net

#endif  // KONG_NET_TCP_TRANSPORT_H_
