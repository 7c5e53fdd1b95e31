// ConnectAttempt: uv_getaddrinfo, then uv_tcp_connect per address, bounded by one timer.
#include "net/connect.h"

#include <uv.h>

#include <cstring>

#include "base/macros.h"
#include "kong/uv.h"
#include "loop/uv_error.h"
#include "net/socket_address.h"
#include "net/tcp_transport.h"

namespace kong::net {

// libuv requests own themselves and are freed in their callbacks; `owner` is cleared when the
// attempt goes away first.
struct ConnectAttempt::ResolveReq {
  uv_getaddrinfo_t req;
  ConnectAttempt* owner;

  static void OnResolved(uv_getaddrinfo_t* req, int status, addrinfo* res) noexcept {
    auto* r = static_cast<ResolveReq*>(req->data);
    ConnectAttempt* a = r->owner;
    delete r;
    if (a == nullptr) {
      uv_freeaddrinfo(res);
      return;
    }
    a->resolving_ = nullptr;
    if (status < 0) {
      a->Finish(loop::UvError(status, "resolve " + a->host_));
      return;
    }
    for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
      if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
      sockaddr_storage ss;
      std::memset(&ss, 0, sizeof ss);
      std::memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
      a->addresses_.push_back(ss);
    }
    uv_freeaddrinfo(res);
    if (a->addresses_.empty()) {
      a->Finish(Status::NotFound("resolve " + a->host_ + ": no ipv4 or ipv6 address"));
      return;
    }
    a->TryNext();
  }
};

struct ConnectAttempt::ConnectReq {
  uv_connect_t req;
  ConnectAttempt* owner;
  std::string address;

  static void OnConnect(uv_connect_t* req, int status) noexcept {
    auto* c = static_cast<ConnectReq*>(req->data);
    ConnectAttempt* a = c->owner;
    std::string address = std::move(c->address);
    delete c;
    if (a == nullptr) return;  // cancelled: the socket was closed (status UV_ECANCELED)
    a->connecting_ = nullptr;
    if (status < 0) {
      a->last_error_ = loop::UvError(status, "connect " + address);
      a->socket_.reset();
      ++a->next_;
      a->TryNext();
      return;
    }
    a->socket_->RefreshAddresses();
    a->Finish(std::unique_ptr<Transport>(std::move(a->socket_)));
  }
};

ConnectAttempt::ConnectAttempt(EventLoop& loop, std::string host, uint16_t port, Callback done)
    : loop_(loop), host_(std::move(host)), port_(port), done_(std::move(done)), timer_(loop) {}

std::string ConnectAttempt::Target() const {
  return host_.find(':') != std::string::npos && host_.front() != '['
             ? "[" + host_ + "]:" + std::to_string(port_)
             : host_ + ":" + std::to_string(port_);
}

std::unique_ptr<ConnectAttempt> ConnectAttempt::Start(EventLoop& loop, std::string host,
                                                      uint16_t port, ConnectOptions options,
                                                      Callback done) {
  KONG_DCHECK(loop.IsCurrentThread());
  std::unique_ptr<ConnectAttempt> a(
      new ConnectAttempt(loop, std::move(host), port, std::move(done)));
  ConnectAttempt* self = a.get();
  a->timer_.Start(options.timeout_ms, [self] {
    self->Finish(loop::UvError(UV_ETIMEDOUT, "connect " + self->Target()));
  });
  if (IsIpLiteral(a->host_)) {
    a->addresses_.push_back(*IpAddress(a->host_, port));
    a->TryNext();
    return a;
  }
  addrinfo hints;
  std::memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  auto* r = new ResolveReq{uv_getaddrinfo_t{}, self};
  r->req.data = r;
  std::string port_text = std::to_string(port);
  int rc = uv_getaddrinfo(NativeHandle(loop), &r->req, &ResolveReq::OnResolved, a->host_.c_str(),
                          port_text.c_str(), &hints);
  if (rc != 0) {
    delete r;
    a->FinishLater(loop::UvError(rc, "resolve " + a->host_));
    return a;
  }
  a->resolving_ = r;
  return a;
}

ConnectAttempt::~ConnectAttempt() {
  if (resolving_ != nullptr) {
    resolving_->owner = nullptr;
    uv_cancel(reinterpret_cast<uv_req_t*>(&resolving_->req));  // the callback frees it
  }
  if (connecting_ != nullptr) connecting_->owner = nullptr;
  // socket_ and timer_ close their handles in their destructors.
}

void ConnectAttempt::TryNext() {
  while (next_ < addresses_.size()) {
    const auto* addr = reinterpret_cast<const sockaddr*>(&addresses_[next_]);
    auto socket = TcpTransport::Create(loop_);
    if (!socket.ok()) {
      last_error_ = socket.status();
      ++next_;
      continue;
    }
    socket_ = std::move(socket).value();
    auto* c = new ConnectReq{uv_connect_t{}, this, FormatAddress(addr)};
    c->req.data = c;
    int rc = uv_tcp_connect(&c->req, socket_->uv_handle(), addr, &ConnectReq::OnConnect);
    if (rc == 0) {
      connecting_ = c;
      return;
    }
    last_error_ = loop::UvError(rc, "connect " + c->address);
    delete c;
    socket_.reset();
    ++next_;
  }
  // Every address failed synchronously or asynchronously.
  FinishLater(last_error_.ok() ? Status::Unavailable("connect " + Target() + ": no address")
                               : last_error_);
}

void ConnectAttempt::FinishLater(Status error) {
  // `done` never runs inside Start(), so callers need no re-entrancy care there.
  timer_.Start(0, [this, error] { Finish(error); });
}

void ConnectAttempt::Finish(Result<std::unique_ptr<Transport>> result) {
  if (finished_) return;
  finished_ = true;
  timer_.Stop();
  if (resolving_ != nullptr) {
    resolving_->owner = nullptr;
    uv_cancel(reinterpret_cast<uv_req_t*>(&resolving_->req));
    resolving_ = nullptr;
  }
  if (connecting_ != nullptr) {
    connecting_->owner = nullptr;
    connecting_ = nullptr;
  }
  socket_.reset();
  auto done = std::move(done_);
  if (done) done(std::move(result));  // may destroy *this: nothing follows
}

}  // namespace kong::net
