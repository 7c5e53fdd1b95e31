// Fetch: one HTTP request on a fresh TCP connection (CLI health checks, tests).
#ifndef KONG_HTTP_FETCH_H_
#define KONG_HTTP_FETCH_H_

#include <cstdint>
#include <memory>
#include <string>

#include "http/client.h"
#include "net/connect.h"

namespace kong::http {

struct FetchOptions {
  net::ConnectOptions connect;
  ClientOptions client;  // client.host defaults to "<host>:<port>"
};

// Connects, sends `request`, delivers the response and closes. `done` runs once, never inside
// Start, unless the Fetch is destroyed first. Loop thread only.
class Fetch {
 public:
  static std::unique_ptr<Fetch> Start(EventLoop& loop, std::string host, uint16_t port,
                                      ClientRequest request, FetchOptions options,
                                      HttpClient::Callback done);
  Fetch(const Fetch&) = delete;
  Fetch& operator=(const Fetch&) = delete;
  ~Fetch();

 private:
  Fetch() = default;
  void OnConnected(Result<std::unique_ptr<net::Transport>> connected);

  ClientRequest request_;
  ClientOptions client_options_;
  HttpClient::Callback done_;
  std::unique_ptr<net::ConnectAttempt> connecting_;
  std::unique_ptr<HttpClient> client_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace kong::http

#endif  // KONG_HTTP_FETCH_H_
