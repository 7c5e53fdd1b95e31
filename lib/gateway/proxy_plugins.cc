// ProxyRequest, part 3: the plugin phases (kong-entities.md §6) around the pipeline: rewrite
// before routing, access after it (with suspension), the plugins' changes to the upstream
// request, header_filter/body_filter on every answer and log at the end. Only requests of a
// snapshot with plugins get here.
#include "gateway/proxy_plugin_run.h"
#include "gateway/proxy_request.h"
#include "proxy/forwarded_headers.h"
#include "proxy/response_headers.h"

namespace kong::gateway {
namespace {

// request-size-limiting's answer (Kong's handler).
constexpr std::string_view kBodyLimitMessage = "Request size limit exceeded";

}  // namespace

void ProxyRequest::StartWithPlugins() {
  const plugins::PluginSet& set = snapshot_->plugins();
  plugins_ = std::make_unique<PluginRun>(*request_, snapshot_->consumers(),
                                         *worker_.plugin_worker, worker_.plugin_shared,
                                         listener_.https);
  plugins::PluginContext& ctx = plugins_->ctx;
  proxy::ClientRequestView client;
  client.headers = &request_->headers;
  client.peer_ip = peer_ip_;
  client.peer_trusted = peer_trusted_;
  plugins_->client_ip = std::string(proxy::RealIp(client, worker_.options.upstream_headers));
  ctx.client_ip = plugins_->client_ip;
  ctx.scheme = listener_.https ? "https" : "http";
  ctx.request_id = RequestId();
  ctx.ResizeStates(set.slot_count());
  // The hooks live in ctx, so inside this request: they capture `this` alone, which
  // std::function stores without allocating. The resume function may outlive the request:
  // it holds a weak pointer, and a resume after the request ended is dropped.
  ctx.suspend_hook = [this] {
    return std::function<void()>([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->OnPluginResume();
    });
  };
  ctx.read_body = [this](uint64_t limit, std::function<void(Result<std::string>)> done) {
    auto keep = shared_from_this();  // `done` may finish the request
    ReadBodyForPlugin(limit, std::move(done));
  };

  if (plugins_->runner.Rewrite(set.global_chain()) == plugins::Flow::kExit) {
    SendPluginExit();
    return;
  }
  if (!Route()) return;
  ctx.match = &*match_;
  ctx.route_id = match_->route->id;
  ctx.service_id = service_->id;
  ContinueAfterAccess(plugins_->runner.Access(set.route_chain(match_->route->config_index)));
}

void ProxyRequest::ContinueAfterAccess(plugins::Flow flow) {
  switch (flow) {
    case plugins::Flow::kExit:
      SendPluginExit();
      return;
    case plugins::Flow::kWait:
      plugins_->waiting = true;
      return;
    case plugins::Flow::kContinue:
      ProceedUpstream();
      return;
  }
}

void ProxyRequest::OnPluginResume() {
  if (done_ || plugins_ == nullptr) return;
  if (plugins_->runner.in_call()) {
    plugins_->runner.MarkResumedEarly();  // resumed before the plugin returned kWait
    return;
  }
  if (!plugins_->waiting) return;
  plugins_->waiting = false;
  auto keep = shared_from_this();
  ContinueAfterAccess(plugins_->runner.Resume());
}

void ProxyRequest::ProceedUpstream() {
  const std::optional<uint64_t>& limit = plugins_->ctx.request_body_limit;
  if (limit && !plugins_->body && request_->content_length >= 0 &&
      static_cast<uint64_t>(request_->content_length) > *limit) {
    SendKongError(413, kBodyLimitMessage);  // before any of the body went upstream
    return;
  }
  NextTry();
}

void ProxyRequest::SendPluginExit() {
  const plugins::PluginContext::ExitResponse& exit = *plugins_->ctx.exit();
  http::Response response;
  response.status = exit.status;
  if (exit.kong_error) {
    proxy::ErrorResponse error =
        proxy::KongError(exit.status, exit.body, request_->headers, RequestId());
    if (!exit.headers.Has("Content-Type")) {
      response.headers.Add("Content-Type", std::move(error.content_type));
    }
    response.body = std::move(error.body);
  } else {
    response.body = exit.body;
  }
  for (const auto& [name, value] : exit.headers) response.headers.Add(name, value);
  proxy::ApplyKongResponseHeaders(MillisSince(started_), RequestId(),
                                  worker_.options.response_headers,
                                  worker_.options.upstream_headers.server_token,
                                  &response.headers);
  SendOwnResponse(std::move(response));
}

void ProxyRequest::ReadBodyForPlugin(uint64_t limit,
                                     std::function<void(Result<std::string>)> done) {
  if (done_) return;
  PluginRun& run = *plugins_;
  if (run.body) {
    done(*run.body);
    return;
  }
  if (!request_->body_streamed || body_reading_) {
    run.body = request_->body;  // no body (or read elsewhere): what the request holds
    done(*run.body);
    return;
  }
  if (request_->content_length >= 0 && static_cast<uint64_t>(request_->content_length) > limit) {
    done(Status::InvalidArgument("request body larger than " + std::to_string(limit) +
                                 " bytes"));
    return;
  }
  body_reading_ = true;
  auto shared_done = std::make_shared<std::function<void(Result<std::string>)>>(std::move(done));
  std::weak_ptr<ProxyRequest> weak = weak_from_this();
  http::RequestBodyCallbacks body;
  body.on_data = [weak, limit, shared_done](std::string_view data) {
    auto self = weak.lock();
    if (self == nullptr || self->done_) return;
    PluginRun& r = *self->plugins_;
    if (r.body_overflow) return;
    self->request_bytes_ += data.size();
    r.body_buffer.append(data);
    if (r.body_buffer.size() > limit) {
      r.body_overflow = true;
      r.body_buffer.clear();
      if (self->writer_) self->writer_->PauseBody();
      (*shared_done)(Status::InvalidArgument("request body larger than " +
                                             std::to_string(limit) + " bytes"));
    }
  };
  body.on_end = [weak, shared_done] {
    auto self = weak.lock();
    if (self == nullptr || self->done_) return;
    PluginRun& r = *self->plugins_;
    if (r.body_overflow) return;
    self->request_body_done_ = true;
    r.body = std::move(r.body_buffer);
    (*shared_done)(*r.body);
  };
  writer_->ReadBody(std::move(body));
}

bool ProxyRequest::BodyOverLimit() {
  const std::optional<uint64_t>& limit = plugins_->ctx.request_body_limit;
  if (!limit || request_bytes_ <= *limit) return false;
  if (response_started_) {
    Done();
    return true;
  }
  if (connection_) {
    connection_->Abort();  // a partial body went out: the connection is not reusable
    connection_.reset();
  }
  SendKongError(413, kBodyLimitMessage);
  return true;
}

void ProxyRequest::ApplyPluginUpstreamChanges(const proxy::UpstreamPathParams& path,
                                              upstream::UpstreamRequestHead& head,
                                              proxy::UpstreamFraming& framing) {
  const plugins::PluginContext& ctx = plugins_->ctx;
  if (ctx.upstream_method) head.method = *ctx.upstream_method;
  if (ctx.upstream_path || ctx.upstream_query) {
    std::optional<std::string_view> query = proxy::RawQuery(request_->target);
    if (ctx.upstream_query) {
      query = ctx.upstream_query->empty() ? std::nullopt
                                          : std::optional<std::string_view>(*ctx.upstream_query);
    }
    if (ctx.upstream_path) {
      head.target = *ctx.upstream_path;
      if (query) head.target.append("?").append(*query);
    } else {
      head.target = proxy::UpstreamTarget(path, query);
    }
  }
  const std::string* body = ctx.upstream_body ? &*ctx.upstream_body
                                              : (plugins_->body ? &*plugins_->body : nullptr);
  if (body != nullptr) {
    head.body = body->empty() && !request_->body_streamed && !ctx.upstream_body
                    ? upstream::UpstreamRequestHead::Body::kNone
                    : upstream::UpstreamRequestHead::Body::kContentLength;
    framing = {};  // the client's Transfer-Encoding never goes upstream
    if (head.body == upstream::UpstreamRequestHead::Body::kContentLength) {
      framing.kind = proxy::UpstreamFraming::Kind::kLength;
      framing.length = body->size();
    }
  }
}

bool ProxyRequest::SendPluginBody() {
  const plugins::PluginContext& ctx = plugins_->ctx;
  const std::string* body = ctx.upstream_body ? &*ctx.upstream_body
                                              : (plugins_->body ? &*plugins_->body : nullptr);
  if (body == nullptr) return false;
  if (body->empty() && !request_->body_streamed && !ctx.upstream_body) return true;  // kNone
  if (!body->empty()) connection_->WriteBody(*body);
  connection_->EndBody();
  return true;
}

void ProxyRequest::FilterOwnResponse(http::Response& response) {
  PluginRun& run = *plugins_;
  // Kong's own answers before access (404, 426, 503 without service) pass through the global
  // plugins' response phases.
  if (!run.runner.started()) run.runner.UseForResponse(snapshot_->plugins().global_chain());
  if (run.runner.has_response_headers()) {
    run.response_edits.Clear();  // this answer's own edits
    run.runner.ResponseHeaders(run.response_edits);
    run.response_edits.ApplyTo(&response.headers);
  }
  if (run.runner.has_header_filter()) {
    plugins::ResponseHead head{response.status, &response.headers, /*from_upstream=*/false};
    run.runner.HeaderFilter(head);
  }
  if (run.runner.has_body_filter()) {
    run.runner.BodyFilter(response.body, /*eof=*/false);
    std::string tail;
    run.runner.BodyFilter(tail, /*eof=*/true);
    response.body.append(tail);
  }
}

bool ProxyRequest::EditsProxiedHeadOnly() {
  PluginRun& run = *plugins_;
  if (run.runner.has_response_headers()) run.runner.ResponseHeaders(run.response_edits);
  return !run.runner.has_header_filter() && !run.runner.has_body_filter();
}

void ProxyRequest::FilterProxiedHead(int status, http::HeaderMap& headers) {
  PluginRun& run = *plugins_;
  run.response_edits.ApplyTo(&headers);
  if (run.runner.has_header_filter()) {
    plugins::ResponseHead head{status, &headers, /*from_upstream=*/true};
    run.runner.HeaderFilter(head);
  }
  // A body filter may change the length, known only at the end: stream it chunked.
  if (run.runner.has_body_filter()) headers.Remove("Content-Length");
}

bool ProxyRequest::FilterBody(std::string_view data, bool eof) {
  PluginRun& run = *plugins_;
  if (!run.runner.has_body_filter()) return false;
  std::string chunk(data);
  run.runner.BodyFilter(chunk, eof);
  if (!chunk.empty()) {
    bytes_sent_ += chunk.size();
    writer_->SendChunk(chunk);
  }
  return true;
}

void ProxyRequest::LogPlugins() {
  PluginRun& run = *plugins_;
  if (!run.runner.has_log()) return;
  plugins::LogRecord record;
  record.status = status_;
  record.request_time_ms = MillisSince(started_);
  record.upstream_latency_ms = upstream_latency_ms_;
  record.proxy_latency_ms = proxy_latency_ms_;
  record.request_bytes = request_bytes_;
  record.response_bytes = bytes_sent_;
  record.upstream_address = upstream_address_;
  run.runner.Log(record);
}

}  // namespace kong::gateway
