// TlsTransport: mbedTLS over memory buffers, the inner transport doing the I/O (style.md §3.1).
#include "tls/tls_transport.h"

#include <mbedtls/ssl.h>

#include "tls/mbedtls_error.h"
#include "tls/tls_engine.h"

namespace kong::tls {
namespace {

// Ciphertext handed to the inner transport per write: four full records.
constexpr size_t kCiphertextBatch = 4 * 16384;

}  // namespace

TlsTransport::TlsTransport(std::shared_ptr<const TlsContext> context,
                           std::unique_ptr<net::Transport> inner, TlsTransportOptions options)
    : context_(std::move(context)),
      inner_(std::move(inner)),
      options_(std::move(options)),
      engine_(std::make_unique<TlsEngine>()),
      timer_(inner_->loop()) {}

Result<std::unique_ptr<TlsTransport>> TlsTransport::Create(
    std::shared_ptr<const TlsContext> context, std::unique_ptr<net::Transport> inner,
    TlsTransportOptions options) {
  if (context == nullptr) return Status::InvalidArgument("tls transport: no tls context");
  if (inner == nullptr) return Status::InvalidArgument("tls transport: no inner transport");
  std::unique_ptr<TlsTransport> t(
      new TlsTransport(std::move(context), std::move(inner), std::move(options)));
  Status s = t->Setup();
  if (!s.ok()) return s;
  return t;
}

Status TlsTransport::Setup() {
  TlsContext::State& state = context_->state();
  if (state.role == TlsRole::kClient) {
    server_name_ = options_.server_name.empty() ? state.server_name : options_.server_name;
    if (!options_.session_key.empty() && state.sessions->enabled()) {
      // Keyed by name too: a session verified for one name must not resume under another.
      session_cache_key_ = options_.session_key + "|" + server_name_;
    }
  }
  Status s = engine_->Setup(*context_, server_name_, session_cache_key_, peer_address());
  if (!s.ok()) return s;
  net::TransportCallbacks inner_cb;
  inner_cb.on_data = [this](std::string_view data) { OnInnerData(data); };
  inner_cb.on_eof = [this] { OnInnerEof(); };
  inner_cb.on_error = [this](const Status& error) { OnInnerError(error); };
  inner_cb.on_write_low = [this] { OnInnerWriteLow(); };
  inner_cb.on_closed = [this] { OnInnerClosed(); };
  inner_->SetCallbacks(std::move(inner_cb));
  // The inner transport reports every drain to the low mark once anything was queued, so
  // Pump() can resume and our own on_write_low can be computed.
  inner_->SetWriteWatermarks(low_water_, low_water_);
  return Status();
}

TlsTransport::~TlsTransport() {
  inner_->SetCallbacks(net::TransportCallbacks());
  if (shutdown_requested_ && !close_notify_sent_ && !closed_ && handshake_complete_) {
    // A Shutdown() in progress still completes: encrypt the rest now, ignoring the watermark.
    if (Pump(SIZE_MAX).ok()) {
      mbedtls_ssl_close_notify(engine_->ssl());
      FlushCiphertext();
      inner_->Shutdown(linger_ms_);
    }
  }
  inner_.reset();  // closes, unless the inner shutdown is still lingering
}

void TlsTransport::SetCallbacks(net::TransportCallbacks callbacks) { cb_ = std::move(callbacks); }

Status TlsTransport::StartReading() {
  if (closing())
    return Status::Unavailable("read from " + peer_address() + ": transport is closing");
  if (peer_closed_) return Status::Unavailable("read from " + peer_address() + ": peer closed");
  owner_reading_ = true;
  if (!begun_) return Begin();
  Status s = UpdateInnerReading();
  if (!s.ok()) return s;
  // Records decrypted or received while paused are delivered on the next loop iteration, not
  // from inside this call.
  if (handshake_complete_ && HasBufferedInput()) timer_.Start(0, [this] { Drive(); });
  return Status();
}

void TlsTransport::StopReading() {
  owner_reading_ = false;
  (void)UpdateInnerReading();
}

Status TlsTransport::Write(std::string bytes) {
  if (closing())
    return Status::Unavailable("write to " + peer_address() + ": transport is closing");
  if (bytes.empty()) return Status();
  plain_out_bytes_ += bytes.size();
  plain_out_.push_back(std::move(bytes));
  if (!begun_) {
    Status s = Begin();
    if (!s.ok()) return s;
  }
  if (handshake_complete_) {
    Status s = Pump(high_water_);
    if (!s.ok()) {
      Close();
      return s;
    }
  }
  if (!above_high_ && write_queue_size() > high_water_) {
    above_high_ = true;
    auto fn = cb_.on_write_high;
    if (fn) fn();  // may destroy *this: nothing follows
  }
  return Status();
}

size_t TlsTransport::write_queue_size() const {
  return plain_out_bytes_ + engine_->output_size() + (inner_ ? inner_->write_queue_size() : 0);
}

void TlsTransport::SetWriteWatermarks(size_t low, size_t high) {
  low_water_ = low;
  high_water_ = high < low ? low : high;
  inner_->SetWriteWatermarks(low_water_, low_water_);
}

void TlsTransport::Shutdown(uint64_t linger_ms) {
  if (closing()) return;
  shutdown_requested_ = true;
  linger_ms_ = linger_ms;
  (void)UpdateInnerReading();
  FinishShutdownIfDrained();
}

void TlsTransport::Close() {
  if (closed_) return;
  closed_ = true;
  timer_.Stop();
  inner_->Close();  // on_closed follows from the inner transport's close callback
}

bool TlsTransport::closing() const { return closed_ || shutdown_requested_ || inner_->closing(); }
const std::string& TlsTransport::peer_address() const { return inner_->peer_address(); }
const std::string& TlsTransport::local_address() const { return inner_->local_address(); }
EventLoop& TlsTransport::loop() const { return inner_->loop(); }

Status TlsTransport::Begin() {
  begun_ = true;
  Status s = UpdateInnerReading();
  if (!s.ok()) return s;
  // The first flight is produced on the next loop iteration, so no callback runs from inside
  // the owner's StartReading()/Write().
  timer_.Start(0, [this] { StartHandshake(); });
  return Status();
}

void TlsTransport::StartHandshake() {
  if (closed_ || handshake_complete_) return;
  if (options_.handshake_timeout_ms > 0) {
    timer_.Start(options_.handshake_timeout_ms, [this] {
      Fail(Status::Tls("tls handshake with " + HandshakePeer() + " failed: timed out after " +
                       std::to_string(options_.handshake_timeout_ms) + " ms"));
    });
  }
  Drive();
}

void TlsTransport::Drive() {
  if (closed_) return;
  if (!handshake_complete_ && !RunHandshake()) return;
  ReadRecords();
}

bool TlsTransport::RunHandshake() {
  int rc = engine_->Handshake();
  FlushCiphertext();  // the next flight, or the fatal alert that explains a failure
  if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) return false;
  if (rc != 0) {
    if (!session_cache_key_.empty()) context_->state().sessions->Forget(session_cache_key_);
    Fail(engine_->HandshakeFailure(rc, context_->role() == TlsRole::kClient, HandshakePeer(),
                                   server_name_));
    return false;
  }
  return CompleteHandshake();
}

bool TlsTransport::CompleteHandshake() {
  handshake_complete_ = true;
  timer_.Stop();
  NegotiatedSession n = engine_->Negotiated();
  cipher_suite_ = std::move(n.cipher_suite);
  alpn_protocol_ = std::move(n.alpn_protocol);
  if (context_->role() == TlsRole::kServer) server_name_ = std::move(n.client_server_name);
  peer_verify_flags_ = n.peer_verify_flags;
  peer_cert_ = std::move(n.peer_certificate);
  session_resumed_ = n.resumed;
  if (!session_cache_key_.empty()) {
    engine_->SaveSession(*context_->state().sessions, session_cache_key_);
  }
  (void)UpdateInnerReading();

  std::weak_ptr<char> token = alive_;
  if (options_.on_handshake) {
    auto fn = options_.on_handshake;
    fn(*this);
    if (!Alive(token) || closed_) return false;
  }
  // Application data only after the owner accepted the peer.
  Status s = Pump(high_water_);
  if (!s.ok()) {
    Fail(s);
    return false;
  }
  FinishShutdownIfDrained();
  CheckWriteLow();
  return Alive(token) && !closed_;
}

void TlsTransport::ReadRecords() {
  std::weak_ptr<char> token = alive_;
  mbedtls_ssl_context* ssl = engine_->ssl();
  while (!closed_ && owner_reading_ && !peer_closed_ && !shutdown_requested_) {
    int n = mbedtls_ssl_read(ssl, engine_->plain().data(), engine_->plain().size());
    if (n > 0) {
      auto fn = cb_.on_data;
      if (fn) {
        fn(std::string_view(reinterpret_cast<const char*>(engine_->plain().data()),
                            static_cast<size_t>(n)));
        if (!Alive(token)) return;
      }
      continue;
    }
    FlushCiphertext();  // reading can produce records (alerts)
    bool end = n == 0 || n == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY;
    if (n == MBEDTLS_ERR_SSL_WANT_READ) {
      if (!inner_eof_) return;
      end = true;  // TCP EOF without close_notify after the last complete record
    }
    if (end) {
      peer_closed_ = true;
      (void)UpdateInnerReading();
      auto fn = cb_.on_eof;
      if (fn) fn();  // may destroy *this: nothing follows
      return;
    }
    Fail(MbedtlsError(n, "tls read from " + peer_address()));
    return;
  }
}

Status TlsTransport::Pump(size_t inner_limit) {
  if (!handshake_complete_ || closed_) return Status();
  mbedtls_ssl_context* ssl = engine_->ssl();
  while (plain_out_bytes_ > 0 && !inner_->closing() && inner_->write_queue_size() <= inner_limit) {
    while (plain_out_bytes_ > 0 && engine_->output_size() < kCiphertextBatch) {
      const std::string& front = plain_out_.front();
      // One call encrypts at most one record (16 KiB).
      int n = mbedtls_ssl_write(
          ssl, reinterpret_cast<const unsigned char*>(front.data()) + plain_front_offset_,
          front.size() - plain_front_offset_);
      if (n < 0) return MbedtlsError(n, "tls write to " + peer_address());
      plain_front_offset_ += static_cast<size_t>(n);
      plain_out_bytes_ -= static_cast<size_t>(n);
      if (plain_front_offset_ == front.size()) {
        plain_out_.pop_front();
        plain_front_offset_ = 0;
      }
    }
    FlushCiphertext();
  }
  return Status();
}

void TlsTransport::FinishShutdownIfDrained() {
  if (!shutdown_requested_ || close_notify_sent_ || closed_ || plain_out_bytes_ > 0) return;
  close_notify_sent_ = true;
  timer_.Stop();
  // Before the handshake completed there is no session to close: just end the TCP stream.
  if (handshake_complete_) {
    mbedtls_ssl_close_notify(engine_->ssl());
    FlushCiphertext();
  }
  inner_reading_ = false;  // the inner transport now reads (and discards) by itself
  inner_->Shutdown(linger_ms_);
}

void TlsTransport::FlushCiphertext() {
  if (engine_->output_size() == 0) return;
  std::string bytes = engine_->TakeOutput();
  // A failure means the inner transport is closing; its on_error/on_closed tell the story.
  (void)inner_->Write(std::move(bytes));
}

Status TlsTransport::UpdateInnerReading() {
  if (closed_ || inner_eof_ || close_notify_sent_ || !begun_) return Status();
  bool want = !handshake_complete_ || (owner_reading_ && !peer_closed_ && !shutdown_requested_);
  if (want && !inner_reading_) {
    Status s = inner_->StartReading();
    if (!s.ok()) return s;
    inner_reading_ = true;
  } else if (!want && inner_reading_) {
    inner_->StopReading();
    inner_reading_ = false;
  }
  return Status();
}

bool TlsTransport::HasBufferedInput() const {
  return engine_->has_input() || mbedtls_ssl_get_bytes_avail(engine_->ssl()) > 0 || inner_eof_;
}

std::string TlsTransport::HandshakePeer() const {
  if (context_->role() == TlsRole::kClient && !server_name_.empty()) {
    return peer_address() + " (" + server_name_ + ")";
  }
  return peer_address();
}

void TlsTransport::CheckWriteLow() {
  if (!above_high_ || write_queue_size() > low_water_) return;
  above_high_ = false;
  auto fn = cb_.on_write_low;
  if (fn) fn();  // may destroy *this: nothing follows
}

void TlsTransport::Fail(const Status& error) {
  if (closed_) return;
  closed_ = true;
  timer_.Stop();
  FlushCiphertext();
  inner_->Close();
  auto fn = cb_.on_error;
  if (fn) fn(error);  // may destroy *this: nothing follows; on_closed comes from the inner
}

void TlsTransport::OnInnerData(std::string_view data) {
  engine_->Append(data);
  Drive();
}

void TlsTransport::OnInnerEof() {
  inner_eof_ = true;
  inner_reading_ = false;
  if (!handshake_complete_) {
    Fail(Status::Tls("tls handshake with " + HandshakePeer() +
                     " failed: the peer closed the connection"));
    return;
  }
  Drive();  // delivers what is buffered, then on_eof (now, or once the owner reads again)
}

void TlsTransport::OnInnerError(const Status& error) {
  if (closed_) return;
  closed_ = true;
  timer_.Stop();
  Status reported = handshake_complete_
                        ? error
                        : Status(error.code(), "tls handshake with " + HandshakePeer() +
                                                   " failed: " + error.message());
  auto fn = cb_.on_error;
  if (fn) fn(reported);  // may destroy *this
}

void TlsTransport::OnInnerWriteLow() {
  if (closed_) return;
  Status s = Pump(high_water_);
  if (!s.ok()) return Fail(s);
  FinishShutdownIfDrained();
  CheckWriteLow();
}

void TlsTransport::OnInnerClosed() {
  closed_ = true;
  timer_.Stop();
  auto fn = std::move(cb_.on_closed);
  cb_ = net::TransportCallbacks();
  if (fn) fn();  // may destroy *this: nothing follows
}

}  // namespace kong::tls
