// HttpClient: request encoding, llhttp response parsing, in-order delivery.
#include "http/client.h"

#include "http/encoding.h"
#include "loop/uv_error.h"

namespace kong::http {
namespace {

HttpClient* Self(llhttp_t* p) { return static_cast<HttpClient*>(p->data); }

}  // namespace

const llhttp_settings_t* HttpClient::Settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = &OnMessageBegin;
    s.on_status = &OnStatus;
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

HttpClient::HttpClient(std::unique_ptr<net::Transport> transport, ClientOptions options)
    : loop_(transport->loop()),
      transport_(std::move(transport)),
      options_(std::move(options)),
      timer_(loop_),
      peer_(transport_->peer_address()) {
  llhttp_init(&parser_, HTTP_RESPONSE, Settings());
  parser_.data = this;
  net::TransportCallbacks cb;
  cb.on_data = [this](std::string_view d) { OnData(d); };
  cb.on_eof = [this] { OnEof(); };
  cb.on_error = [this](const Status& s) { Fail(s); };
  cb.on_closed = [this] {
    if (!pending_.empty()) Fail(Status::Unavailable("http response from " + peer_ + ": closed"));
  };
  transport_->SetCallbacks(std::move(cb));
}

HttpClient::~HttpClient() { *alive_ = false; }

void HttpClient::Close() {
  if (transport_ && !closed_) {
    closed_ = true;
    transport_->Close();
  }
}

void HttpClient::Send(ClientRequest request, Callback done) {
  if (!open()) {
    Status error = Status::Unavailable("http request to " + peer_ + ": connection is closed");
    loop_.Post([alive = alive_, done = std::move(done), error] {
      if (*alive) done(error);
    });
    return;
  }
  HeaderMap& h = request.headers;
  if (!h.Has("Host")) h.Add("Host", options_.host.empty() ? peer_ : options_.host);
  bool body_expected =
      request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (!h.Has("Content-Length") && !h.Has("Transfer-Encoding") &&
      (!request.body.empty() || body_expected)) {
    h.Add("Content-Length", std::to_string(request.body.size()));
  }
  std::string bytes = EncodeRequestHead(request.method, request.target, h) + request.body;
  pending_.push_back(Pending{request.method, std::move(done)});
  Status written = transport_->Write(std::move(bytes));
  if (!written.ok()) {
    // Report from the loop, not inside Send: the caller is not ready for re-entrancy.
    loop_.Post([this, alive = alive_, written] {
      if (*alive) Fail(written);
    });
    return;
  }
  if (pending_.size() == 1) {
    ArmTimer();
    if (!transport_->StartReading().ok()) {
      loop_.Post([this, alive = alive_] {
        if (*alive) Fail(Status::Unavailable("http response from " + peer_ + ": closed"));
      });
    }
  }
}

void HttpClient::ArmTimer() {
  if (options_.read_timeout_ms == 0) return;
  timer_.Start(options_.read_timeout_ms,
               [this] { Fail(loop::UvError(UV_ETIMEDOUT, "http response from " + peer_)); });
}

void HttpClient::OnData(std::string_view data) {
  if (upgraded_ || closed_) return;
  if (!pending_.empty()) ArmTimer();
  input_.append(data);
  Parse();
}

void HttpClient::Parse() {
  auto alive = alive_;
  while (input_off_ < input_.size() && !upgraded_ && !closed_) {
    const char* begin = input_.data() + input_off_;
    llhttp_errno_t err = llhttp_execute(&parser_, begin, input_.size() - input_off_);
    if (err == HPE_OK) {
      input_off_ = input_.size();
      break;
    }
    if (err == HPE_PAUSED) {
      input_off_ += static_cast<size_t>(llhttp_get_error_pos(&parser_) - begin);
      llhttp_resume(&parser_);
      Deliver();
      if (!*alive) return;
      continue;
    }
    std::string why = limit_error_.empty() ? llhttp_get_error_reason(&parser_) : limit_error_;
    Fail(Status::Protocol("http response from " + peer_ + ": " + why));
    return;
  }
  if (!upgraded_ && input_off_ > 0) {
    input_.erase(0, input_off_);
    input_off_ = 0;
  }
}

void HttpClient::OnEof() {
  auto alive = alive_;
  // A close-delimited body ends here; llhttp_finish completes it.
  if (llhttp_finish(&parser_) == HPE_PAUSED && completed_) {
    Deliver();
    if (!*alive) return;
  }
  closed_ = true;
  if (transport_) transport_->Close();
  if (!pending_.empty()) {
    Fail(Status::Unavailable("http response from " + peer_ + ": connection closed early"));
  }
}

void HttpClient::Deliver() {
  std::unique_ptr<ClientResponse> response = std::move(completed_);
  if (response == nullptr) return;
  if (response->status >= 100 && response->status < 200 && !response->upgrade) return;
  if (pending_.empty()) {
    Fail(Status::Protocol("http response from " + peer_ + ": response without request"));
    return;
  }
  Pending p = std::move(pending_.front());
  pending_.pop_front();
  if (pending_.empty()) timer_.Stop();
  if (response->upgrade) {
    upgraded_ = true;
    transport_->StopReading();
  } else if (!response->keep_alive) {
    closed_ = true;
    transport_->Shutdown(0);
  }
  auto alive = alive_;
  p.done(std::move(*response));  // may destroy *this
  if (!*alive) return;
  if (closed_ && !pending_.empty()) {
    Fail(Status::Unavailable("http response from " + peer_ + ": server closed the connection"));
  }
}

void HttpClient::Fail(const Status& error) {
  closed_ = true;
  timer_.Stop();
  if (transport_) transport_->Close();
  auto alive = alive_;
  std::deque<Pending> pending = std::move(pending_);
  pending_.clear();
  for (auto& p : pending) {
    p.done(error);
    if (!*alive) return;
  }
}

Result<UpgradedTransport> HttpClient::TakeTransport() {
  if (!upgraded_ || transport_ == nullptr) {
    return Status::InvalidArgument("take transport from " + peer_ + ": no upgrade response");
  }
  transport_->SetCallbacks(net::TransportCallbacks());
  UpgradedTransport up{std::move(transport_), input_.substr(input_off_)};
  input_.clear();
  input_off_ = 0;
  return up;
}

int HttpClient::OnMessageBegin(llhttp_t* p) noexcept {
  HttpClient* c = Self(p);
  c->current_ = ClientResponse();
  c->field_.clear();
  c->value_.clear();
  c->header_bytes_ = 0;
  return 0;
}

int HttpClient::OnStatus(llhttp_t*, const char*, size_t) noexcept { return 0; }

int HttpClient::OnHeaderField(llhttp_t* p, const char* at, size_t n) noexcept {
  HttpClient* c = Self(p);
  c->field_.append(at, n);
  c->header_bytes_ += n;
  if (c->options_.max_header_size && c->header_bytes_ > c->options_.max_header_size) {
    c->limit_error_ = "response header too large";
    return HPE_USER;
  }
  return 0;
}

int HttpClient::OnHeaderValue(llhttp_t* p, const char* at, size_t n) noexcept {
  HttpClient* c = Self(p);
  c->value_.append(at, n);
  c->header_bytes_ += n;
  if (c->options_.max_header_size && c->header_bytes_ > c->options_.max_header_size) {
    c->limit_error_ = "response header too large";
    return HPE_USER;
  }
  return 0;
}

int HttpClient::OnHeaderValueComplete(llhttp_t* p) noexcept {
  HttpClient* c = Self(p);
  c->current_.headers.Add(std::move(c->field_), std::move(c->value_));
  c->field_.clear();
  c->value_.clear();
  return 0;
}

int HttpClient::OnHeadersComplete(llhttp_t* p) noexcept {
  HttpClient* c = Self(p);
  c->current_.status = p->status_code;
  c->current_.http_major = p->http_major;
  c->current_.http_minor = p->http_minor;
  // A HEAD response announces a length it does not send.
  bool head = !c->pending_.empty() && c->pending_.front().method == "HEAD";
  return head && p->status_code >= 200 ? 1 : 0;
}

int HttpClient::OnBody(llhttp_t* p, const char* at, size_t n) noexcept {
  HttpClient* c = Self(p);
  c->current_.body.append(at, n);
  if (c->options_.max_body_size && c->current_.body.size() > c->options_.max_body_size) {
    c->limit_error_ = "response body too large";
    return HPE_USER;
  }
  return 0;
}

int HttpClient::OnMessageComplete(llhttp_t* p) noexcept {
  HttpClient* c = Self(p);
  c->current_.keep_alive = llhttp_should_keep_alive(p) != 0;
  c->current_.upgrade = p->upgrade != 0 && p->status_code == 101;
  c->completed_ = std::make_unique<ClientResponse>(std::move(c->current_));
  c->current_ = ClientResponse();
  return HPE_PAUSED;
}

}  // namespace kong::http
