// HTTP/1.x server: ServerOptions (nginx/Kong limits), ResponseWriter and Server.
#ifndef KONG_HTTP_SERVER_H_
#define KONG_HTTP_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/head_fields.h"
#include "http/message.h"
#include "kong/event_loop.h"
#include "kong/status.h"
#include "net/listen_spec.h"
#include "net/transport.h"

namespace kong::http {

// Limits follow nginx's defaults, which Kong keeps unless noted. A limit of 0 means none.
struct ServerOptions {
  // `Server:` header on every response; empty omits it. Kong sends "kong/<version>".
  std::string server_name = "kong";

  // Request line longer than this: 414 (nginx: one large_client_header_buffers buffer, 8k).
  size_t max_request_line_size = 8 * 1024;
  // One header field (name + value) longer than this: 400 with Kong's "Request header or cookie
  // too large" message. nginx answers this internally as 494 and sends it as 400; Kong's error
  // handler does the same.
  size_t max_header_line_size = 8 * 1024;
  // All header fields together (nginx: 4 buffers of 8k): 400 "Request header or cookie too large".
  size_t max_header_size = 32 * 1024;
  // Number of header fields: 400 "Request header or cookie too large". nginx has no count limit
  // of its own (the byte limit bounds it); this guards against many tiny fields.
  size_t max_header_count = 1000;
  // Request body (Content-Length or de-chunked): 413 (nginx client_max_body_size 1m; Kong's
  // Admin API uses 10m).
  size_t max_body_size = 1024 * 1024;

  // Time allowed to receive a whole request head (nginx client_header_timeout 60s); also the
  // wait for the first request of a connection. The connection is closed without a response.
  uint64_t header_timeout_ms = 60000;
  // Longest pause between two reads of a request body (nginx client_body_timeout 60s).
  uint64_t body_timeout_ms = 60000;
  // Idle time between requests on a kept-alive connection (Kong's keepalive_timeout 60s);
  // 0 disables keep-alive (every response closes the connection), as in nginx.
  uint64_t keepalive_timeout_ms = 60000;
  // Requests per connection; the last response carries "Connection: close" (nginx
  // keepalive_requests 1000).
  size_t max_requests_per_connection = 1000;
  // Requests read ahead of their responses on one connection (pipelining). Beyond this the
  // server stops reading until responses go out. nginx reads one at a time; this allows more.
  size_t max_pipelined_requests = 16;
  // After the last response of a connection: how long to discard client data before closing
  // (nginx lingering_timeout 5s).
  uint64_t linger_ms = 5000;
  // Transport write-queue watermarks: above `write_high_water` the server stops reading the
  // connection until the queue drains to `write_low_water`.
  size_t write_low_water = net::Transport::kDefaultWriteLowWater;
  size_t write_high_water = net::Transport::kDefaultWriteHighWater;

  // Proxy mode. A request with a body is handed to the handler as soon as its head is
  // complete; the body arrives through ResponseWriter::ReadBody() (de-chunked by llhttp), read
  // from the socket only while the handler wants it (Pause/Resume), and the next pipelined
  // request is parsed only once the body is consumed. max_body_size still applies (0: none);
  // body_timeout_ms runs only while the body is being read. "Expect: 100-continue" is answered
  // when the handler starts reading. Requests without a body are dispatched as usual. To save
  // work per request, Request::path and Request::query are left empty in this mode (raw_path
  // and query_string are set; decode them when needed).
  bool stream_request_body = false;
};

// Streaming request body events (ServerOptions::stream_request_body), on the loop thread.
struct RequestBodyCallbacks {
  // De-chunked body bytes; the view is valid during the call only.
  std::function<void(std::string_view data)> on_data;
  // The body is complete (after the last on_data).
  std::function<void()> on_end;
};

class Exchange;  // one request and its response; internal

// The handle a handler answers with. Copyable; copies share one exchange. It keeps the request
// alive, so a handler may return and answer later (e.g. after a store thread replied): every
// method is a no-op returning false once the connection has gone, so a late answer is safe.
// Responses on a connection go out in request order whatever order handlers answer in.
// Loop thread only; a copy may be destroyed on another thread. If every copy is dropped without
// an answer the server answers 500 (or closes the connection if a streamed head went out).
class ResponseWriter {
 public:
  explicit ResponseWriter(std::shared_ptr<Exchange> exchange);
  ~ResponseWriter();
  ResponseWriter(const ResponseWriter&);
  ResponseWriter& operator=(const ResponseWriter&);

  Request& request() const;

  // A whole response. Sets Content-Length, Connection, Date and Server (the latter two unless
  // present). A "Connection: close" header makes this the connection's last response. 1xx
  // statuses are refused (a 101 goes out through TakeTransport()'s new owner).
  bool Send(Response response);
  // Streaming: the head now, then chunks, then Finish(). Chunked for HTTP/1.1 unless `headers`
  // has Content-Length; close-delimited for HTTP/1.0. With `flush` false the head waits for
  // the next SendChunk() or Finish(), which the caller promises to make at once (one write
  // instead of two when the whole body is already at hand).
  bool SendHead(int status, HeaderMap headers, bool flush = true);
  // The same with fields produced on demand and encoded straight into the output (no map).
  bool SendHead(int status, const HeadFields& fields, bool flush = true);
  bool SendChunk(std::string_view data);
  bool Finish();

  // Takes the connection over after an upgrade request (request().upgrade). Nothing has been
  // written for this request: the new owner writes the 101 itself. Fails if the request is not
  // an upgrade, was answered, or the connection is gone.
  Result<UpgradedTransport> TakeTransport();

  // The connection still exists and this exchange is not answered yet.
  bool pending() const;

  // Streaming mode only (ServerOptions::stream_request_body): starts delivering the request
  // body and answers "Expect: 100-continue". False when the request has no streamed body (its
  // body, if any, is in request().body) or the connection is gone. Callbacks may run before
  // ReadBody returns; they stop once the connection goes away (see OnAbort).
  bool ReadBody(RequestBodyCallbacks callbacks);
  // Backpressure towards the client: stop / resume reading its socket. Bytes already parsed
  // are held and delivered on Resume.
  void PauseBody();
  void ResumeBody();

  // `fn` runs once if the connection closes (client gone, body timeout, server closed) before
  // this exchange finished. It may run inside any call made on this writer. Empty clears it.
  void OnAbort(std::function<void()> fn);

  // Response backpressure: true while the client's write queue is above the high-water mark
  // (or this response waits behind an earlier one). `fn` runs once the output drained to the
  // low-water mark (at once when it is not blocked). A producer (the proxy's upstream read)
  // pauses in between.
  bool write_blocked() const;
  void OnWritable(std::function<void()> fn);

 private:
  struct Holder;
  std::shared_ptr<Holder> holder_;
};

using Handler = std::function<void(Request& request, ResponseWriter& writer)>;

// Serves HTTP/1.0 and 1.1 on listeners it owns and on transports handed to it (TLS). Loop
// thread only. Destroying a running server closes everything; pending answers become no-ops.
// A client that closes its side while a request is unanswered abandons that request, as in
// nginx (499): the connection closes and late answers are no-ops.
class Server {
 public:
  static Result<std::unique_ptr<Server>> Create(EventLoop& loop, ServerOptions options,
                                                Handler handler);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Listens on a plain-TCP spec. An `ssl` spec is rejected: its owner accepts through a TLS
  // listener and hands the transports to Serve(). Returns the bound port.
  Result<uint16_t> Listen(const net::ListenSpec& spec);
  // Serves an accepted (or otherwise connected) transport until it closes. `tls_server_name`
  // (the SNI a TLS transport received) is copied into each Request::sni.
  void Serve(std::unique_ptr<net::Transport> transport, std::string tls_server_name = {});

  // Graceful stop: closes the listeners, closes idle connections, and lets each busy one
  // close after its current responses ("Connection: close" where the head is not out yet).
  // connection_count() reaches 0 when every request finished; Close() ends the rest.
  void Drain();

  // Ports of the listeners, in Listen() order.
  std::vector<uint16_t> bound_ports() const;
  // Connections open right now (after an upgrade hand-off a connection no longer counts).
  size_t connection_count() const;

  // Stops listening and closes every connection at once; `on_closed` runs after the last
  // handle closed. Idempotent.
  void Close(std::function<void()> on_closed);

  class Impl;

 private:
  explicit Server(Impl* impl);
  Impl* impl_;  // owns itself while handles close after ~Server
};

}  // namespace kong::http

#endif  // KONG_HTTP_SERVER_H_
