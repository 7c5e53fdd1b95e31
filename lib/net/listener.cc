// Listener: socket options (SO_REUSEPORT, TCP_DEFER_ACCEPT, keepalive), bind, listen, accept.
#include "net/listener.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <uv.h>

#include <cstring>

#include "base/macros.h"
#include "kong/uv.h"
#include "loop/uv_error.h"
#include "net/socket_address.h"
#include "net/tcp_transport.h"

namespace kong::net {
namespace {

// nginx sets TCP_DEFER_ACCEPT to the client header timeout (60 s by default).
constexpr int kDeferAcceptSeconds = 60;

Result<sockaddr_storage> ResolveForBind(EventLoop& loop, const ListenSpec& spec) {
  if (IsIpLiteral(spec.host)) return IpAddress(spec.host, spec.port);
  addrinfo hints;
  std::memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  uv_getaddrinfo_t req;
  std::string port = std::to_string(spec.port);
  // A null callback makes uv_getaddrinfo synchronous: fine once, at startup.
  int rc =
      uv_getaddrinfo(NativeHandle(loop), &req, nullptr, spec.host.c_str(), port.c_str(), &hints);
  if (rc != 0) return loop::UvError(rc, "resolve " + spec.Address());
  sockaddr_storage ss;
  std::memset(&ss, 0, sizeof ss);
  std::memcpy(&ss, req.addrinfo->ai_addr, req.addrinfo->ai_addrlen);
  uv_freeaddrinfo(req.addrinfo);
  return ss;
}

Status SetIntOption(uv_os_fd_t fd, int level, int name, int value, const std::string& what) {
  if (setsockopt(fd, level, name, &value, sizeof value) != 0) {
    return loop::UvError(uv_translate_sys_error(errno), what);
  }
  return Status();
}

void ApplyKeepAlive(uv_os_fd_t fd, const KeepAliveSpec& ka) {
  // Best effort, as in nginx (which only logs failures): the connection works without it.
  if (ka.mode == KeepAliveSpec::Mode::kUnset) return;
  bool on = ka.mode == KeepAliveSpec::Mode::kOn;
  (void)SetIntOption(fd, SOL_SOCKET, SO_KEEPALIVE, on ? 1 : 0, "");
  if (!on) return;
  if (ka.idle_s) (void)SetIntOption(fd, IPPROTO_TCP, TCP_KEEPIDLE, int(ka.idle_s), "");
  if (ka.interval_s) (void)SetIntOption(fd, IPPROTO_TCP, TCP_KEEPINTVL, int(ka.interval_s), "");
  if (ka.count) (void)SetIntOption(fd, IPPROTO_TCP, TCP_KEEPCNT, int(ka.count), "");
}

}  // namespace

struct Listener::Core {
  uv_tcp_t tcp;
  Listener* owner = nullptr;

  static void OnConnection(uv_stream_t* server, int status) noexcept {
    auto* core = static_cast<Core*>(server->data);
    if (core->owner != nullptr && !core->owner->closing_) core->owner->OnConnection(status);
  }
  static void OnClose(uv_handle_t* h) noexcept {
    auto* core = static_cast<Core*>(h->data);
    Listener* owner = core->owner;
    delete core;
    if (owner == nullptr) return;
    owner->core_ = nullptr;
    auto cb = std::move(owner->on_closed_);
    if (cb) cb();  // may destroy the listener
  }
};

Listener::Listener(EventLoop& loop, ListenSpec spec) : loop_(loop), spec_(std::move(spec)) {}

Result<std::unique_ptr<Listener>> Listener::Create(EventLoop& loop, const ListenSpec& spec,
                                                   AcceptCallback on_accept,
                                                   ErrorCallback on_error) {
  KONG_DCHECK(loop.IsCurrentThread());
  sockaddr_storage addr;
  {
    auto resolved = ResolveForBind(loop, spec);
    if (!resolved.ok()) return resolved.status();
    addr = *resolved;
  }
  const std::string what = "bind " + spec.Address();
  std::unique_ptr<Listener> l(new Listener(loop, spec));
  l->on_accept_ = std::move(on_accept);
  l->on_error_ = std::move(on_error);
  auto* core = new Core();
  int rc = uv_tcp_init_ex(NativeHandle(loop), &core->tcp, addr.ss_family);
  if (rc != 0) {
    delete core;
    return loop::UvError(rc, what);
  }
  core->tcp.data = core;
  core->owner = l.get();
  l->core_ = core;  // from here on, an early return closes the handle in ~Listener

  uv_os_fd_t fd;
  rc = uv_fileno(reinterpret_cast<uv_handle_t*>(&core->tcp), &fd);
  if (rc != 0) return loop::UvError(rc, what);
  if (spec.reuseport) {
    KONG_RETURN_IF_ERROR(SetIntOption(fd, SOL_SOCKET, SO_REUSEPORT, 1, what + " (reuseport)"));
  }
  unsigned flags = (addr.ss_family == AF_INET6 && spec.ipv6only) ? UV_TCP_IPV6ONLY : 0;
  rc = uv_tcp_bind(&core->tcp, reinterpret_cast<const sockaddr*>(&addr), flags);
  if (rc != 0) return loop::UvError(rc, what);
  if (spec.deferred) {
    KONG_RETURN_IF_ERROR(
        SetIntOption(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, kDeferAcceptSeconds, what + " (deferred)"));
  }
  // libuv reports bind's EADDRINUSE only here, so the message still says "bind".
  rc = uv_listen(reinterpret_cast<uv_stream_t*>(&core->tcp), spec.backlog, &Core::OnConnection);
  if (rc != 0) return loop::UvError(rc, what);

  sockaddr_storage bound;
  int len = sizeof bound;
  rc = uv_tcp_getsockname(&core->tcp, reinterpret_cast<sockaddr*>(&bound), &len);
  if (rc != 0) return loop::UvError(rc, what);
  l->bound_port_ = AddressPort(reinterpret_cast<sockaddr*>(&bound));
  l->address_ = FormatAddress(reinterpret_cast<sockaddr*>(&bound));
  return l;
}

Listener::~Listener() {
  if (core_ == nullptr) return;
  core_->owner = nullptr;
  if (!closing_) uv_close(reinterpret_cast<uv_handle_t*>(&core_->tcp), &Core::OnClose);
}

void Listener::Close(std::function<void()> on_closed) {
  if (closing_ || core_ == nullptr) return;
  closing_ = true;
  on_closed_ = std::move(on_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&core_->tcp), &Core::OnClose);
}

void Listener::OnConnection(int status) {
  if (status < 0) {
    if (on_error_) on_error_(loop::UvError(status, "accept on " + address_));
    return;
  }
  auto accepted = TcpTransport::Accept(loop_, reinterpret_cast<uv_stream_t*>(&core_->tcp));
  if (!accepted.ok()) {
    if (on_error_) on_error_(accepted.status());
    return;
  }
  // nginx's tcp_nodelay: responses written in pieces must not wait for the peer's delayed
  // ACK (40 ms per request on a kept-alive connection otherwise).
  uv_tcp_nodelay((*accepted)->uv_handle(), 1);
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>((*accepted)->uv_handle()), &fd) == 0) {
    ApplyKeepAlive(fd, spec_.so_keepalive);
  }
  if (on_accept_) {
    on_accept_(std::move(accepted).value());  // may destroy the listener: nothing follows
  }
}

}  // namespace kong::net
