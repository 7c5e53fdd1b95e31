// ProxyRequest, part 2: choosing the target (balancer or DNS), connecting through the pool,
// streaming both bodies with backpressure, passive health reports and retries.
#include <arpa/inet.h>
#include <netinet/in.h>

#include "balancer/hash_key.h"
#include "gateway/byte_pipe.h"
#include "gateway/proxy_plugin_run.h"
#include "gateway/proxy_request.h"
#include "http/encoding.h"
#include "net/socket_address.h"
#include "net/write_buffers.h"
#include "proxy/forwarded_headers.h"
#include "proxy/response_headers.h"
#include "proxy/trusted_ips.h"
#include "proxy/upstream_path.h"

namespace kong::gateway {
namespace {

std::string AddressText(const sockaddr_storage& a) {
  char ip[INET6_ADDRSTRLEN] = {0};
  if (a.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&a);
    inet_ntop(AF_INET6, &v6->sin6_addr, ip, sizeof ip);
    return "[" + std::string(ip) + "]:" + std::to_string(ntohs(v6->sin6_port));
  }
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(&a);
  inet_ntop(AF_INET, &v4->sin_addr, ip, sizeof ip);
  return std::string(ip) + ":" + std::to_string(ntohs(v4->sin_port));
}

void SetPort(sockaddr_storage* a, uint16_t port) {
  if (a->ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(a)->sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in*>(a)->sin_port = htons(port);
  }
}

bool IsTimeout(upstream::UpstreamErrorKind kind) {
  using K = upstream::UpstreamErrorKind;
  return kind == K::kConnectTimeout || kind == K::kReadTimeout || kind == K::kWriteTimeout;
}

// nginx does not resend a non-idempotent request that may have reached the server.
bool Idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS" || method == "TRACE";
}

}  // namespace

void ProxyRequest::NextTry() {
  ++tries_;
  if (tries_ == 1) balancer_ = service_->balancer;
  if (balancer_ == nullptr) {
    if (service_->address) {
      target_host_ = service_->host;
      target_port_ = service_->port;
      Connect(*service_->address, target_host_, target_port_);
    } else {
      ResolveAndConnect(service_->host, service_->port);
    }
    return;
  }
  balancer::RequestKeys keys;
  proxy::ClientRequestView client;
  client.headers = &request_->headers;
  client.peer_ip = peer_ip_;
  client.peer_trusted = peer_trusted_;
  keys.client_ip = proxy::RealIp(client, worker_.options.upstream_headers);
  keys.path = match_->path;
  keys.query_string = proxy::RawQuery(request_->target).value_or("");
  keys.headers = &request_->headers;
  const router::RouteMatch& match = *match_;
  keys.uri_capture = [&match](std::string_view name) -> std::optional<std::string_view> {
    if (!name.empty() && name.find_first_not_of("0123456789") == std::string_view::npos) {
      return match.capture(static_cast<size_t>(std::stoul(std::string(name))));
    }
    return match.capture(name);
  };
  auto picked = balancer_->Pick(keys, pick_);
  if (!picked.ok()) {
    SendKongError(503, proxy::kNoPeerMessage);
    return;
  }
  peer_ = *picked;
  ResolveAndConnect(peer_->target->host, peer_->target->port);
}

void ProxyRequest::ResolveAndConnect(const std::string& host, uint16_t port) {
  target_host_ = host;
  target_port_ = port;
  // An IP literal (the usual target) needs no resolver round trip nor its callback.
  if (sockaddr_storage literal{}; net::ParseIpAddress(host, port, &literal)) {
    Connect(literal, target_host_, port);
    return;
  }
  std::weak_ptr<ProxyRequest> weak = weak_from_this();
  worker_.resolver->Resolve(host, [weak, port](Result<std::vector<sockaddr_storage>> addresses) {
    auto self = weak.lock();
    if (self == nullptr || self->done_) return;
    if (!addresses.ok() || addresses->empty()) {
      if (self->peer_) self->ReportFailure(balancer::FailureKind::kTcp, 0);
      self->SendKongError(503, proxy::kNameResolutionMessage);
      return;
    }
    self->Connect(addresses->front(), self->target_host_, port);
  });
}

void ProxyRequest::Connect(const sockaddr_storage& address, std::string_view host, uint16_t port) {
  upstream::Peer peer;
  peer.address = address;
  SetPort(&peer.address, port);
  peer.tls = service_->tls;
  if (peer.tls) {
    std::string_view sni = host;
    if (match_->route->preserve_host) sni = request_->headers.Get("Host").value_or(host);
    size_t colon = sni.rfind(':');
    if (colon != std::string_view::npos && sni.find(']') == std::string_view::npos &&
        sni.find(':') == colon) {
      sni = sni.substr(0, colon);
    }
    if (!proxy::IsIpAddress(sni)) peer.sni = std::string(sni);
  }
  // Formatted only for a reader: the access log or a plugin with a log phase.
  if (worker_.options.access_log || (plugins_ && plugins_->runner.has_log())) {
    upstream_address_ = AddressText(peer.address);
  }
  acquire_ = worker_.pool->Acquire(
      peer, service_->connect_timeout_ms,
      [this](std::unique_ptr<upstream::UpstreamConnection> connection,
             const upstream::UpstreamError* error) {
        auto keep = shared_from_this();
        if (done_) return;
        if (error != nullptr) {
          OnConnectError(*error);
        } else {
          OnConnected(std::move(connection));
        }
      });
}

void ProxyRequest::BuildUpstreamHead() {
  const http::Request& r = *request_;
  const router::RouteInfo& route = *match_->route;
  proxy::UpstreamPathParams path;
  if (service_->path) path.service_path = *service_->path;
  path.path = match_->path;
  if (match_->path_matched) path.matched_path = match_->matched_path_text();
  path.strip_path = route.strip_path;
  path.path_handling = route.path_handling == "v1" ? proxy::PathHandling::kV1 : proxy::PathHandling::kV0;

  proxy::ClientRequestView client;
  client.headers = &r.headers;
  client.peer_ip = peer_ip_;
  client.peer_trusted = peer_trusted_;
  client.scheme = listener_.https ? "https" : "http";
  client.listener_port = listener_.port;
  client.raw_path = proxy::RawPath(r.target);
  client.http_major = r.http_major;
  client.http_minor = r.http_minor;
  client.request_id = RequestId();

  proxy::UpstreamRequestView upstream;
  upstream.stripped_prefix = proxy::StrippedPrefix(path);
  upstream.preserve_host = route.preserve_host;
  upstream.upstream_scheme = service_->protocol;
  upstream.upstream_host = target_host_;
  upstream.upstream_port = target_port_;
  if (!peer_) upstream.host_header = service_->host_header;  // the service's own host

  upstream::UpstreamRequestHead head;
  head.method = r.method;
  head.target = proxy::UpstreamTarget(path, proxy::RawQuery(r.target));
  proxy::UpstreamFraming framing;
  if (r.body_streamed) {
    head.body = r.content_length >= 0 ? upstream::UpstreamRequestHead::Body::kContentLength
                                      : upstream::UpstreamRequestHead::Body::kChunked;
    if (r.content_length < 0) framing.kind = proxy::UpstreamFraming::Kind::kChunked;
  }
  if (plugins_) ApplyPluginUpstreamChanges(path, head, framing);
  // Serialized straight from the client's fields: no intermediate header map per request.
  head.raw = net::TakeWriteBuffer();
  proxy::AppendUpstreamRequestHead(head.method, head.target, framing, client, upstream,
                                   worker_.options.upstream_headers, &head.raw);
  head_template_ = std::move(head);
}

void ProxyRequest::OnConnected(std::unique_ptr<upstream::UpstreamConnection> connection) {
  connection_ = std::move(connection);
  BuildUpstreamHead();  // per try: Host follows the target
  upstream::ExchangeCallbacks cb;
  cb.on_head = [this](upstream::UpstreamResponseHead head) {
    auto keep = shared_from_this();
    if (!done_) OnHead(std::move(head));
  };
  cb.on_body = [this](std::string_view data) {
    auto keep = shared_from_this();
    if (!done_) OnBody(data);
  };
  cb.on_end = [this] {
    auto keep = shared_from_this();
    if (!done_) OnEnd();
  };
  cb.on_error = [this](const upstream::UpstreamError& error) {
    auto keep = shared_from_this();
    if (!done_) OnExchangeError(error);
  };
  cb.on_write_high = [this] {
    if (writer_) writer_->PauseBody();
  };
  cb.on_write_low = [this] {
    if (writer_) writer_->ResumeBody();
  };
  upstream_started_ = Clock::now();
  proxy_latency_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(upstream_started_ - started_).count();
  upstream::ExchangeTimeouts timeouts{service_->write_timeout_ms, service_->read_timeout_ms};
  upstream::UpstreamConnection* conn = connection_.get();
  conn->Start(std::move(*head_template_), timeouts, std::move(cb));
  if (done_ || connection_.get() != conn) return;
  StartBody();
}

void ProxyRequest::StartBody() {
  if (plugins_ && SendPluginBody()) return;
  if (!request_->body_streamed) return;
  if (!body_reading_) {
    body_reading_ = true;
    std::weak_ptr<ProxyRequest> weak = weak_from_this();
    http::RequestBodyCallbacks body;
    body.on_data = [weak](std::string_view data) {
      auto self = weak.lock();
      if (self == nullptr || self->done_ || !self->connection_) return;
      self->request_bytes_ += data.size();
      if (self->plugins_ && self->BodyOverLimit()) return;
      self->body_started_ = true;
      self->connection_->WriteBody(std::string(data));
    };
    body.on_end = [weak] {
      auto self = weak.lock();
      if (self == nullptr || self->done_) return;
      self->request_body_done_ = true;
      if (self->connection_) self->connection_->EndBody();
    };
    writer_->ReadBody(std::move(body));
  } else {
    writer_->ResumeBody();  // paused while the previous try failed
    if (request_body_done_) connection_->EndBody();
  }
}

bool ProxyRequest::Retryable(const upstream::UpstreamError& error) const {
  if (tries_ > service_->retries || body_started_ || response_started_) return false;
  using K = upstream::UpstreamErrorKind;
  if (error.kind == K::kConnectFailed || error.kind == K::kConnectTimeout) return true;
  if (error.kind == K::kBodyBroken || error.kind == K::kBadResponse) return false;
  // proxy_next_upstream error timeout: a reset or a timeout before the response head.
  return error.nothing_sent || Idempotent(request_->method);
}

void ProxyRequest::ReportFailure(balancer::FailureKind kind, int status) {
  if (peer_ && balancer_) balancer_->ReportFailure(peer_->index, kind, status);
}

void ProxyRequest::ReleasePeer(double response_ms) {
  if (peer_ && balancer_) balancer_->Release(*peer_, response_ms);
  peer_.reset();
}

void ProxyRequest::OnConnectError(const upstream::UpstreamError& error) {
  acquire_.reset();
  OnExchangeError(error);
}

void ProxyRequest::OnExchangeError(const upstream::UpstreamError& error) {
  connection_.reset();  // dead: not for the pool
  ReportFailure(IsTimeout(error.kind) ? balancer::FailureKind::kTimeout : balancer::FailureKind::kTcp, 0);
  if (response_started_) {
    Done();  // the head went out: the client's connection closes (Done drops the writer)
    return;
  }
  if (Retryable(error)) {
    ReleasePeer(-1);
    if (body_reading_) writer_->PauseBody();
    NextTry();
    return;
  }
  SendUpstreamError(IsTimeout(error.kind) ? 504 : 502);
}

void ProxyRequest::OnHead(upstream::UpstreamResponseHead head) {
  upstream_latency_ms_ = MillisSince(upstream_started_);
  if (peer_ && balancer_) balancer_->ReportResponse(peer_->index, head.status);
  if (head.upgrade && head.status == 101) {
    StartTunnel(std::move(head));
    return;
  }
  proxy::ProxiedResponseView view;
  view.upstream_status = head.status;
  view.upstream_latency_ms = upstream_latency_ms_;
  view.proxy_latency_ms = proxy_latency_ms_;
  view.request_id = RequestId();
  view.client_wants_trailers = request_->headers.HasToken("TE", "trailers");
  // A body already received goes out with the head in one write (nginx holds the head too).
  const bool flush = !head.body_at_hand;
  const bool edits_only = plugins_ == nullptr || EditsProxiedHeadOnly();
  if (edits_only && pick_.set_cookie_value.empty()) {
    // Nothing reads the head as a map: encode it straight from the upstream's fields.
    const proxy::ProxiedHeadFields fields(view, worker_.options.response_headers,
                                          worker_.options.upstream_headers.server_token,
                                          head.headers,
                                          plugins_ ? &plugins_->response_edits : nullptr);
    status_ = head.status;
    response_started_ = true;
    writer_->SendHead(head.status, fields, flush);
    return;
  }
  http::HeaderMap headers = std::move(head.headers);
  proxy::ApplyProxiedResponseHeaders(view, worker_.options.response_headers,
                                     worker_.options.upstream_headers.server_token, &headers);
  if (!pick_.set_cookie_value.empty() && balancer_) {
    const balancer::UpstreamConfig& c = balancer_->config();
    headers.Add("Set-Cookie", c.hash_on_cookie + "=" + pick_.set_cookie_value +
                                  "; Path=" + c.hash_on_cookie_path);
  }
  if (plugins_) FilterProxiedHead(head.status, headers);
  status_ = head.status;
  response_started_ = true;
  writer_->SendHead(head.status, std::move(headers), flush);
}

void ProxyRequest::OnBody(std::string_view data) {
  if (!plugins_ || !FilterBody(data, /*eof=*/false)) {
    bytes_sent_ += data.size();
    writer_->SendChunk(data);
  }
  if (response_paused_ || !writer_->write_blocked() || !connection_) return;
  // A slow client: stop reading the upstream until its queue drains.
  response_paused_ = true;
  connection_->PauseResponse();
  std::weak_ptr<ProxyRequest> weak = weak_from_this();
  writer_->OnWritable([weak] {
    auto self = weak.lock();
    if (self == nullptr || self->done_) return;
    self->response_paused_ = false;
    if (self->connection_) self->connection_->ResumeResponse();
  });
}

void ProxyRequest::OnEnd() {
  if (plugins_) FilterBody({}, /*eof=*/true);
  writer_->Finish();
  ReleasePeer(static_cast<double>(MillisSince(upstream_started_)));
  if (connection_) {
    if (!request_->body_streamed || request_body_done_) {
      worker_.pool->Release(std::move(connection_));
    } else {
      connection_->Abort();  // the upstream answered before the whole body: not reusable
      connection_.reset();
    }
  }
  Done();
}

void ProxyRequest::OnClientAbort() {
  if (done_) return;
  if (!response_started_) status_ = 499;  // nginx's code for a client that went away
  Done();
}

void ProxyRequest::StartTunnel(upstream::UpstreamResponseHead head) {
  auto client = writer_->TakeTransport();
  auto server = connection_->TakeTransport();
  connection_.reset();
  status_ = 101;
  response_started_ = true;
  if (!client.ok() || !server.ok()) {
    Done();
    return;
  }
  proxy::ProxiedResponseView view;
  view.upstream_status = 101;
  view.upstream_latency_ms = upstream_latency_ms_;
  view.proxy_latency_ms = proxy_latency_ms_;
  view.request_id = RequestId();
  view.requested_upgrade = "websocket";
  http::HeaderMap headers = std::move(head.headers);
  proxy::ApplyProxiedResponseHeaders(view, worker_.options.response_headers,
                                     worker_.options.upstream_headers.server_token, &headers);
  headers.Set("Connection", "upgrade");
  std::string head_bytes = http::EncodeResponseHead(101, headers);
  bytes_sent_ += head_bytes.size();
  (void)client->transport->Write(std::move(head_bytes));
  BytePipe::Start(worker_, std::move(client).value(), std::move(server).value());
  Done();
}

}  // namespace kong::gateway
