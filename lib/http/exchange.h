// Exchange: one request on a server connection and the state of its response (internal).
#ifndef KONG_HTTP_EXCHANGE_H_
#define KONG_HTTP_EXCHANGE_H_

#include <functional>
#include <string>

#include "http/head_fields.h"
#include "http/message.h"
#include "http/server.h"
#include "kong/event_loop.h"

namespace kong::http {

class ServerConnection;

// Shared by the connection's response queue and every ResponseWriter copy. The connection
// clears `conn` when it closes or hands its transport over; from then on answers are no-ops.
class Exchange {
 public:
  Exchange(ServerConnection* conn, EventLoop& loop, Request request, bool keep_alive)
      : request(std::move(request)), conn(conn), loop(loop), keep_alive(keep_alive) {}
  // For the parser, which fills `request` in place and sets `keep_alive` at dispatch.
  Exchange(ServerConnection* conn, EventLoop& loop) : conn(conn), loop(loop), keep_alive(false) {}

  bool Send(Response response);
  bool SendHead(int status, HeaderMap headers, bool flush = true);
  bool SendHead(int status, const HeadFields& fields, bool flush = true);
  bool SendChunk(std::string_view data);
  bool Finish();
  Result<UpgradedTransport> TakeTransport();
  // Every writer was dropped: answer 500, or abort a half-streamed response.
  void Abandon();

  Request request;
  ServerConnection* conn;
  EventLoop& loop;
  bool keep_alive;  // this response may leave the connection open
  bool head_sent = false;
  bool finished = false;         // the whole response is encoded into `out` (or already written)
  bool chunked = false;          // streamed body uses chunked coding
  bool body_suppressed = false;  // HEAD, 1xx, 204, 304: body bytes are dropped
  std::string out;               // encoded bytes not yet handed to the transport

  // Streaming request body (ServerOptions::stream_request_body).
  bool ReadBody(RequestBodyCallbacks callbacks);
  void PauseBody();
  void ResumeBody();
  // From the connection: body bytes parsed, and the end of the body.
  void DeliverBody(std::string_view data);
  void EndBody();
  // The connection went away before this exchange finished.
  void NotifyAbort();
  void NotifyWritable();
  bool write_blocked() const;

  bool body_streaming = false;   // the connection parses this exchange's body
  bool body_reading = false;     // ReadBody() was called
  bool body_paused = false;
  bool body_complete = false;    // the parser reached the end of the body
  bool body_end_sent = false;    // on_end was called
  bool continue_sent = false;
  std::string body_pending;      // parsed while paused
  RequestBodyCallbacks body_callbacks;
  std::function<void()> on_abort;
  std::function<void()> on_writable;

 private:
  // Appends the encoded head to `out`: adds Date/Server/Connection, drops the framing headers
  // the writer owns. `stream`: a streamed body (SendHead), chunked unless `fields` state a
  // Content-Length (or close-delimited for HTTP/1.0).
  void AppendHead(int status, const HeadFields& fields, bool stream);
};

}  // namespace kong::http

#endif  // KONG_HTTP_EXCHANGE_H_
