// wslay glue: transport bytes feed wslay_event_recv, wslay output goes to Transport::Write.
#include "cluster/websocket.h"

#include <wslay/wslay.h>

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

#include "base/macros.h"

namespace kong::cluster {

class WebSocket::Impl {
 public:
  Impl(std::unique_ptr<net::Transport> transport, std::string buffered, WebSocketOptions options,
       WebSocketCallbacks callbacks)
      : transport_(std::move(transport)),
        in_(std::move(buffered)),
        options_(options),
        cb_(std::move(callbacks)) {}

  ~Impl() {
    *alive_ = false;
    transport_.reset();  // closes; no transport callback runs afterwards
    if (ctx_ != nullptr) wslay_event_context_free(ctx_);
  }

  Status Init() {
    static const wslay_event_callbacks kCallbacks = {
        &Impl::RecvTrampoline, &Impl::SendTrampoline, &Impl::GenmaskTrampoline, nullptr, nullptr,
        nullptr, &Impl::MessageTrampoline};
    int rc = options_.role == WebSocketRole::kServer
                 ? wslay_event_context_server_init(&ctx_, &kCallbacks, this)
                 : wslay_event_context_client_init(&ctx_, &kCallbacks, this);
    if (rc != 0) return Status::Internal("websocket: wslay context init failed: " + std::to_string(rc));
    wslay_event_config_set_max_recv_msg_length(ctx_, options_.max_message_size);
    net::TransportCallbacks tcb;
    tcb.on_data = [this](std::string_view data) {
      in_.append(data);
      Pump();
    };
    tcb.on_eof = [this] {
      Fail(Status::Unavailable("websocket: peer closed the connection without a close frame"));
    };
    tcb.on_error = [this](const Status& error) { Fail(error); };
    tcb.on_closed = [this] { FinishClosed(); };
    transport_->SetCallbacks(std::move(tcb));
    return Status::Ok();
  }

  Status Start() {
    KONG_RETURN_IF_ERROR(transport_->StartReading());
    if (!in_.empty()) Pump();
    return Status::Ok();
  }

  Status Queue(uint8_t opcode, std::string payload) {
    if (closed_ || transport_->closing()) return Status::Protocol("websocket: connection is closing");
    wslay_event_msg msg = {opcode, reinterpret_cast<const uint8_t*>(payload.data()), payload.size()};
    int rc = wslay_event_queue_msg(ctx_, &msg);  // copies the payload
    if (rc == WSLAY_ERR_NO_MORE_MSG) return Status::Protocol("websocket: connection is closing");
    if (rc == WSLAY_ERR_INVALID_ARGUMENT) {
      return Status::InvalidArgument("websocket: control frame payload over 125 bytes: " +
                                     std::to_string(payload.size()));
    }
    if (rc != 0) return Status::Internal("websocket: queueing a frame failed: " + std::to_string(rc));
    return Flush();
  }

  Status Close(uint16_t code, std::string reason) {
    if (closed_ || transport_->closing()) return Status::Ok();
    local_close_ = true;
    int rc = wslay_event_queue_close(ctx_, code, reinterpret_cast<const uint8_t*>(reason.data()),
                                     reason.size());
    if (rc != 0 && rc != WSLAY_ERR_NO_MORE_MSG) {
      return Status::InvalidArgument("websocket: invalid close code " + std::to_string(code));
    }
    KONG_RETURN_IF_ERROR(Flush());
    MaybeFinishHandshake();
    return Status::Ok();
  }

 private:
  struct Event {
    uint8_t opcode;
    std::string payload;
  };

  static ssize_t RecvTrampoline(wslay_event_context_ptr ctx, uint8_t* buf, size_t len, int /*flags*/,
                                void* user) noexcept {
    auto* self = static_cast<Impl*>(user);
    size_t n = std::min(len, self->in_.size() - self->in_pos_);
    if (n == 0) {
      wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
      return -1;
    }
    std::copy_n(self->in_.data() + self->in_pos_, n, buf);
    self->in_pos_ += n;
    return static_cast<ssize_t>(n);
  }

  static ssize_t SendTrampoline(wslay_event_context_ptr /*ctx*/, const uint8_t* data, size_t len,
                                int /*flags*/, void* user) noexcept {
    static_cast<Impl*>(user)->out_.append(reinterpret_cast<const char*>(data), len);
    return static_cast<ssize_t>(len);
  }

  static int GenmaskTrampoline(wslay_event_context_ptr /*ctx*/, uint8_t* buf, size_t len,
                               void* /*user*/) noexcept {
    // Masking only defeats proxy cache poisoning; it needs unpredictability, not secrecy.
    thread_local std::mt19937 rng{std::random_device{}()};
    for (size_t i = 0; i < len; ++i) buf[i] = static_cast<uint8_t>(rng());
    return 0;
  }

  static void MessageTrampoline(wslay_event_context_ptr /*ctx*/,
                                const wslay_event_on_msg_recv_arg* arg, void* user) noexcept {
    // Deferred: a user callback may destroy us, which must not happen inside wslay_event_recv.
    static_cast<Impl*>(user)->events_.push_back(
        {arg->opcode, std::string(reinterpret_cast<const char*>(arg->msg), arg->msg_length)});
  }

  Status Flush() {
    int rc = wslay_event_send(ctx_);
    if (rc != 0) return Status::Internal("websocket: wslay send failed: " + std::to_string(rc));
    if (out_.empty()) return Status::Ok();
    std::string bytes = std::move(out_);
    out_.clear();
    return transport_->Write(std::move(bytes));
  }

  void Pump() {
    if (closed_ || transport_->closing()) return;
    if (wslay_event_get_read_enabled(ctx_)) {
      int rc = wslay_event_recv(ctx_);
      in_.erase(0, in_pos_);
      in_pos_ = 0;
      if (rc != 0) {
        Fail(Status::Protocol("websocket: receiving failed: " + std::to_string(rc)));
        return;
      }
    } else {
      in_.clear();  // after a close frame nothing more is read
      in_pos_ = 0;
    }
    Status flushed = Flush();
    if (!flushed.ok()) {
      Fail(flushed);
      return;
    }
    // A close we did not ask for and that the peer did not send: wslay refused its input.
    // (close_sent turns true only once wslay_event_send wrote the frame, hence after Flush.)
    if (!local_close_ && !wslay_event_get_close_received(ctx_) && wslay_event_get_close_sent(ctx_) &&
        final_status_.ok()) {
      uint16_t code = wslay_event_get_status_code_sent(ctx_);
      final_status_ = code == WSLAY_CODE_MESSAGE_TOO_BIG
                          ? Status::InvalidArgument("payload too big")
                          : Status::Protocol("websocket: protocol error from peer, closed with " +
                                             std::to_string(code));
    }
    std::vector<Event> events = std::move(events_);
    events_.clear();
    std::shared_ptr<bool> alive = alive_;
    for (Event& e : events) {
      if (!*alive) return;
      switch (e.opcode) {
        case WSLAY_TEXT_FRAME:
        case WSLAY_BINARY_FRAME:
          if (cb_.on_message) cb_.on_message(e.opcode == WSLAY_BINARY_FRAME, e.payload);
          break;
        case WSLAY_PING:
          if (cb_.on_ping) cb_.on_ping(e.payload);
          break;
        case WSLAY_PONG:
          if (cb_.on_pong) cb_.on_pong(e.payload);
          break;
        default:
          break;  // close: handled by the handshake check below
      }
    }
    if (!*alive) return;
    MaybeFinishHandshake();
  }

  // Both close frames exchanged (or we refused the peer): flush and end the TCP connection.
  void MaybeFinishHandshake() {
    if (transport_->closing() || !wslay_event_get_close_sent(ctx_)) return;
    if (wslay_event_get_close_received(ctx_) || !final_status_.ok()) transport_->Shutdown();
  }

  void Fail(const Status& status) {
    if (final_status_.ok()) final_status_ = status;
    if (!transport_->closing()) transport_->Close();
  }

  void FinishClosed() {
    if (closed_) return;
    closed_ = true;
    if (final_status_.ok() && !wslay_event_get_close_received(ctx_)) {
      final_status_ = Status::Unavailable("websocket: connection closed before the close handshake");
    }
    if (cb_.on_closed) cb_.on_closed(final_status_);  // may destroy us: nothing after this
  }

  std::unique_ptr<net::Transport> transport_;
  std::string in_;    // received bytes not yet consumed by wslay
  size_t in_pos_ = 0;
  std::string out_;   // frames wslay produced during one Flush
  WebSocketOptions options_;
  WebSocketCallbacks cb_;
  wslay_event_context_ptr ctx_ = nullptr;
  std::vector<Event> events_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool local_close_ = false;
  bool closed_ = false;
  Status final_status_;
};

Result<std::unique_ptr<WebSocket>> WebSocket::Create(std::unique_ptr<net::Transport> transport,
                                                     std::string buffered, WebSocketOptions options,
                                                     WebSocketCallbacks callbacks) {
  if (transport == nullptr) return Status::InvalidArgument("websocket: no transport");
  auto impl = std::make_unique<Impl>(std::move(transport), std::move(buffered), options,
                                     std::move(callbacks));
  Status init = impl->Init();
  if (!init.ok()) return init;
  return std::unique_ptr<WebSocket>(new WebSocket(std::move(impl)));
}

WebSocket::WebSocket(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebSocket::~WebSocket() = default;

Status WebSocket::Start() { return impl_->Start(); }
Status WebSocket::SendBinary(std::string payload) {
  return impl_->Queue(WSLAY_BINARY_FRAME, std::move(payload));
}
Status WebSocket::SendText(std::string payload) {
  return impl_->Queue(WSLAY_TEXT_FRAME, std::move(payload));
}
Status WebSocket::SendPing(std::string payload) { return impl_->Queue(WSLAY_PING, std::move(payload)); }
Status WebSocket::Close(uint16_t code, std::string reason) {
  return impl_->Close(code, std::move(reason));
}

}  // namespace kong::cluster
