// TcpTransport: libuv stream I/O, write-queue watermarks and nginx-style lingering close.
#include "net/tcp_transport.h"

#include <sys/socket.h>

#include <cerrno>

#include "kong/uv.h"
#include "loop/uv_error.h"
#include "net/socket_address.h"
#include "net/write_buffers.h"

namespace kong::net {

// Owns the two handles (socket, linger timer); freed after both close callbacks ran.
struct TcpTransport::Core {
  uv_tcp_t tcp;
  uv_timer_t linger;
  TcpTransport* owner = nullptr;  // null once the front object is gone
  int open_handles = 2;
  bool closing = false;        // uv_close called
  bool shutting_down = false;  // Shutdown() called
  bool lingering = false;      // FIN sent, discarding input until EOF or timeout
  bool reading = false;
  bool eof = false;
  uint64_t linger_ms = 0;

  struct WriteReq {
    uv_write_t req;
    std::string bytes;
    Core* core;
  };

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp); }

  void CloseHandles() {
    if (closing) return;
    closing = true;
    reading = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp), &Core::OnClose);
    uv_close(reinterpret_cast<uv_handle_t*>(&linger), &Core::OnClose);
  }

  Status ReadStart() {
    if (reading) return Status();
    int rc = uv_read_start(stream(), &Core::OnAlloc, &Core::OnRead);
    if (rc != 0) return loop::UvError(rc, "read from " + (owner ? owner->peer_ : std::string()));
    reading = true;
    return Status();
  }

  static void OnClose(uv_handle_t* h) noexcept {
    auto* core = static_cast<Core*>(h->data);
    if (--core->open_handles > 0) return;
    TcpTransport* owner = core->owner;
    delete core;
    if (owner) {
      owner->core_ = nullptr;
      owner->FireClosed();
    }
  }

  static void OnAlloc(uv_handle_t*, size_t, uv_buf_t* buf) noexcept {
    // Consumers copy what they keep during on_data, so one buffer per thread suffices.
    thread_local char storage[64 * 1024];
    *buf = uv_buf_init(storage, sizeof storage);
  }

  static void OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) noexcept {
    auto* core = static_cast<Core*>(s->data);
    if (nread == 0 || core->closing) return;
    if (core->shutting_down || core->owner == nullptr) {
      // Lingering: input is discarded; the peer's EOF (or an error) ends the wait.
      if (nread < 0) {
        core->eof = true;
        core->reading = false;
        uv_read_stop(s);
        if (core->lingering || nread != UV_EOF) core->CloseHandles();
      }
      return;
    }
    TcpTransport* t = core->owner;
    if (nread > 0) {
      // A copy: the callback may replace the callbacks (an upgrade changing hands).
      auto on_data = t->cb_.on_data;
      if (on_data) on_data(std::string_view(buf->base, static_cast<size_t>(nread)));
      return;
    }
    if (nread == UV_EOF) {
      core->eof = true;
      core->reading = false;
      uv_read_stop(s);
      auto on_eof = t->cb_.on_eof;
      if (on_eof) on_eof();
      return;
    }
    t->Fail(loop::UvError(static_cast<int>(nread), "read from " + t->peer_));
  }

  static void OnWrite(uv_write_t* req, int status) noexcept {
    auto* wr = static_cast<WriteReq*>(req->data);
    Core* core = wr->core;
    delete wr;
    // uv_close runs pending write callbacks with UV_ECANCELED before the close callback, so
    // `core` is still alive here.
    if (status == UV_ECANCELED || core->closing) return;
    TcpTransport* t = core->owner;
    if (status < 0) {
      if (t) {
        t->Fail(loop::UvError(status, "write to " + t->peer_));
      } else {
        core->CloseHandles();
      }
      return;
    }
    if (t && t->above_high_ && t->write_queue_size() <= t->low_water_) {
      t->above_high_ = false;
      auto on_low = t->cb_.on_write_low;
      if (on_low) on_low();
    }
  }

  static void OnShutdown(uv_shutdown_t* req, int status) noexcept {
    auto* core = static_cast<Core*>(req->data);
    delete req;
    if (core->closing) return;
    if (status < 0 || core->eof) {
      core->CloseHandles();
      return;
    }
    core->lingering = true;
    uv_timer_start(
        &core->linger,
        [](uv_timer_t* timer) noexcept { static_cast<Core*>(timer->data)->CloseHandles(); },
        core->linger_ms, 0);
  }
};

TcpTransport::TcpTransport(EventLoop& loop) : loop_(loop) {}

Result<std::unique_ptr<TcpTransport>> TcpTransport::Create(EventLoop& loop) {
  std::unique_ptr<TcpTransport> t(new TcpTransport(loop));
  auto* core = new Core();
  int rc = uv_tcp_init(NativeHandle(loop), &core->tcp);
  if (rc != 0) {
    delete core;
    return loop::UvError(rc, "tcp socket");
  }
  uv_timer_init(NativeHandle(loop), &core->linger);
  core->tcp.data = core;
  core->linger.data = core;
  core->owner = t.get();
  t->core_ = core;
  return t;
}

Result<std::unique_ptr<TcpTransport>> TcpTransport::Accept(EventLoop& loop, uv_stream_t* server) {
  auto t = Create(loop);
  if (!t.ok()) return t.status();
  int rc = uv_accept(server, (*t)->core_->stream());
  if (rc != 0) return loop::UvError(rc, "accept");  // the destructor closes the handles
  (*t)->RefreshAddresses();
  return t;
}

TcpTransport::~TcpTransport() {
  if (core_ == nullptr) return;
  core_->owner = nullptr;
  // A graceful shutdown finishes on its own; anything else closes now.
  if (!core_->shutting_down) core_->CloseHandles();
}

uv_tcp_t* TcpTransport::uv_handle() { return core_ ? &core_->tcp : nullptr; }

void TcpTransport::RefreshAddresses() {
  if (core_ == nullptr) return;
  sockaddr_storage ss;
  int len = sizeof ss;
  if (uv_tcp_getpeername(&core_->tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    peer_ = FormatAddress(reinterpret_cast<sockaddr*>(&ss));
  }
  len = sizeof ss;
  if (uv_tcp_getsockname(&core_->tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    local_ = FormatAddress(reinterpret_cast<sockaddr*>(&ss));
  }
}

Status TcpTransport::StartReading() {
  if (closing()) return Status::Unavailable("read from " + peer_ + ": transport is closing");
  if (core_->eof) return Status::Unavailable("read from " + peer_ + ": peer closed");
  return core_->ReadStart();
}

void TcpTransport::StopReading() {
  if (core_ == nullptr || !core_->reading || core_->shutting_down) return;
  core_->reading = false;
  uv_read_stop(core_->stream());
}

// uv_try_write's attempt, made with send() instead of write(): the same non-blocking write
// on an empty queue, without the VFS layers (file position lock, rw checks) a socket write
// goes through, and with MSG_NOSIGNAL. Returns the bytes taken, 0 or a negative errno-like
// value; the caller queues the rest (or reports the error) through uv_write.
ssize_t TcpTransport::TrySend(const std::string& bytes) {
  uv_stream_t* stream = core_->stream();
  uv_os_fd_t fd = -1;
  if (uv_stream_get_write_queue_size(stream) != 0 ||
      uv_fileno(reinterpret_cast<uv_handle_t*>(stream), &fd) != 0) {
    uv_buf_t first =
        uv_buf_init(const_cast<char*>(bytes.data()), static_cast<unsigned>(bytes.size()));
    return uv_try_write(stream, &first, 1);
  }
  ssize_t n;
  do {
    n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : n;
}

Status TcpTransport::Write(std::string bytes) {
  if (closing()) return Status::Unavailable("write to " + peer_ + ": transport is closing");
  if (bytes.empty()) return Status();
  // Most writes complete at once: uv_try_write then needs no request, no completion callback
  // and (libuv 1.44) no epoll_ctl, which every finished uv_write costs. Only the rest, or an
  // error (reported through the callback, as before), goes through uv_write.
  size_t done = 0;
  ssize_t sent = TrySend(bytes);
  if (sent > 0) {
    done = static_cast<size_t>(sent);
    if (done == bytes.size()) {
      RecycleWriteBuffer(std::move(bytes));
      return Status();
    }
  }
  auto* wr = new Core::WriteReq{uv_write_t{}, std::move(bytes), core_};
  wr->req.data = wr;
  uv_buf_t buf =
      uv_buf_init(wr->bytes.data() + done, static_cast<unsigned>(wr->bytes.size() - done));
  int rc = uv_write(&wr->req, core_->stream(), &buf, 1, &Core::OnWrite);
  if (rc != 0) {
    delete wr;
    return loop::UvError(rc, "write to " + peer_);
  }
  if (!above_high_ && write_queue_size() > high_water_) {
    above_high_ = true;
    auto on_high = cb_.on_write_high;
    if (on_high) on_high();
  }
  return Status();
}

size_t TcpTransport::write_queue_size() const {
  return core_ ? uv_stream_get_write_queue_size(reinterpret_cast<uv_stream_t*>(&core_->tcp)) : 0;
}

void TcpTransport::SetWriteWatermarks(size_t low, size_t high) {
  low_water_ = low;
  high_water_ = high < low ? low : high;
}

void TcpTransport::Shutdown(uint64_t linger_ms) {
  if (closing()) return;
  core_->shutting_down = true;
  core_->linger_ms = linger_ms;
  auto* req = new uv_shutdown_t();
  req->data = core_;
  if (uv_shutdown(req, core_->stream(), &Core::OnShutdown) != 0) {
    delete req;
    core_->CloseHandles();
    return;
  }
  // Keep reading (and discarding) so that the peer's EOF ends the linger early.
  if (!core_->eof && !core_->reading && core_->ReadStart().ok() == false) core_->CloseHandles();
}

void TcpTransport::Close() {
  if (core_ != nullptr) core_->CloseHandles();
}

bool TcpTransport::closing() const {
  return core_ == nullptr || core_->closing || core_->shutting_down;
}

void TcpTransport::Fail(const Status& error) {
  core_->CloseHandles();
  auto on_error = cb_.on_error;
  if (on_error) on_error(error);  // may destroy *this: nothing follows
}

void TcpTransport::FireClosed() {
  auto cb = std::move(cb_.on_closed);
  cb_ = TransportCallbacks();
  if (cb) cb();  // may destroy *this: nothing follows
}

}  // namespace kong::net
