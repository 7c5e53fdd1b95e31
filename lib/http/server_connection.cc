// ServerConnection: reads, parses one request at a time with llhttp, answers in order.
#include "http/server_connection.h"

#include <vector>

#include "http/encoding.h"
#include "http/server_impl.h"

namespace kong::http {

const llhttp_settings_t* ServerConnection::Settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = &OnMessageBegin;
    s.on_url = &OnUrl;
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

ServerConnection::ServerConnection(Server::Impl* server, std::unique_ptr<net::Transport> transport,
                                   std::string tls_server_name)
    : server_(server),
      transport_(std::move(transport)),
      timer_(transport_->loop()),
      tls_server_name_(std::move(tls_server_name)) {
  llhttp_init(&parser_, HTTP_REQUEST, Settings());
  parser_.data = this;
}

ServerConnection::~ServerConnection() = default;

const ServerOptions& ServerConnection::options() const { return server_->options; }

void ServerConnection::Start() {
  transport_->SetWriteWatermarks(options().write_low_water, options().write_high_water);
  net::TransportCallbacks cb;
  cb.on_data = [this](std::string_view data) { OnData(data); };
  cb.on_eof = [this] { OnEof(); };
  cb.on_error = [this](const Status&) { closing_ = true; };  // on_closed follows
  cb.on_write_high = [this] {
    output_blocked_ = true;
    UpdateReading();
  };
  cb.on_write_low = [this] {
    output_blocked_ = false;
    NotifyWritable();
    Parse();
  };
  cb.on_closed = [this] { OnClosed(); };
  transport_->SetCallbacks(std::move(cb));
  UpdateReading();
  UpdateTimer();
}

void ServerConnection::Abort() {
  if (stopped()) return;
  closing_ = true;
  timer_.Stop();
  DetachExchanges();
  transport_->Close();
}

void ServerConnection::Drain() {
  if (stopped() || ending_) return;
  draining_ = true;
  no_more_requests_ = true;
  for (auto& ex : queue_) {
    if (!ex->head_sent) ex->keep_alive = false;  // its head says "Connection: close"
  }
  if (queue_.empty() && !streaming_ && phase_ == Phase::kIdle) {
    EndConnection();
    return;
  }
  UpdateReading();
}

void ServerConnection::OnData(std::string_view data) {
  if (stopped() || ending_ || no_more_requests_) return;
  if (phase_ == Phase::kBody && options().body_timeout_ms) {
    timer_.Start(options().body_timeout_ms, [this] { Abort(); });
  }
  input_.append(data);
  Parse();
}

void ServerConnection::OnEof() {
  peer_eof_ = true;
  reading_ = false;
  if (stopped() || ending_) return;
  if (phase_ != Phase::kIdle) {
    Abort();  // the client gave up mid-request
    return;
  }
  no_more_requests_ = true;
  if (queue_.empty()) {
    EndConnection();  // flushes responses already written
  } else {
    // An unanswered request whose client went away is abandoned, as nginx does (its 499):
    // late answers become no-ops.
    Abort();
  }
}

void ServerConnection::OnClosed() {
  closing_ = true;
  DetachExchanges();
  Release();
}

void ServerConnection::Release() {
  if (released_) return;
  released_ = true;
  timer_.Close([this] {
    Server::Impl* server = server_;
    server->RemoveConnection(this);
    delete this;
    server->MaybeFinishClose();  // may delete the server: nothing follows
  });
}

void ServerConnection::DetachExchanges() {
  std::vector<std::shared_ptr<Exchange>> gone(queue_.begin(), queue_.end());
  if (streaming_) gone.push_back(std::move(streaming_));
  for (auto& ex : gone) ex->conn = nullptr;
  queue_.clear();
  if (deferred_upgrade_) deferred_upgrade_->conn = nullptr;
  deferred_upgrade_.reset();
  streaming_.reset();
  // Handlers learn that their client went away (the proxy aborts its upstream exchange).
  for (auto& ex : gone) ex->NotifyAbort();
}

bool ServerConnection::BodyWaits() const {
  return streaming_ && (!streaming_->body_reading || streaming_->body_paused);
}

void ServerConnection::OnBodyDemand() {
  if (stopped() || ending_) return;
  if (BodyWaits()) {
    UpdateReading();
  } else {
    Parse();
  }
}

void ServerConnection::SendContinue(Exchange* exchange) {
  if (stopped() || ending_ || exchange->head_sent || queue_.empty() ||
      queue_.front().get() != exchange) {
    return;  // it cannot overtake an earlier response; the client sends anyway after a delay
  }
  const Request& r = exchange->request;
  if (r.http_major == 1 && r.http_minor >= 1 && r.headers.HasToken("Expect", "100-continue")) {
    (void)transport_->Write("HTTP/1.1 100 Continue\r\n\r\n");
  }
}

bool ServerConnection::OutputBlocked(const Exchange* exchange) const {
  if (output_blocked_) return true;
  return !queue_.empty() && queue_.front().get() != exchange &&
         exchange->out.size() >= options().write_high_water;
}

void ServerConnection::NotifyWritable() {
  if (output_blocked_ || queue_.empty()) return;
  if (queue_.size() == 1) {
    std::shared_ptr<Exchange> ex = queue_.front();
    ex->NotifyWritable();
    return;
  }
  std::vector<std::shared_ptr<Exchange>> all(queue_.begin(), queue_.end());
  for (auto& ex : all) {
    if (stopped() || output_blocked_) return;
    ex->NotifyWritable();
  }
}

bool ServerConnection::CanParse() const {
  if (stopped() || ending_) return false;
  // A streamed body belongs to a request already queued: only the handler's demand gates it.
  if (streaming_) return !BodyWaits();
  size_t depth = options().max_pipelined_requests ? options().max_pipelined_requests : 1;
  return !no_more_requests_ && !upgrade_pending_ && !output_blocked_ && queue_.size() < depth;
}

void ServerConnection::Parse() {
  if (in_parse_) return;  // the outer call continues once the handler returns
  in_parse_ = true;
  while (input_off_ < input_.size() && CanParse()) {  // the cheap test first
    const char* begin = input_.data() + input_off_;
    llhttp_errno_t err = llhttp_execute(&parser_, begin, input_.size() - input_off_);
    if (err == HPE_OK) {
      input_off_ = input_.size();
      break;
    }
    if (stopped()) break;  // a body callback closed the connection
    if (err == HPE_PAUSED) {  // OnMessageComplete pauses after every request
      input_off_ += static_cast<size_t>(llhttp_get_error_pos(&parser_) - begin);
      llhttp_resume(&parser_);
      if (head_ready_) {
        head_ready_ = false;
        DispatchHead();
      } else if (body_done_) {
        body_done_ = false;
        EndStreamedBody();
      } else {
        Dispatch();
      }
      continue;
    }
    if (streaming_) {
      // A malformed chunk or an oversized body after the handler took the request: the
      // response may be under way, so nothing but a close is safe.
      Abort();
      break;
    }
    Reject(reject_status_ ? reject_status_ : 400);
    break;
  }
  field_.Keep();  // a field split across reads: input_ changes before the rest comes
  value_.Keep();
  if (!detached_ && input_off_ > 0) {
    input_.erase(0, input_off_);
    input_off_ = 0;
  }
  in_parse_ = false;
  UpdateReading();
  UpdateTimer();
}

void ServerConnection::Dispatch() {
  std::shared_ptr<Exchange> ex = std::move(completed_);
  ++requests_;
  const ServerOptions& o = options();
  bool keep_alive =
      ex->request.keep_alive && !peer_eof_ && o.keepalive_timeout_ms > 0 &&
      (o.max_requests_per_connection == 0 || requests_ < o.max_requests_per_connection);
  if (!keep_alive) no_more_requests_ = true;
  ex->keep_alive = keep_alive;
  queue_.push_back(ex);
  if (ex->request.upgrade) {
    // Nothing is parsed past an upgrade, and its handler waits until earlier responses went
    // out so that a hand-off sees a quiet connection.
    upgrade_pending_ = true;
    if (queue_.size() > 1) {
      deferred_upgrade_ = ex;
      return;
    }
  }
  CallHandler(ex);
}

void ServerConnection::DispatchHead() {
  ++requests_;
  const ServerOptions& o = options();
  std::shared_ptr<Exchange> ex = std::move(parsing_);
  ex->request.keep_alive = llhttp_should_keep_alive(&parser_) != 0;
  ex->request.body_streamed = true;
  bool keep_alive =
      ex->request.keep_alive && !peer_eof_ && o.keepalive_timeout_ms > 0 &&
      (o.max_requests_per_connection == 0 || requests_ < o.max_requests_per_connection);
  if (!keep_alive) no_more_requests_ = true;
  ex->keep_alive = keep_alive;
  ex->body_streaming = true;
  body_bytes_ = 0;
  streaming_ = ex;
  queue_.push_back(ex);
  timer_.Stop();  // the body timeout runs only while the handler reads
  CallHandler(ex);
}

void ServerConnection::EndStreamedBody() {
  std::shared_ptr<Exchange> ex = std::move(streaming_);
  streaming_.reset();
  if (ex == nullptr) return;
  ex->body_streaming = false;
  ex->EndBody();  // may call the handler, which may answer or close
}

void ServerConnection::CallHandler(const std::shared_ptr<Exchange>& exchange) {
  ResponseWriter writer(exchange);
  try {
    server_->handler(exchange->request, writer);
  } catch (...) {
    // Handlers should not throw; a failing one must not take the loop down with it.
    writer.Send(KongErrorResponse(500));
  }
}  // the last writer going away unanswered answers 500 (Exchange::Abandon)

void ServerConnection::Reject(int status) {
  no_more_requests_ = true;
  Request request;
  request.peer_address = transport_->peer_address();
  auto ex = std::make_shared<Exchange>(this, transport_->loop(), std::move(request), false);
  queue_.push_back(ex);
  ex->Send(KongErrorResponse(status));
}

void ServerConnection::OnExchangeOutput() {
  if (stopped() || ending_) return;
  Flush();
  Parse();  // a freed pipeline slot may let buffered requests through
}

void ServerConnection::Flush() {
  while (!stopped() && !ending_ && !queue_.empty()) {
    Exchange* ex = queue_.front().get();
    if (!ex->out.empty()) {
      (void)transport_->Write(std::move(ex->out));  // fails only while closing
      ex->out.clear();
    }
    if (!ex->finished || stopped()) return;
    // A response that finished before its streamed body was read leaves the rest of the body
    // in the socket: the connection cannot carry another request (the linger discards it).
    bool last = !ex->keep_alive || (streaming_.get() == ex) || (draining_ && queue_.size() == 1);
    if (streaming_.get() == ex) streaming_.reset();
    bool upgrade = ex->request.upgrade;
    ex->conn = nullptr;
    queue_.pop_front();
    if (last) {
      no_more_requests_ = true;
      EndConnection();
      return;
    }
    if (upgrade) {
      // Answered without a hand-off: the client stays on HTTP/1.1 (RFC 9110 §7.8).
      upgrade_pending_ = false;
      llhttp_reset(&parser_);
    }
  }
  if (stopped() || ending_) return;
  NotifyWritable();
  if (stopped() || ending_) return;
  if (deferred_upgrade_ && !queue_.empty() && queue_.front() == deferred_upgrade_) {
    std::shared_ptr<Exchange> ex = std::move(deferred_upgrade_);
    CallHandler(ex);
    return;
  }
}

void ServerConnection::EndConnection() {
  if (stopped() || ending_) return;
  ending_ = true;
  reading_ = false;
  timer_.Stop();
  DetachExchanges();
  transport_->Shutdown(options().linger_ms);  // on_closed follows
}

void ServerConnection::UpdateReading() {
  if (stopped() || ending_) return;
  bool want = !peer_eof_ && CanParse();
  if (want && !reading_) {
    if (!transport_->StartReading().ok()) {
      Abort();
      return;
    }
    reading_ = true;
  } else if (!want && reading_) {
    transport_->StopReading();
    reading_ = false;
  }
  if (streaming_) {
    // The body timeout runs while the handler reads; a pause is not the client's delay.
    if (!reading_) {
      timer_.Stop();
    } else if (options().body_timeout_ms && !timer_.active()) {
      timer_.Start(options().body_timeout_ms, [this] { Abort(); });
    }
  }
}

void ServerConnection::UpdateTimer() {
  if (stopped() || ending_) return;
  if (header_timer_due_) {  // a request began in this Parse() (OnMessageBegin)
    header_timer_due_ = false;
    if (phase_ == Phase::kHeaders) {
      if (options().header_timeout_ms) {
        timer_.Start(options().header_timeout_ms, [this] { Abort(); });
      } else {
        timer_.Stop();
      }
    }
  }
  if (phase_ != Phase::kIdle) return;
  if (!queue_.empty() || input_off_ < input_.size()) {
    // Waiting for a handler or for the peer to drain our output: nginx has no timer here.
    timer_.Stop();
    idle_timer_armed_ = false;
    return;
  }
  if (idle_timer_armed_) return;
  idle_timer_armed_ = true;
  uint64_t ms = requests_ == 0 ? options().header_timeout_ms : options().keepalive_timeout_ms;
  if (ms) timer_.Start(ms, [this] { Abort(); });
}

Result<UpgradedTransport> ServerConnection::Detach(Exchange* exchange) {
  if (stopped() || ending_ || queue_.empty() || queue_.front().get() != exchange) {
    return Status::Unavailable("take transport: connection is closing");
  }
  transport_->StopReading();
  transport_->SetCallbacks(net::TransportCallbacks());
  UpgradedTransport up{std::move(transport_), input_.substr(input_off_)};
  input_.clear();
  input_off_ = 0;
  detached_ = true;
  exchange->finished = true;  // taken over, not aborted
  timer_.Stop();
  DetachExchanges();
  Release();
  return up;
}

}  // namespace kong::http
