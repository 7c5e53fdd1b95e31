// Exchange and ResponseWriter: encoding one response and handing it to its connection.
#include "http/exchange.h"

#include <array>
#include <charconv>

#include "base/recycling_allocator.h"
#include "base/text.h"
#include "http/encoding.h"
#include "http/server_connection.h"
#include "net/write_buffers.h"

namespace kong::http {

namespace {

// Writes the handler's fields, keeping back what the server owns (Connection, which may say
// "close", and Transfer-Encoding) and noting what the encoder must complete.
class WireSink final : public FieldSink {
 public:
  explicit WireSink(WireWriter* out) : out_(out) {}
  void Add(std::string_view name, std::string_view value) override {
    switch (name.size()) {
      case 4: has_date = has_date || EqualsIgnoreCase(name, "Date"); break;
      case 6: has_server = has_server || EqualsIgnoreCase(name, "Server"); break;
      case 10:
        if (EqualsIgnoreCase(name, "Connection")) {
          base::ForEachListToken(value, [this](std::string_view t) {
            close = close || EqualsIgnoreCase(t, "close");
          });
          return;
        }
        break;
      case 14: has_length = has_length || EqualsIgnoreCase(name, "Content-Length"); break;
      case 17:
        if (EqualsIgnoreCase(name, "Transfer-Encoding")) return;
        break;
      default: break;
    }
    out_->Field(name, value);
  }
  bool has_date = false, has_server = false, has_length = false, close = false;

 private:
  WireWriter* out_;
};

}  // namespace

// Encodes straight into `out`: the status line, the handler's fields, then the fields the
// server owns. Server and Date, when the handler set none, are inserted before the handler's
// fields (their usual place) once the fields showed they are missing.
void Exchange::AppendHead(int status, const HeadFields& fields, bool stream) {
  if (out.empty()) out = net::TakeWriteBuffer();
  WireWriter w(&out, 512);
  std::array<char, 8> code;
  char* code_end = std::to_chars(code.data(), code.data() + code.size(), status).ptr;
  w.Append("HTTP/1.1 ");
  w.Append(std::string_view(code.data(), static_cast<size_t>(code_end - code.data())));
  w.Append(" ");
  w.Append(ReasonPhrase(status));
  w.Append("\r\n");
  const size_t fields_at = w.position();
  WireSink sink(&w);
  fields.EmitTo(sink);
  if (sink.close) keep_alive = false;
  if (stream && !body_suppressed && !sink.has_length) {
    if (request.http_major == 1 && request.http_minor >= 1) {
      chunked = true;
      w.Field("Transfer-Encoding", "chunked");
    } else {
      keep_alive = false;  // HTTP/1.0 has no chunked coding: the close ends the body
    }
  }
  if (status >= 200) w.Field("Connection", keep_alive ? "keep-alive" : "close");
  w.Append("\r\n");
  w.Finish();
  const std::string& name = conn->options().server_name;
  const bool add_server = !name.empty() && !sink.has_server;
  if (add_server || !sink.has_date) {
    std::string missing;
    if (add_server) AppendField(&missing, "Server", name);
    if (!sink.has_date) AppendField(&missing, "Date", CurrentHttpDate());
    out.insert(fields_at, missing);
  }
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
  AppendHead(response.status, HeaderMapFields(response.headers), /*stream=*/false);
  if (!body_suppressed) out += response.body;
  head_sent = finished = true;
  conn->OnExchangeOutput();
  return true;
}

bool Exchange::SendHead(int status, HeaderMap headers, bool flush) {
  return SendHead(status, HeaderMapFields(headers), flush);
}

bool Exchange::SendHead(int status, const HeadFields& fields, bool flush) {
  if (conn == nullptr || head_sent || finished || status < 200) return false;
  body_suppressed = ResponseHasNoBody(request.method, status);
  AppendHead(status, fields, /*stream=*/true);
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
    : holder_(std::allocate_shared<Holder>(base::RecyclingAllocator<Holder>(),
                                           std::move(exchange))) {}
ResponseWriter::~ResponseWriter() = default;
ResponseWriter::ResponseWriter(const ResponseWriter&) = default;
ResponseWriter& ResponseWriter::operator=(const ResponseWriter&) = default;

Request& ResponseWriter::request() const { return holder_->ex->request; }
bool ResponseWriter::Send(Response response) { return holder_->ex->Send(std::move(response)); }
bool ResponseWriter::SendHead(int status, HeaderMap headers, bool flush) {
  return holder_->ex->SendHead(status, std::move(headers), flush);
}
bool ResponseWriter::SendHead(int status, const HeadFields& fields, bool flush) {
  return holder_->ex->SendHead(status, fields, flush);
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
