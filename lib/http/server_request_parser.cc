// ServerConnection's llhttp callbacks: build the Request and enforce nginx's size limits.
#include "base/recycling_allocator.h"
#include "http/encoding.h"
#include "http/server_connection.h"

namespace kong::http {
namespace {

ServerConnection* Self(llhttp_t* p) { return static_cast<ServerConnection*>(p->data); }

// nginx's internal code for "Request Header Or Cookie Too Large", sent as 400.
constexpr int kHeaderTooLarge = 494;

}  // namespace

int ServerConnection::OnMessageBegin(llhttp_t* p) noexcept {
  ServerConnection* c = Self(p);
  c->parsing_ = std::allocate_shared<Exchange>(base::RecyclingAllocator<Exchange>(), c,
                                               c->transport_->loop());
  c->field_.clear();
  c->value_.clear();
  c->header_bytes_ = 0;
  c->reject_status_ = 0;
  c->phase_ = Phase::kHeaders;
  // The first request keeps the deadline that started at accept (nginx's post_accept_timeout).
  bool first_deadline_running = c->requests_ == 0 && c->idle_timer_armed_;
  c->idle_timer_armed_ = false;
  // Armed at the end of this Parse() only if the head is still incomplete then: a head read
  // in one go (the usual case) costs no timer restart. Nothing can fire before that.
  if (!first_deadline_running) c->header_timer_due_ = true;
  return 0;
}

int ServerConnection::OnUrl(llhttp_t* p, const char* at, size_t n) noexcept {
  ServerConnection* c = Self(p);
  std::string& target = c->current().target;
  target.append(at, n);
  size_t max = c->options().max_request_line_size;
  if (max && target.size() > max) {
    c->reject_status_ = 414;
    return HPE_USER;
  }
  return 0;
}

int ServerConnection::OnHeaderField(llhttp_t* p, const char* at, size_t n) noexcept {
  ServerConnection* c = Self(p);
  c->field_.Append(at, n);
  c->header_bytes_ += n;
  const ServerOptions& o = c->options();
  if ((o.max_header_line_size && c->field_.size() > o.max_header_line_size) ||
      (o.max_header_size && c->header_bytes_ > o.max_header_size)) {
    c->reject_status_ = kHeaderTooLarge;
    return HPE_USER;
  }
  return 0;
}

int ServerConnection::OnHeaderValue(llhttp_t* p, const char* at, size_t n) noexcept {
  ServerConnection* c = Self(p);
  c->value_.Append(at, n);
  c->header_bytes_ += n;
  const ServerOptions& o = c->options();
  if ((o.max_header_line_size && c->field_.size() + c->value_.size() > o.max_header_line_size) ||
      (o.max_header_size && c->header_bytes_ > o.max_header_size)) {
    c->reject_status_ = kHeaderTooLarge;
    return HPE_USER;
  }
  return 0;
}

int ServerConnection::OnHeaderValueComplete(llhttp_t* p) noexcept {
  ServerConnection* c = Self(p);
  HeaderMap& headers = c->current().headers;
  headers.AddCopy(c->field_.view(), c->value_.view());
  c->field_.clear();
  c->value_.clear();
  size_t max = c->options().max_header_count;
  if (max && headers.size() > max) {
    c->reject_status_ = kHeaderTooLarge;
    return -1;
  }
  return 0;
}

int ServerConnection::OnHeadersComplete(llhttp_t* p) noexcept {
  ServerConnection* c = Self(p);
  Request& r = c->current();
  const ServerOptions& o = c->options();
  r.method = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
  r.http_major = p->http_major;
  r.http_minor = p->http_minor;
  r.peer_address = c->transport_->peer_address();
  if (!c->tls_server_name_.empty()) r.sni = c->tls_server_name_;
  if (r.http_major == 1 && r.http_minor >= 1 && !r.headers.Has("Host")) {
    c->reject_status_ = 400;  // nginx: "client sent HTTP/1.1 request without Host header"
    return -1;
  }
  if (r.method == "CONNECT") {
    r.raw_path = r.target;  // authority-form "host:port"
    r.path = r.target;
  } else {
    SplitTarget(r.target, &r.raw_path, &r.query_string);
    if (!o.stream_request_body) {  // the proxy decodes what it needs itself
      r.path = PercentDecode(r.raw_path, false);
      r.query = ParseQuery(r.query_string);
    }
  }
  bool chunked = (p->flags & F_CHUNKED) != 0;
  bool has_length = (p->flags & F_CONTENT_LENGTH) != 0;
  r.chunked = chunked;
  r.content_length = has_length ? static_cast<int64_t>(p->content_length) : -1;
  if (has_length && o.max_body_size && p->content_length > o.max_body_size) {
    c->reject_status_ = 413;  // nginx rejects on the announced length, before reading it
    return -1;
  }
  bool has_body = chunked || (has_length && p->content_length > 0);
  if (has_body && o.stream_request_body && !p->upgrade) {
    // The handler runs now and reads the body itself (Parse() dispatches on this pause).
    c->phase_ = Phase::kBody;
    c->head_ready_ = true;
    return HPE_PAUSED;
  }
  if (has_body) {
    c->phase_ = Phase::kBody;
    if (o.body_timeout_ms) {
      c->timer_.Start(o.body_timeout_ms, [c] { c->Abort(); });
    } else {
      c->timer_.Stop();
    }
    // curl waits a second for this before sending a body; send it when it cannot overtake an
    // earlier pipelined response.
    if (r.http_minor >= 1 && c->queue_.empty() && r.headers.HasToken("Expect", "100-continue")) {
      (void)c->transport_->Write("HTTP/1.1 100 Continue\r\n\r\n");
    }
  }
  return 0;
}

int ServerConnection::OnBody(llhttp_t* p, const char* at, size_t n) noexcept {
  ServerConnection* c = Self(p);
  if (c->streaming_) {
    c->body_bytes_ += n;
    size_t max = c->options().max_body_size;
    if (max && c->body_bytes_ > max) return HPE_USER;  // Parse() closes: the head may be out
    std::shared_ptr<Exchange> ex = c->streaming_;
    ex->DeliverBody(std::string_view(at, n));
    return c->stopped() ? HPE_USER : 0;
  }
  std::string& body = c->current().body;
  body.append(at, n);
  size_t max = c->options().max_body_size;
  if (max && body.size() > max) {
    c->reject_status_ = 413;
    return HPE_USER;
  }
  return 0;
}

int ServerConnection::OnMessageComplete(llhttp_t* p) noexcept {
  ServerConnection* c = Self(p);
  if (c->streaming_) {
    c->body_done_ = true;
    c->phase_ = Phase::kIdle;
    c->timer_.Stop();
    c->idle_timer_armed_ = false;
    return HPE_PAUSED;
  }
  c->current().keep_alive = llhttp_should_keep_alive(p) != 0;
  c->current().upgrade = p->upgrade != 0;
  c->completed_ = std::move(c->parsing_);
  c->phase_ = Phase::kIdle;
  c->timer_.Stop();
  c->idle_timer_armed_ = false;
  // Pausing hands each request to Parse(), which dispatches it and decides whether to go on.
  return HPE_PAUSED;
}

}  // namespace kong::http
