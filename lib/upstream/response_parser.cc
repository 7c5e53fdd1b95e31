// PooledConnection's response side: llhttp in response mode, paused after every event.
#include "upstream/pooled_connection.h"

namespace kong::upstream {
namespace {

// nginx's proxy_buffer_size is 4-8 KiB; Kong's templates raise it. This only bounds memory.
constexpr size_t kMaxResponseHeadBytes = 64 * 1024;

PooledConnection* Self(llhttp_t* p) { return static_cast<PooledConnection*>(p->data); }

}  // namespace

const llhttp_settings_t* PooledConnection::ParserSettings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = &OnMessageBegin;
    s.on_header_field = &OnHeaderField;
    s.on_header_value = &OnHeaderValue;
    s.on_header_value_complete = &OnHeaderValueComplete;
    s.on_headers_complete = &OnHeadersComplete;
    s.on_body = &OnBody;
    s.on_message_complete = &OnMessageComplete;
    return s;
  }();
  return &settings;
}

// Feeds bytes to llhttp. Each pause hands one event to Dispatch(), outside llhttp_execute, so
// callbacks may pause, abort or destroy the connection.
void PooledConnection::Parse(std::string_view data) {
  DestroyGuard guard(this);
  last_read_ms_ = Now();
  response_started_ = true;
  const char* p = data.data();
  size_t n = data.size();
  // Runs until llhttp consumed everything without pausing: after a pause it is called again
  // even with no bytes left, as steps that read nothing (the end of a message after its last
  // body byte) still have to run.
  for (;;) {
    llhttp_errno_t err = llhttp_execute(&parser_, p, n);
    field_.Keep();  // a field split across reads: `data` is gone before the rest comes
    value_.Keep();
    if (err == HPE_OK) return;
    if (err != HPE_PAUSED) {
      std::string why = head_too_large_ ? "too big header" : llhttp_get_error_reason(&parser_);
      if (head_delivered_) {
        Fail(UpstreamErrorKind::kBodyBroken,
             "upstream " + peer_ + " sent invalid response body: " + why, false);
      } else {
        Fail(UpstreamErrorKind::kBadResponse,
             "upstream " + peer_ + " sent invalid response: " + why, nothing_written());
      }
      return;
    }
    size_t used = static_cast<size_t>(llhttp_get_error_pos(&parser_) - p);
    p += used;
    n -= used;
    llhttp_resume(&parser_);
    Event event = event_;
    event_ = Event::kNone;
    const bool upgrade = head_.status == 101 && event == Event::kHeadAndEnd;
    if (event == Event::kHead) {
      head_.body_at_hand =
          head_.content_length >= 0 && static_cast<uint64_t>(head_.content_length) <= n;
    }
    if (upgrade) held_.assign(p, n);  // bytes after the 101 head belong to the new protocol
    Dispatch(event);
    if (guard.destroyed || upgrade) return;
    if (state_ != State::kActive) {
      // The exchange ended (complete, failed, aborted); bytes past the response mean the
      // server is out of step.
      if (n > 0 && state_ != State::kDead) {
        if (state_ == State::kIdle) {
          owner_->OnIdleConnectionGone(this);
        } else {
          Discard();
        }
      }
      return;
    }
    if (paused_) {
      held_.assign(p, n);
      return;
    }
  }
}

void PooledConnection::ResumeHeld() {
  DestroyGuard guard(this);
  std::string input = std::move(held_);
  held_.clear();
  Parse(input);
  if (guard.destroyed || state_ != State::kActive || paused_) return;
  if (transport_ == nullptr || !transport_->StartReading().ok()) {
    OnEof();  // the transport reached EOF while paused
    return;
  }
  ArmTimer();
}

void PooledConnection::Dispatch(Event event) {
  switch (event) {
    case Event::kNone:
      return;
    case Event::kHead:
      DeliverHead();
      return;
    case Event::kBody:
      if (cb_.on_body) cb_.on_body(body_span_);
      return;
    case Event::kEnd:
      Complete();
      return;
    case Event::kHeadAndEnd: {
      DestroyGuard guard(this);
      DeliverHead();
      if (guard.destroyed || state_ != State::kActive) return;
      Complete();
      return;
    }
  }
}

void PooledConnection::DeliverHead() {
  head_delivered_ = true;
  if (head_.status == 101) {
    head_.upgrade = true;
    state_ = State::kUpgraded;
    timer_.Stop();
    transport_->StopReading();
  }
  if (cb_.on_head) cb_.on_head(std::move(head_));
}

void PooledConnection::Complete() {
  state_ = State::kComplete;
  timer_.Stop();
  ++requests_;
  if (!request_complete_) keep_alive_ = false;  // the server answered before the body ended
  auto on_end = std::move(cb_.on_end);
  cb_ = ExchangeCallbacks();
  if (on_end) on_end();  // may Release() or destroy *this
}

int PooledConnection::OnMessageBegin(llhttp_t* p) noexcept {
  PooledConnection* c = Self(p);
  c->head_ = UpstreamResponseHead();
  c->field_.clear();
  c->value_.clear();
  c->head_bytes_ = 0;
  c->skip_body_ = c->interim_ = c->head_too_large_ = false;
  return 0;
}

int PooledConnection::OnHeaderField(llhttp_t* p, const char* at, size_t n) noexcept {
  PooledConnection* c = Self(p);
  return c->AppendHeadBytes(&c->field_, at, n);
}

int PooledConnection::OnHeaderValue(llhttp_t* p, const char* at, size_t n) noexcept {
  PooledConnection* c = Self(p);
  return c->AppendHeadBytes(&c->value_, at, n);
}

int PooledConnection::AppendHeadBytes(http::SpanText* to, const char* at, size_t n) {
  to->Append(at, n);
  head_bytes_ += n;
  if (head_bytes_ <= kMaxResponseHeadBytes) return 0;
  head_too_large_ = true;
  return HPE_USER;
}

int PooledConnection::OnHeaderValueComplete(llhttp_t* p) noexcept {
  PooledConnection* c = Self(p);
  c->head_.headers.AddCopy(c->field_.view(), c->value_.view());
  c->field_.clear();
  c->value_.clear();
  return 0;
}

int PooledConnection::OnHeadersComplete(llhttp_t* p) noexcept {
  PooledConnection* c = Self(p);
  const int status = p->status_code;
  c->head_.status = status;
  c->head_.http_major = p->http_major;
  c->head_.http_minor = p->http_minor;
  if ((p->flags & F_CONTENT_LENGTH) != 0 && (p->flags & F_CHUNKED) == 0) {
    c->head_.content_length = static_cast<int64_t>(p->content_length);
  }
  c->interim_ = status >= 100 && status < 200 && status != 101;
  // Bodiless by definition (a HEAD or 304 response may still announce a length); the head
  // is then delivered together with the end of the message.
  c->skip_body_ = c->head_request_ || status == 204 || status == 304 || status == 101;
  if (c->interim_ || c->skip_body_) return 1;
  c->event_ = Event::kHead;
  return HPE_PAUSED;
}

int PooledConnection::OnBody(llhttp_t* p, const char* at, size_t n) noexcept {
  if (n == 0) return 0;  // llhttp flushes empty spans at the end of a buffer
  PooledConnection* c = Self(p);
  c->event_ = Event::kBody;
  c->body_span_ = std::string_view(at, n);
  return HPE_PAUSED;
}

int PooledConnection::OnMessageComplete(llhttp_t* p) noexcept {
  PooledConnection* c = Self(p);
  if (c->interim_) return 0;  // 100 Continue, 103 Early Hints: the real response follows
  c->keep_alive_ = llhttp_should_keep_alive(p) != 0;
  c->event_ = c->skip_body_ ? Event::kHeadAndEnd : Event::kEnd;
  return HPE_PAUSED;
}

}  // namespace kong::upstream
