// ServerConnection: llhttp request parsing, pipelined responses and timeouts on one transport.
#ifndef KONG_HTTP_SERVER_CONNECTION_H_
#define KONG_HTTP_SERVER_CONNECTION_H_

#include <llhttp.h>

#include <deque>
#include <memory>
#include <string>

#include "http/exchange.h"
#include "http/server.h"
#include "http/span_text.h"
#include "net/timer.h"
#include "net/transport.h"

namespace kong::http {

// Owns itself: it is deleted only in its timer's close callback, after the transport closed (or
// was handed over), so no call stack that touches it can see it freed; re-entrant calls check
// stopped() instead. Loop thread only.
class ServerConnection {
 public:
  ServerConnection(Server::Impl* server, std::unique_ptr<net::Transport> transport,
                   std::string tls_server_name);
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;

  void Start();
  // Closes at once (server shutdown).
  void Abort();
  // Graceful server stop: closes now if idle, else after the responses already requested.
  void Drain();
  // Not counted once handed over by an upgrade.
  bool detached() const { return detached_; }

  // From Exchange.
  void OnExchangeOutput();
  Result<UpgradedTransport> Detach(Exchange* exchange);
  const ServerOptions& options() const;
  // Streaming request bodies: the exchange wants more (or no more) body bytes.
  void OnBodyDemand();
  void SendContinue(Exchange* exchange);
  // The exchange's output cannot go out now (transport above high water, or queued behind
  // an earlier response).
  bool OutputBlocked(const Exchange* exchange) const;

 private:
  enum class Phase { kIdle, kHeaders, kBody };
  ~ServerConnection();

  // Transport events.
  void OnData(std::string_view data);
  void OnEof();
  void OnClosed();

  // Parsing and dispatch.
  void Parse();
  bool CanParse() const;
  bool stopped() const { return closing_ || detached_; }
  void Dispatch();
  void DispatchHead();     // streaming mode: a request whose body follows
  void EndStreamedBody();  // streaming mode: the parser reached the end of the body
  bool BodyWaits() const;  // streaming mode: the handler does not want body bytes now
  void NotifyWritable();
  void CallHandler(const std::shared_ptr<Exchange>& exchange);
  void Reject(int status);
  void Flush();
  void UpdateReading();
  void UpdateTimer();
  void EndConnection();  // graceful: after the last response
  void Release();        // every handle is done: close the timer, then delete
  void DetachExchanges();

  // llhttp callbacks (noexcept trampolines).
  static int OnMessageBegin(llhttp_t* p) noexcept;
  static int OnUrl(llhttp_t* p, const char* at, size_t n) noexcept;
  static int OnHeaderField(llhttp_t* p, const char* at, size_t n) noexcept;
  static int OnHeaderValue(llhttp_t* p, const char* at, size_t n) noexcept;
  static int OnHeaderValueComplete(llhttp_t* p) noexcept;
  static int OnHeadersComplete(llhttp_t* p) noexcept;
  static int OnBody(llhttp_t* p, const char* at, size_t n) noexcept;
  static int OnMessageComplete(llhttp_t* p) noexcept;
  static const llhttp_settings_t* Settings();

  Server::Impl* server_;
  std::unique_ptr<net::Transport> transport_;
  net::Timer timer_;
  llhttp_t parser_;
  std::string tls_server_name_;
  std::string input_;  // received bytes not parsed yet
  size_t input_off_ = 0;
  bool in_parse_ = false;

  // The request being parsed lives in its exchange from the start: no Request moves.
  std::shared_ptr<Exchange> parsing_;
  Request& current() { return parsing_->request; }
  SpanText field_, value_;  // views into input_ until Parse() returns
  bool in_value_ = false;
  size_t header_bytes_ = 0;
  int reject_status_ = 0;
  std::shared_ptr<Exchange> completed_;  // parsed, waiting for Dispatch()
  bool head_ready_ = false;             // streaming: head parsed, waiting for DispatchHead()
  bool body_done_ = false;              // streaming: body parsed, waiting for EndStreamedBody()
  size_t body_bytes_ = 0;               // streaming: body bytes of streaming_ so far
  std::shared_ptr<Exchange> streaming_;  // the exchange whose body is being parsed

  std::deque<std::shared_ptr<Exchange>> queue_;  // responses in request order
  std::shared_ptr<Exchange> deferred_upgrade_;   // dispatched once it heads the queue
  Phase phase_ = Phase::kIdle;
  size_t requests_ = 0;
  bool idle_timer_armed_ = false;
  bool header_timer_due_ = false;  // a head began: arm header_timeout once Parse() ends
  bool reading_ = false;
  bool peer_eof_ = false;
  bool no_more_requests_ = false;  // a response closes the connection, or the request was bad
  bool upgrade_pending_ = false;
  bool output_blocked_ = false;  // transport above its high-water mark
  bool ending_ = false;          // Shutdown() called
  bool draining_ = false;        // Drain(): the connection ends after its queued responses
  bool closing_ = false;         // transport closing, or Abort()
  bool detached_ = false;        // transport handed over
  bool released_ = false;
};

}  // namespace kong::http

#endif  // KONG_HTTP_SERVER_CONNECTION_H_
