// Exchange and ResponseWriter: encoding one response and handing it to its connection.
#include "http/exchange.h"

#include <array>
#include <charconv>

#include "base/text.h"
#include "http/encoding.h"
#include "http/server_connection.h"

namespace kong::http {

// Encodes straight into `out` (no reordered copy of the headers): Server and Date first, the
// handler's headers, then the framing fields the server owns. One pass finds what the
// handler set; Connection and Transfer-Encoding are the server's and are skipped.
void Exchange::AppendHead(int status, HeaderMap* headers) {
  bool has_server = false, has_date = false;
  for (const auto& [k, v] : *headers) {
    if (EqualsIgnoreCase(k, "Connection")) {
      base::ForEachListToken(v, [this](std::string_view t) {
        if (EqualsIgnoreCase(t, "close")) keep_alive = false;
      });
    } else {
      has_server = has_server || EqualsIgnoreCase(k, "Server");
      has_date = has_date || EqualsIgnoreCase(k, "Date");
    }
  }
  out.reserve(out.size() + 512);
  auto field = [this](std::string_view name, std::string_view value) {
    AppendField(&out, name, value);
  };
  std::array<char, 8> code;
  char* code_end = std::to_chars(code.data(), code.data() + code.size(), status).ptr;
  out.append("HTTP/1.1 ").append(code.data(), static_cast<size_t>(code_end - code.data()));
  out.append(" ").append(ReasonPhrase(status)).append("\r\n");
  const std::string& name = conn->options().server_name;
  if (!name.empty() && !has_server) field("Server", name);
  if (!has_date) field("Date", CurrentHttpDate());
  for (const auto& [k, v] : *headers) {
    if (EqualsIgnoreCase(k, "Connection") || EqualsIgnoreCase(k, "Transfer-Encoding")) continue;
    field(k, v);
  }
  if (chunked) field("Transfer-Encoding", "chunked");
  if (status >= 200) field("Connection", keep_alive ? "keep-alive" : "close");
  out.append("\r\n");
}

bool Exchange::Send(Response response) {
  if (conn == nullptr || head_sent || finished || response.status < 200) return false;
  body_suppressed = ResponseHasNoBody(request.method, response.status);
  std::optional<std::string_view> given = response.headers.Get("Content-Length");
  // A HEAD answer may state the length of the body it leaves out.
  std::string length = request.method == "HEAD" && response.body.empty() && given
                           ? std::string(*given)
                           : std::to_string(response.body.size());
  response.headers.Remove("Content-Length");
  bool no_length = response.status == 204 || response.status == 304;
  if (!no_length) response.headers.Add("Content-Length", length);
  AppendHead(response.status, &response.headers);
  if (!body_suppressed) out += response.body;
  head_sent = finished = true;
  conn->OnExchangeOutput();
  return true;
}

bool Exchange::SendHead(int status, HeaderMap headers, bool flush) {
  if (conn == nullptr || head_sent || finished || status < 200) return false;
  body_suppressed = ResponseHasNoBody(request.method, status);
  if (!body_suppressed && !headers.Has("Content-Length")) {
    if (request.http_major == 1 && request.http_minor >= 1) {
      chunked = true;
    } else {
      keep_alive = false;  // HTTP/1.0 has no chunked coding: the close ends the body
    }
  }
  AppendHead(status, &headers);
  head_sent = true;
  if (flush) conn->OnExchangeOutput();
  return true;
}

bool Exchange::SendChunk(std::string_view data) {
  if (conn == nullptr || !head_sent || finished) return false;
  if (body_suppressed || data.empty()) {
    if (!out.empty()) conn->OnExchangeOutput();  // a head held for this call
    return true;
  }
  if (chunked) {
    out += EncodeChunk(data);
  } else {
    out.append(data);  // straight after a held head: no temporary copy
  }
  conn->OnExchangeOutput();
  return true;
}

bool Exchange::Finish() {
  if (conn == nullptr || !head_sent || finished) return false;
  if (chunked) out += kLastChunk;
  finished = true;
  conn->OnExchangeOutput();
  return true;
}

Result<UpgradedTransport> Exchange::TakeTransport() {
  if (conn == nullptr) return Status::Unavailable("take transport: connection closed");
  if (!request.upgrade) {
    return Status::InvalidArgument("take transport: request " + request.method + " " +
                                   request.target + " is not an upgrade");
  }
  if (head_sent || finished) return Status::Conflict("take transport: request already answered");
  auto taken = conn->Detach(this);
  if (taken.ok()) head_sent = finished = true;
  return taken;
}

bool Exchange::ReadBody(RequestBodyCallbacks callbacks) {
  if (conn == nullptr || !request.body_streamed || body_reading) return false;
  body_reading = true;
  body_callbacks = std::move(callbacks);
  if (!continue_sent && !body_complete) {
    continue_sent = true;
    conn->SendContinue(this);  // nginx sends it when the body is first read
  }
  ResumeBody();
  return true;
}

void Exchange::PauseBody() {
  if (!body_reading || body_paused) return;
  body_paused = true;
  if (conn) conn->OnBodyDemand();
}

void Exchange::ResumeBody() {
  if (!body_reading) return;
  body_paused = false;
  if (!body_pending.empty()) {
    std::string pending = std::move(body_pending);
    body_pending.clear();
    if (body_callbacks.on_data) body_callbacks.on_data(pending);
    if (body_paused || conn == nullptr) return;
  }
  if (body_complete) {
    EndBody();
    return;
  }
  if (conn) conn->OnBodyDemand();
}

void Exchange::DeliverBody(std::string_view data) {
  if (body_paused || !body_pending.empty()) {
    body_pending.append(data);
    return;
  }
  if (body_callbacks.on_data) body_callbacks.on_data(data);
}

void Exchange::EndBody() {
  body_complete = true;
  if (body_paused || !body_pending.empty() || body_end_sent || !body_reading) return;
  body_end_sent = true;
  auto on_end = std::move(body_callbacks.on_end);
  body_callbacks = RequestBodyCallbacks();
  if (on_end) on_end();
}

void Exchange::NotifyAbort() {
  body_callbacks = RequestBodyCallbacks();
  on_writable = nullptr;
  if (finished) return;
  auto fn = std::move(on_abort);
  on_abort = nullptr;
  if (fn) fn();
}

void Exchange::NotifyWritable() {
  if (!on_writable || write_blocked()) return;
  auto fn = std::move(on_writable);
  on_writable = nullptr;
  fn();
}

bool Exchange::write_blocked() const {
  if (conn == nullptr) return false;
  return conn->OutputBlocked(this);
}

void Exchange::Abandon() {
  if (conn == nullptr || finished) return;
  if (head_sent) {
    conn->Abort();  // a truncated stream must not look complete
    return;
  }
  Send(KongErrorResponse(500));
}

// One Holder per exchange, shared by writer copies: its end means "nobody will answer".
struct ResponseWriter::Holder {
  explicit Holder(std::shared_ptr<Exchange> e) : ex(std::move(e)) {}
  ~Holder() {
    if (ex->loop.IsCurrentThread()) {
      ex->Abandon();
    } else {
      ex->loop.Post([ex = ex] { ex->Abandon(); });
    }
  }
  std::shared_ptr<Exchange> ex;
};

ResponseWriter::ResponseWriter(std::shared_ptr<Exchange> exchange)
    : holder_(std::make_shared<Holder>(std::move(exchange))) {}
ResponseWriter::~ResponseWriter() = default;
ResponseWriter::ResponseWriter(const ResponseWriter&) = default;
ResponseWriter& ResponseWriter::operator=(const ResponseWriter&) = default;

Request& ResponseWriter::request() const { return holder_->ex->request; }
bool ResponseWriter::Send(Response response) { return holder_->ex->Send(std::move(response)); }
bool ResponseWriter::SendHead(int status, HeaderMap headers, bool flush) {
  return holder_->ex->SendHead(status, std::move(headers), flush);
}
bool ResponseWriter::SendChunk(std::string_view data) { return holder_->ex->SendChunk(data); }
bool ResponseWriter::Finish() { return holder_->ex->Finish(); }
Result<UpgradedTransport> ResponseWriter::TakeTransport() { return holder_->ex->TakeTransport(); }
bool ResponseWriter::ReadBody(RequestBodyCallbacks callbacks) {
  return holder_->ex->ReadBody(std::move(callbacks));
}
void ResponseWriter::PauseBody() { holder_->ex->PauseBody(); }
void ResponseWriter::ResumeBody() { holder_->ex->ResumeBody(); }
void ResponseWriter::OnAbort(std::function<void()> fn) { holder_->ex->on_abort = std::move(fn); }
bool ResponseWriter::write_blocked() const { return holder_->ex->write_blocked(); }
void ResponseWriter::OnWritable(std::function<void()> fn) {
  holder_->ex->on_writable = std::move(fn);
  holder_->ex->NotifyWritable();  // already drained: run it now
}
bool ResponseWriter::pending() const {
  return holder_->ex->conn != nullptr && !holder_->ex->finished;
}

}  // namespace kong::http
