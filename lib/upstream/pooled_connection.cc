// PooledConnection: request writing, timeouts, transport events and the idle state.
#include "upstream/pooled_connection.h"

#include <uv.h>

#include <algorithm>

#include "kong/uv.h"
#include "upstream/request_framing.h"

namespace kong::upstream {
namespace {

// Body bytes up to this size are copied next to the head or chunk header (one write); larger
// ones are handed to the transport as they are (two writes, no copy).
constexpr size_t kCoalesceLimit = 16 * 1024;

}  // namespace

PooledConnection::PooledConnection(EventLoop& loop, std::unique_ptr<net::Transport> transport,
                                   std::string pool_key)
    : loop_(loop),
      transport_(std::move(transport)),
      pool_key_(std::move(pool_key)),
      peer_(transport_->peer_address()),
      timer_(loop) {
  llhttp_init(&parser_, HTTP_RESPONSE, ParserSettings());
  parser_.data = this;
  net::TransportCallbacks cb;
  cb.on_data = [this](std::string_view data) { OnData(data); };
  cb.on_eof = [this] { OnEof(); };
  cb.on_error = [this](const Status& error) { OnTransportError(error); };
  cb.on_write_high = [this] {
    if (state_ == State::kActive && cb_.on_write_high) cb_.on_write_high();
  };
  cb.on_write_low = [this] {
    if (state_ == State::kActive && cb_.on_write_low) cb_.on_write_low();
  };
  transport_->SetCallbacks(std::move(cb));
  // Reading from the start notices a server that closes before the first request.
  if (!transport_->StartReading().ok()) Discard();
}

PooledConnection::~PooledConnection() {
  if (destroyed_ != nullptr) *destroyed_ = true;
}

uint64_t PooledConnection::Now() const { return uv_now(NativeHandle(loop_)); }

bool PooledConnection::Reusable(size_t max_requests) const {
  return state_ == State::kComplete && keep_alive_ && request_complete_ && !paused_ &&
         transport_ != nullptr && !transport_->closing() && requests_ < max_requests;
}

void PooledConnection::Park(IdleOwner* owner, uint64_t idle_timeout_ms) {
  state_ = State::kIdle;
  owner_ = owner;
  cb_ = ExchangeCallbacks();
  timer_.Start(idle_timeout_ms, [this] { OnTimer(); });
}

bool PooledConnection::Unpark() {
  owner_ = nullptr;
  timer_.Stop();
  if (state_ != State::kIdle || transport_ == nullptr || transport_->closing()) return false;
  state_ = State::kFresh;
  reused_ = true;
  return true;
}

void PooledConnection::Start(UpstreamRequestHead head, ExchangeTimeouts timeouts,
                             ExchangeCallbacks callbacks) {
  cb_ = std::move(callbacks);
  timeouts_ = timeouts;
  if (state_ != State::kFresh || transport_ == nullptr || transport_->closing()) {
    // The server closed the connection before the request (or Start() came twice).
    FailLater(UpstreamErrorKind::kReset,
              "upstream connection to " + peer_ + " was closed before the request", true);
    return;
  }
  state_ = State::kActive;
  chunked_ = head.body == UpstreamRequestHead::Body::kChunked;
  head_request_ = head.head_request();
  request_complete_ = head.body == UpstreamRequestHead::Body::kNone;
  chunk_open_ = false;
  bytes_queued_ = 0;
  bytes_flushed_seen_ = 0;
  paused_ = false;
  resume_pending_ = false;
  held_.clear();
  response_started_ = head_delivered_ = false;
  event_ = Event::kNone;
  llhttp_reset(&parser_);
  last_read_ms_ = last_write_progress_ms_ = Now();
  std::string bytes = head.raw.empty()
                          ? SerializeRequestHead(head, request_complete_ ? 0 : kCoalesceLimit)
                          : std::move(head.raw);
  if (request_complete_) {
    if (!Send(std::move(bytes))) return;
  } else {
    // Held until the first body bytes so that a small request goes out in one write.
    corked_head_ = std::move(bytes);
  }
  ArmTimer();
}

void PooledConnection::WriteBody(std::string data) {
  if (state_ != State::kActive || request_complete_ || data.empty()) return;
  std::string out = std::move(corked_head_);
  corked_head_.clear();
  if (chunked_) {
    AppendChunkHeader(&out, data.size(), chunk_open_);
    chunk_open_ = true;
  }
  if (data.size() <= kCoalesceLimit) {
    out.append(data);
    if (!Send(std::move(out))) return;
  } else {
    if (!out.empty() && !Send(std::move(out))) return;
    if (!Send(std::move(data))) return;
  }
  ArmTimer();
}

void PooledConnection::EndBody() {
  if (state_ != State::kActive || request_complete_) return;
  request_complete_ = true;
  std::string out = std::move(corked_head_);
  corked_head_.clear();
  if (chunked_) {
    if (chunk_open_) out.append("\r\n");
    out.append("0\r\n\r\n");
  }
  if (!out.empty() && !Send(std::move(out))) return;
  ArmTimer();
}

bool PooledConnection::Send(std::string bytes) {
  DestroyGuard guard(this);  // the transport may call on_write_high, and the proxy anything
  if (transport_->write_queue_size() == 0) last_write_progress_ms_ = Now();
  const size_t size = bytes.size();
  bytes_queued_ += size;
  Status written = transport_->Write(std::move(bytes));
  if (guard.destroyed) return false;
  if (!written.ok()) {
    bytes_queued_ -= size;
    FailLater(head_delivered_ ? UpstreamErrorKind::kBodyBroken : UpstreamErrorKind::kReset,
              "upstream connection to " + peer_ + ": " + written.message(), nothing_written());
    return false;
  }
  return state_ == State::kActive;
}

void PooledConnection::PauseResponse() {
  if (paused_ || transport_ == nullptr) return;
  paused_ = true;
  resume_pending_ = false;
  transport_->StopReading();
}

void PooledConnection::ResumeResponse() {
  if (!paused_ || transport_ == nullptr) return;
  paused_ = false;
  if (state_ != State::kActive) return;
  last_read_ms_ = Now();
  if (!held_.empty()) {
    // Parsed from the loop, not inside this call: the caller is not ready for on_body here.
    resume_pending_ = true;
    timer_.Start(0, [this] { OnTimer(); });
    return;
  }
  if (!transport_->StartReading().ok()) {
    Fail(head_delivered_ ? UpstreamErrorKind::kBodyBroken : UpstreamErrorKind::kReset,
         "upstream connection to " + peer_ + " closed", nothing_written());
    return;
  }
  ArmTimer();
}

Result<http::UpgradedTransport> PooledConnection::TakeTransport() {
  if (state_ != State::kUpgraded || transport_ == nullptr) {
    return Status::InvalidArgument("take transport from " + peer_ + ": no upgrade response");
  }
  state_ = State::kDead;
  timer_.Stop();
  transport_->StopReading();
  transport_->SetCallbacks(net::TransportCallbacks());
  http::UpgradedTransport upgraded{std::move(transport_), std::move(held_)};
  held_.clear();
  return upgraded;
}

void PooledConnection::Abort() {
  state_ = State::kDead;
  cb_ = ExchangeCallbacks();
  pending_error_.reset();
  timer_.Stop();
  if (transport_ != nullptr) transport_->Close();
}

void PooledConnection::Discard() {
  keep_alive_ = false;
  if (state_ != State::kActive && state_ != State::kUpgraded) state_ = State::kDead;
  if (transport_ != nullptr) transport_->Close();
}

void PooledConnection::OnData(std::string_view data) {
  switch (state_) {
    case State::kActive:
      if (paused_) {
        held_.append(data);  // a transport that delivered after StopReading()
        return;
      }
      Parse(data);
      return;
    case State::kIdle:
      owner_->OnIdleConnectionGone(this);  // unexpected bytes: destroys *this
      return;
    case State::kUpgraded:
      held_.append(data);
      return;
    default:
      Discard();  // bytes nobody asked for: the connection is out of step
      return;
  }
}

void PooledConnection::OnEof() {
  switch (state_) {
    case State::kIdle:
      owner_->OnIdleConnectionGone(this);
      return;
    case State::kActive:
      break;
    case State::kUpgraded:
      return;
    default:
      Discard();
      return;
  }
  if (!held_.empty()) {
    // Paused with bytes still to deliver: the EOF is handled once they are parsed.
    return;
  }
  if (response_started_) {
    // A close-delimited body ends here.
    llhttp_errno_t err = llhttp_finish(&parser_);
    if (err == HPE_PAUSED && event_ != Event::kNone) {
      keep_alive_ = false;
      Event event = event_;
      event_ = Event::kNone;
      Dispatch(event);  // completes the exchange; may destroy *this
      return;
    }
  }
  if (head_delivered_) {
    Fail(UpstreamErrorKind::kBodyBroken,
         "upstream " + peer_ + " prematurely closed connection while reading upstream", false);
  } else {
    Fail(UpstreamErrorKind::kReset,
         "upstream " + peer_ + " prematurely closed connection while reading response header",
         nothing_written());
  }
}

void PooledConnection::OnTransportError(const Status& error) {
  switch (state_) {
    case State::kIdle:
      owner_->OnIdleConnectionGone(this);
      return;
    case State::kActive:
      Fail(head_delivered_ ? UpstreamErrorKind::kBodyBroken : UpstreamErrorKind::kReset,
           "upstream " + peer_ + ": " + error.message(), nothing_written());
      return;
    default:
      Discard();
      return;
  }
}

void PooledConnection::OnTimer() {
  if (pending_error_) {
    UpstreamError error = std::move(*pending_error_);
    pending_error_.reset();
    auto on_error = std::move(cb_.on_error);
    cb_ = ExchangeCallbacks();
    if (on_error) on_error(error);  // may destroy *this
    return;
  }
  switch (state_) {
    case State::kIdle:
      owner_->OnIdleConnectionGone(this);
      return;
    case State::kActive:
      if (resume_pending_) {
        resume_pending_ = false;
        ResumeHeld();
        return;
      }
      CheckTimeouts();
      return;
    default:
      return;
  }
}

void PooledConnection::ArmTimer() {
  if (state_ != State::kActive || timer_.active()) return;
  uint64_t ms = 0;
  if (transport_->write_queue_size() > 0) {
    ms = timeouts_.write_ms;
  } else if (request_complete_ && !paused_) {
    ms = timeouts_.read_ms;
  } else {
    return;  // waiting for the proxy (body bytes, or the client draining): no upstream deadline
  }
  timer_.Start(ms, [this] { OnTimer(); });
}

// Deadlines are checked lazily: events only record times, and the timer, when it fires,
// either fails the exchange or sleeps until the deadline those times imply.
void PooledConnection::CheckTimeouts() {
  const uint64_t now = Now();
  const size_t queued = transport_->write_queue_size();
  const uint64_t flushed = bytes_queued_ > queued ? bytes_queued_ - queued : 0;
  if (flushed != bytes_flushed_seen_) {
    bytes_flushed_seen_ = flushed;
    last_write_progress_ms_ = now;
  }
  uint64_t since = 0, limit = 0;
  if (queued > 0) {
    since = last_write_progress_ms_;
    limit = timeouts_.write_ms;
    if (now - since >= limit) {
      Fail(UpstreamErrorKind::kWriteTimeout,
           "upstream " + peer_ + " timed out (110: Connection timed out) while sending request",
           flushed == 0);
      return;
    }
  } else if (request_complete_ && !paused_) {
    since = std::max(last_read_ms_, last_write_progress_ms_);
    limit = timeouts_.read_ms;
    if (now - since >= limit) {
      Fail(UpstreamErrorKind::kReadTimeout,
           "upstream " + peer_ + " timed out (110: Connection timed out) while reading " +
               (head_delivered_ ? "upstream" : "response header from upstream"),
           false);
      return;
    }
  } else {
    return;
  }
  timer_.Start(since + limit - now, [this] { OnTimer(); });
}

void PooledConnection::Fail(UpstreamErrorKind kind, std::string message, bool nothing_sent) {
  state_ = State::kDead;
  timer_.Stop();
  pending_error_.reset();
  if (transport_ != nullptr) transport_->Close();
  auto on_error = std::move(cb_.on_error);
  cb_ = ExchangeCallbacks();
  if (on_error) on_error(UpstreamError{kind, std::move(message), nothing_sent});
}

void PooledConnection::FailLater(UpstreamErrorKind kind, std::string message,
                                 bool nothing_sent) {
  state_ = State::kDead;
  if (transport_ != nullptr) transport_->Close();
  if (!pending_error_) pending_error_ = UpstreamError{kind, std::move(message), nothing_sent};
  timer_.Start(0, [this] { OnTimer(); });
}

}  // namespace kong::upstream
