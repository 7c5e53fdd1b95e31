// Server::Impl: listeners plus the set of live connections; owns itself after ~Server.
#ifndef KONG_HTTP_SERVER_IMPL_H_
#define KONG_HTTP_SERVER_IMPL_H_

#include <functional>
#include <memory>
#include <unordered_set>
#include <vector>

#include "http/server.h"
#include "net/listener.h"

namespace kong::http {

class ServerConnection;

class Server::Impl {
 public:
  Impl(EventLoop& loop, ServerOptions options, Handler handler)
      : loop(loop), options(std::move(options)), handler(std::move(handler)) {}

  Result<uint16_t> Listen(const net::ListenSpec& spec);
  void Serve(std::unique_ptr<net::Transport> transport, std::string tls_server_name);
  void Drain();
  void Close(std::function<void()> on_closed);
  size_t connection_count() const;

  // A connection's last close callback ran.
  void RemoveConnection(ServerConnection* connection) { connections_.erase(connection); }
  // Runs the close callback once everything closed; deletes an orphaned Impl.
  void MaybeFinishClose();
  bool finished() const { return finished_; }
  void DropCloseCallback() { on_closed_ = nullptr; }

  EventLoop& loop;
  const ServerOptions options;
  const Handler handler;
  std::vector<std::unique_ptr<net::Listener>> listeners;
  bool orphaned = false;  // ~Server ran: delete this once closed

 private:
  std::unordered_set<ServerConnection*> connections_;
  bool closing_ = false;
  bool draining_ = false;
  bool finished_ = false;
  int listeners_closing_ = 0;
  std::function<void()> on_closed_;
};

}  // namespace kong::http

#endif  // KONG_HTTP_SERVER_IMPL_H_
