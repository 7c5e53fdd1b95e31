// PooledConnection: the UpstreamConnection of ConnectionPool, one HTTP/1.1 exchange at a time.
#ifndef KONG_UPSTREAM_POOLED_CONNECTION_H_
#define KONG_UPSTREAM_POOLED_CONNECTION_H_

#include <llhttp.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/span_text.h"
#include "net/timer.h"
#include "net/transport.h"
#include "upstream/connection_pool.h"

namespace kong::upstream {

class PooledConnection;

// Told when an idle connection must leave the pool (the server closed it or sent bytes, or
// the idle timeout passed). It destroys the connection; nothing runs after the call.
class IdleOwner {
 public:
  virtual ~IdleOwner() = default;
  virtual void OnIdleConnectionGone(PooledConnection* connection) = 0;
};

// The transport reads all the time, outside PauseResponse(): during an exchange for the
// response, while idle to notice a server closing the connection. The response is parsed
// straight from the transport's read buffer; llhttp pauses after each event (head, body span,
// end) so that user callbacks run outside llhttp_execute and may destroy the connection.
class PooledConnection final : public UpstreamConnection {
 public:
  // `transport` is connected (TLS: handshake done). `pool_key` identifies the Peer.
  PooledConnection(EventLoop& loop, std::unique_ptr<net::Transport> transport,
                   std::string pool_key);
  ~PooledConnection() override;

  void Start(UpstreamRequestHead head, ExchangeTimeouts timeouts,
             ExchangeCallbacks callbacks) override;
  void WriteBody(std::string data) override;
  void EndBody() override;
  void PauseResponse() override;
  void ResumeResponse() override;
  Result<http::UpgradedTransport> TakeTransport() override;
  void Abort() override;
  bool reused() const override { return reused_; }
  const std::string& peer_address() const override { return peer_; }

  // Pool side.
  const std::string& pool_key() const { return pool_key_; }
  // The exchange completed, both sides allow keep-alive and fewer than `max_requests` were
  // served.
  bool Reusable(size_t max_requests) const;
  // Enters the idle pool: `owner` hears when the connection must go.
  void Park(IdleOwner* owner, uint64_t idle_timeout_ms);
  // Leaves the idle pool for a new exchange; false if the connection is no longer usable.
  bool Unpark();

 private:
  enum class State { kFresh, kActive, kComplete, kIdle, kUpgraded, kDead };
  enum class Event { kNone, kHead, kBody, kEnd, kHeadAndEnd };
  // Marks a stack frame that touches members after calling out: ~PooledConnection sets the
  // innermost guard's flag, and each guard passes it on to the one it replaced.
  struct DestroyGuard {
    explicit DestroyGuard(PooledConnection* c) : conn(c), previous(c->destroyed_) {
      c->destroyed_ = &destroyed;
    }
    ~DestroyGuard() {
      if (!destroyed) {
        conn->destroyed_ = previous;
      } else if (previous != nullptr) {
        *previous = true;
      }
    }
    DestroyGuard(const DestroyGuard&) = delete;
    DestroyGuard& operator=(const DestroyGuard&) = delete;

    PooledConnection* conn;
    bool* previous;
    bool destroyed = false;
  };

  // Transport events.
  void OnData(std::string_view data);
  void OnEof();
  void OnTransportError(const Status& error);
  void OnTimer();

  // Response side (response_parser.cc).
  void Parse(std::string_view data);
  void Dispatch(Event event);
  void DeliverHead();
  void Complete();
  void ResumeHeld();
  static const llhttp_settings_t* ParserSettings();
  static int OnMessageBegin(llhttp_t* p) noexcept;
  static int OnHeaderField(llhttp_t* p, const char* at, size_t n) noexcept;
  static int OnHeaderValue(llhttp_t* p, const char* at, size_t n) noexcept;
  static int OnHeaderValueComplete(llhttp_t* p) noexcept;
  int AppendHeadBytes(http::SpanText* to, const char* at, size_t n);  // with the head size cap
  static int OnHeadersComplete(llhttp_t* p) noexcept;
  static int OnBody(llhttp_t* p, const char* at, size_t n) noexcept;
  static int OnMessageComplete(llhttp_t* p) noexcept;

  // Request side and failures.
  // Hands request bytes to the transport; false once the exchange is over or *this is gone.
  bool Send(std::string bytes);
  void ArmTimer();
  void CheckTimeouts();
  void Fail(UpstreamErrorKind kind, std::string message, bool nothing_sent);
  void FailLater(UpstreamErrorKind kind, std::string message, bool nothing_sent);
  void Discard();  // not reusable any more: closes the transport
  bool nothing_written() const { return bytes_queued_ == 0; }
  uint64_t Now() const;

  EventLoop& loop_;
  std::unique_ptr<net::Transport> transport_;
  std::string pool_key_;
  std::string peer_;
  net::Timer timer_;  // exchange timeouts, deferred work, idle timeout
  State state_ = State::kFresh;
  IdleOwner* owner_ = nullptr;  // while idle
  bool* destroyed_ = nullptr;   // set by ~PooledConnection for the innermost DestroyGuard
  bool reused_ = false;
  size_t requests_ = 0;

  // The current exchange.
  ExchangeCallbacks cb_;
  ExchangeTimeouts timeouts_;
  bool chunked_ = false;
  bool head_request_ = false;
  bool request_complete_ = false;
  bool chunk_open_ = false;     // a chunk's data went out without its closing CRLF
  std::string corked_head_;     // the head, held until the first body bytes join it
  uint64_t bytes_queued_ = 0;   // request bytes handed to the transport
  uint64_t bytes_flushed_seen_ = 0;
  uint64_t last_write_progress_ms_ = 0;
  uint64_t last_read_ms_ = 0;
  bool paused_ = false;
  bool resume_pending_ = false;
  std::string held_;  // response bytes not parsed yet (paused mid-read, or after an upgrade)
  std::optional<UpstreamError> pending_error_;

  // Response parsing.
  llhttp_t parser_;
  UpstreamResponseHead head_;
  http::SpanText field_, value_;  // views into Parse()'s data until it returns
  size_t head_bytes_ = 0;
  bool response_started_ = false;
  bool head_delivered_ = false;
  bool skip_body_ = false;
  bool interim_ = false;
  bool keep_alive_ = false;
  bool head_too_large_ = false;
  Event event_ = Event::kNone;
  std::string_view body_span_;
};

}  // namespace kong::upstream

#endif  // KONG_UPSTREAM_POOLED_CONNECTION_H_
