// ConnectionPool and UpstreamConnection: HTTP/1.1 to upstream servers for the proxy, one pool
// per worker loop, keep-alive as nginx's `keepalive` upstream directive (Kong's defaults).
#ifndef KONG_UPSTREAM_CONNECTION_POOL_H_
#define KONG_UPSTREAM_CONNECTION_POOL_H_

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/header_map.h"
#include "http/message.h"
#include "kong/event_loop.h"
#include "kong/status.h"
#include "tls/tls_context.h"

namespace kong::upstream {

struct PoolOptions {
  // Idle connections kept per peer (Kong's upstream_keepalive_pool_size 512; 0 disables reuse).
  size_t max_idle_per_peer = 512;
  // An idle connection is closed after this (upstream_keepalive_idle_timeout 60 s).
  uint64_t idle_timeout_ms = 60000;
  // A connection is closed after serving this many requests (upstream_keepalive_max_requests).
  size_t max_requests = 10000;
};

// Where to connect. Connections are interchangeable when all fields are equal.
struct Peer {
  sockaddr_storage address{};  // IP and port to connect to
  // TLS to the upstream (service protocol https/grpcs/tls); null for plain TCP. The context
  // carries tls_verify / ca_certificates / client_certificate; its identity is part of the key.
  std::shared_ptr<const tls::TlsContext> tls;
  std::string sni;  // server name sent and verified (the service host, or the Host header
                    // with preserve_host, as Kong's upstream_sni); "" for none
};

// Why an exchange failed: the proxy maps these to Kong's statuses and decides on retries.
enum class UpstreamErrorKind {
  kConnectFailed,   // refused, unreachable, TLS handshake failure: 502, retryable
  kConnectTimeout,  // 504, retryable
  kWriteTimeout,    // 504
  kReadTimeout,     // 504
  kReset,           // the peer closed or reset before a complete response head: 502
  kBadResponse,     // unparsable response head, oversized head: 502
  kBodyBroken,      // the response body ended early or was malformed after the head went out
};

struct UpstreamError {
  UpstreamErrorKind kind;
  std::string message;  // for the error log: "connect() to 127.0.0.1:9 failed: connection refused"
  // True when no request byte reached the server's socket (Kong/nginx retry only then, and
  // for non-idempotent methods only in that case).
  bool nothing_sent = false;
};

struct ExchangeTimeouts {
  uint64_t write_ms = 60000;  // longest pause between two successful writes of the request
  uint64_t read_ms = 60000;   // longest pause between two reads of the response
};

// The request head as the proxy built it (method, target, headers incl. Host). The pool adds
// nothing but framing: Content-Length is forwarded as given; when `body` is kChunked the
// connection writes Transfer-Encoding: chunked and chunk-encodes WriteBody() data.
struct UpstreamRequestHead {
  std::string method;
  std::string target;  // "/path?query"
  http::HeaderMap headers;
  enum class Body { kNone, kContentLength, kChunked } body = Body::kNone;
  // When not empty: the head already serialized (with its framing field), sent as is;
  // `headers` is then ignored. The proxy writes it directly, without a HeaderMap.
  std::string raw;
  // The response parser must know that a HEAD response has no body.
  bool head_request() const { return method == "HEAD"; }
};

struct UpstreamResponseHead {
  int status = 0;
  int http_major = 1, http_minor = 1;
  http::HeaderMap headers;  // as received, incl. hop-by-hop (the proxy filters them)
  // -1 when not given (chunked or close-delimited); the proxy re-frames for the client.
  int64_t content_length = -1;
  bool upgrade = false;  // 101 Switching Protocols: call TakeTransport() in on_head
  // The whole Content-Length body came in the same read: on_body and on_end follow before
  // on_head's caller returns to the loop (unless the proxy pauses the response).
  bool body_at_hand = false;
};

// Callbacks of one exchange, on the loop thread. Each may destroy or Abort() the connection.
struct ExchangeCallbacks {
  // The response head. Interim 1xx responses other than 101 are skipped (100-continue is
  // handled by the proxy towards its client).
  std::function<void(UpstreamResponseHead head)> on_head;
  // Response body bytes, de-chunked. Valid during the call only.
  std::function<void(std::string_view data)> on_body;
  // The response is complete. The connection is idle again: hand it back with Release().
  std::function<void()> on_end;
  // A failure; no other callback follows. The connection is dead (don't Release it).
  std::function<void(const UpstreamError& error)> on_error;
  // The request write queue rose above / fell below its watermarks (pause / resume reading
  // the client's body).
  std::function<void()> on_write_high;
  std::function<void()> on_write_low;
};

// One connection to an upstream server, used for one exchange at a time. Owned by the
// proxy while in use (unique_ptr) and by the pool while idle. Loop thread only.
class UpstreamConnection {
 public:
  virtual ~UpstreamConnection() = default;

  // Writes the request head and starts the exchange. With Body::kNone the request is complete
  // at once; otherwise call WriteBody()/EndBody().
  virtual void Start(UpstreamRequestHead head, ExchangeTimeouts timeouts,
                     ExchangeCallbacks callbacks) = 0;
  // Request body bytes (chunk-framed here when the head said kChunked).
  virtual void WriteBody(std::string data) = 0;
  // The request body is complete (writes the last chunk for kChunked).
  virtual void EndBody() = 0;

  // Response backpressure: stop / resume reading while the client is slow.
  virtual void PauseResponse() = 0;
  virtual void ResumeResponse() = 0;

  // After on_head with upgrade == true: the raw transport (reading stopped) and bytes read
  // past the 101 head. The connection is finished.
  virtual Result<http::UpgradedTransport> TakeTransport() = 0;

  // Drops the connection (client went away, proxy error); no callback follows.
  virtual void Abort() = 0;

  // True for a connection that came from the idle pool (a failure before any response byte
  // on a reused connection is retried once on a fresh one, as nginx does).
  virtual bool reused() const = 0;
  virtual const std::string& peer_address() const = 0;
};

// A pending Acquire; destroying it cancels the connect (the callback is not called).
class AcquireHandle {
 public:
  virtual ~AcquireHandle() = default;
};

class ConnectionPool {
 public:
  // Exactly one of the two is set: a ready connection, or why none could be made
  // (kConnectFailed / kConnectTimeout, nothing_sent = true).
  using AcquireCallback = std::function<void(std::unique_ptr<UpstreamConnection> connection,
                                             const UpstreamError* error)>;

  ConnectionPool(EventLoop& loop, PoolOptions options = {});
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;
  // Closes every idle connection; connections still held by the proxy stay valid until freed.
  ~ConnectionPool();

  // An idle connection to `peer` (checked alive: one that the server closed is discarded),
  // else a new one (TCP connect + TLS handshake within `connect_timeout_ms`). An idle one
  // answers inside Acquire(), which then returns null; a new one later.
  std::unique_ptr<AcquireHandle> Acquire(const Peer& peer, uint64_t connect_timeout_ms,
                                         AcquireCallback done);
  // Hands a connection back after on_end. Kept if the response allowed keep-alive, it served
  // fewer than max_requests and the peer's idle list has room; closed otherwise.
  void Release(std::unique_ptr<UpstreamConnection> connection);

  size_t idle_count() const;
  // Connections ever opened (tests: proves reuse).
  size_t opened_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kong::upstream

#endif  // KONG_UPSTREAM_CONNECTION_POOL_H_
