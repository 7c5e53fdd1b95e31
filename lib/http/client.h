// HttpClient: HTTP/1.1 requests over one Transport, responses parsed with llhttp.
#ifndef KONG_HTTP_CLIENT_H_
#define KONG_HTTP_CLIENT_H_

#include <llhttp.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "http/header_map.h"
#include "http/message.h"
#include "kong/event_loop.h"
#include "kong/status.h"
#include "net/timer.h"
#include "net/transport.h"

namespace kong::http {

struct ClientOptions {
  // Host header when a request has none; empty uses the transport's peer address.
  std::string host;
  // Longest wait for response bytes while a request is outstanding (nginx
  // proxy_read_timeout 60s). The error is "http response from <peer>: connection timed out".
  uint64_t read_timeout_ms = 60000;
  // Limits; exceeding one fails the request with a protocol error. 0 means none.
  size_t max_header_size = 64 * 1024;
  size_t max_body_size = 64 * 1024 * 1024;
};

struct ClientRequest {
  std::string method = "GET";
  std::string target = "/";
  HeaderMap headers;  // Host and Content-Length are added unless present
  std::string body;
};

struct ClientResponse {
  int status = 0;
  int http_major = 1;
  int http_minor = 1;
  HeaderMap headers;
  std::string body;        // de-chunked; content-length, chunked or close-delimited
  bool keep_alive = true;  // the server left the connection open
  bool upgrade = false;    // 101 Switching Protocols: call TakeTransport()
};

// One connection. Requests may be pipelined; responses arrive in order. Interim 1xx responses
// other than 101 are skipped. Owner-held; destroying it closes the transport and drops pending
// callbacks. Loop thread only.
class HttpClient {
 public:
  using Callback = std::function<void(Result<ClientResponse> response)>;

  explicit HttpClient(std::unique_ptr<net::Transport> transport, ClientOptions options = {});
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  ~HttpClient();

  // Writes the request now. `done` runs once, on a later call-out (never inside Send), with the
  // response or an error (connection closed, timeout, malformed response). It may destroy the
  // client.
  void Send(ClientRequest request, Callback done);

  // After a response with upgrade == true: the transport, and bytes read past its head.
  Result<UpgradedTransport> TakeTransport();

  // False after an error, a "Connection: close" response, an upgrade or Close().
  bool open() const { return transport_ != nullptr && !closed_; }
  void Close();

 private:
  struct Pending {
    std::string method;
    Callback done;
  };
  void OnData(std::string_view data);
  void OnEof();
  void Parse();
  void Deliver();
  void Fail(const Status& error);
  void ArmTimer();

  static int OnMessageBegin(llhttp_t* p) noexcept;
  static int OnStatus(llhttp_t* p, const char* at, size_t n) noexcept;
  static int OnHeaderField(llhttp_t* p, const char* at, size_t n) noexcept;
  static int OnHeaderValue(llhttp_t* p, const char* at, size_t n) noexcept;
  static int OnHeaderValueComplete(llhttp_t* p) noexcept;
  static int OnHeadersComplete(llhttp_t* p) noexcept;
  static int OnBody(llhttp_t* p, const char* at, size_t n) noexcept;
  static int OnMessageComplete(llhttp_t* p) noexcept;
  static const llhttp_settings_t* Settings();

  EventLoop& loop_;
  std::unique_ptr<net::Transport> transport_;
  ClientOptions options_;
  net::Timer timer_;
  std::string peer_;
  llhttp_t parser_;
  std::string input_;
  size_t input_off_ = 0;
  ClientResponse current_;
  std::string field_, value_;
  size_t header_bytes_ = 0;
  std::string limit_error_;
  std::unique_ptr<ClientResponse> completed_;
  std::deque<Pending> pending_;
  bool closed_ = false;
  bool upgraded_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace kong::http

#endif  // KONG_HTTP_CLIENT_H_
