// Server and Server::Impl: listeners, connection bookkeeping and orderly shutdown.
#include "http/server.h"

#include "base/macros.h"
#include "http/server_connection.h"
#include "http/server_impl.h"

namespace kong::http {

Result<uint16_t> Server::Impl::Listen(const net::ListenSpec& spec) {
  if (closing_) return Status::Unavailable("listen " + spec.Address() + ": server is closed");
  if (spec.ssl) {
    return Status::InvalidArgument("listen " + spec.Address() +
                                   ": ssl listeners accept through a tls transport, use Serve()");
  }
  auto listener = net::Listener::Create(
      loop, spec, [this](std::unique_ptr<net::Transport> t) { Serve(std::move(t), {}); });
  if (!listener.ok()) return listener.status();
  uint16_t port = (*listener)->bound_port();
  listeners.push_back(std::move(listener).value());
  return port;
}

void Server::Impl::Serve(std::unique_ptr<net::Transport> transport,
                         std::string tls_server_name) {
  if (closing_ || draining_ || transport == nullptr) return;  // dropping it closes it
  auto* connection =
      new ServerConnection(this, std::move(transport), std::move(tls_server_name));
  connections_.insert(connection);
  connection->Start();
}

size_t Server::Impl::connection_count() const {
  size_t n = 0;
  for (ServerConnection* c : connections_) n += c->detached() ? 0 : 1;
  return n;
}

void Server::Impl::Close(std::function<void()> on_closed) {
  if (closing_) return;
  closing_ = true;
  on_closed_ = std::move(on_closed);
  for (auto& l : listeners) {
    if (l->closed()) continue;
    ++listeners_closing_;
    l->Close([this] {
      --listeners_closing_;
      MaybeFinishClose();
    });
  }
  std::vector<ServerConnection*> open(connections_.begin(), connections_.end());
  for (ServerConnection* c : open) c->Abort();
  MaybeFinishClose();
}

void Server::Impl::Drain() {
  if (closing_ || draining_) return;
  draining_ = true;
  for (auto& l : listeners) {
    if (!l->closed()) l->Close(nullptr);
  }
  std::vector<ServerConnection*> open(connections_.begin(), connections_.end());
  for (ServerConnection* c : open) c->Drain();
}

void Server::Impl::MaybeFinishClose() {
  if (!closing_ || finished_ || !connections_.empty() || listeners_closing_ > 0) return;
  finished_ = true;
  if (orphaned) {
    delete this;
    return;
  }
  auto cb = std::move(on_closed_);
  if (cb) cb();  // may destroy the Server, which then deletes this: nothing follows
}

Server::Server(Impl* impl) : impl_(impl) {}

Server::~Server() {
  if (impl_->finished()) {
    delete impl_;
    return;
  }
  impl_->orphaned = true;
  impl_->DropCloseCallback();
  impl_->Close(nullptr);  // deletes the Impl now, or after the last close callback
}

Result<std::unique_ptr<Server>> Server::Create(EventLoop& loop, ServerOptions options,
                                               Handler handler) {
  KONG_DCHECK(loop.IsCurrentThread());
  if (!handler) return Status::InvalidArgument("http server: handler is empty");
  return std::unique_ptr<Server>(
      new Server(new Impl(loop, std::move(options), std::move(handler))));
}

Result<uint16_t> Server::Listen(const net::ListenSpec& spec) { return impl_->Listen(spec); }
void Server::Serve(std::unique_ptr<net::Transport> transport, std::string tls_server_name) {
  impl_->Serve(std::move(transport), std::move(tls_server_name));
}
void Server::Drain() { impl_->Drain(); }

std::vector<uint16_t> Server::bound_ports() const {
  std::vector<uint16_t> ports;
  for (const auto& l : impl_->listeners) ports.push_back(l->bound_port());
  return ports;
}

size_t Server::connection_count() const { return impl_->connection_count(); }
void Server::Close(std::function<void()> on_closed) { impl_->Close(std::move(on_closed)); }

}  // namespace kong::http
