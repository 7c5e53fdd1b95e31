// ProxyRequest, part 1: routing, Kong's own answers (404/426/503/redirects, upstream error
// pages), the access log and the end of a request.
#include "gateway/proxy_request.h"

#include <array>
#include <cstring>

#include "base/recycling_allocator.h"
#include "gateway/proxy_plugin_run.h"
#include "proxy/forwarded_headers.h"
#include "proxy/response_headers.h"
#include "proxy/trusted_ips.h"
#include "proxy/upstream_path.h"

namespace kong::gateway {
namespace {

// SplitMix64: request ids from a per-worker random seed and a counter, no syscall per request.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// 16 lower-case hex digits of `v` into out[0..16), a byte (two digits) at a time.
void WriteHex(uint64_t v, char* out) {
  static constexpr auto kPairs = [] {
    std::array<char, 512> t{};
    constexpr char kHex[] = "0123456789abcdef";
    for (size_t b = 0; b < 256; ++b) {
      t[2 * b] = kHex[b >> 4];
      t[2 * b + 1] = kHex[b & 15];
    }
    return t;
  }();
  for (int i = 7; i >= 0; --i, v >>= 8) std::memcpy(out + 2 * i, &kPairs[2 * (v & 0xff)], 2);
}

bool HasProtocol(const router::RouteInfo& route, std::string_view protocol) {
  for (const std::string& p : route.protocols) {
    if (p == protocol) return true;
  }
  return false;
}

}  // namespace

void HandleProxyRequest(WorkerContext& worker, const ListenerInfo& listener,
                        http::Request& request, http::ResponseWriter& writer) {
  (void)request;
  auto proxy = std::allocate_shared<ProxyRequest>(base::RecyclingAllocator<ProxyRequest>(), worker,
                                                  listener, writer);
  proxy->Start(proxy);
}

ProxyRequest::ProxyRequest(WorkerContext& worker, const ListenerInfo& listener,
                           http::ResponseWriter writer)
    : worker_(worker),
      listener_(listener),
      writer_(std::move(writer)),
      request_(&writer_->request()),
      started_(Clock::now()) {}

ProxyRequest::~ProxyRequest() = default;

int64_t ProxyRequest::MillisSince(Clock::time_point t) const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

std::string_view ProxyRequest::RequestId() {
  if (!request_id_set_) {
    uint64_t n = ++worker_.request_counter;
    WriteHex(Mix(worker_.request_id_seed ^ n), request_id_.data());
    WriteHex(Mix(worker_.request_id_seed + (n << 1)), request_id_.data() + 16);
    request_id_set_ = true;
  }
  return std::string_view(request_id_.data(), request_id_.size());
}

void ProxyRequest::Start(std::shared_ptr<ProxyRequest> self) {
  self_ = std::move(self);
  ++worker_.requests_in_flight;
  snapshot_ = worker_.snapshot.load(std::memory_order_acquire);
  peer_ip_ = proxy::PeerIp(request_->peer_address);
  peer_trusted_ = !worker_.options.trusted_ips.empty() && worker_.options.trusted_ips.IsTrusted(peer_ip_);
  // `this` outlives the callback: Done() clears it before dropping the writer (and the
  // exchange moves it out before running it). No weak_ptr: it would not fit std::function's
  // own buffer and cost an allocation per request.
  writer_->OnAbort([this] { OnClientAbort(); });
  if (!snapshot_->plugins().empty()) {
    StartWithPlugins();
    return;
  }
  if (!Route()) return;
  NextTry();
}

bool ProxyRequest::Route() {
  const http::Request& r = *request_;
  router::RouteRequest rr;
  rr.method = r.method;
  rr.scheme = listener_.https ? "https" : "http";
  rr.host = r.headers.Get("Host").value_or("");
  rr.path = r.raw_path;
  rr.sni = r.sni;
  rr.port = listener_.port;
  rr.headers = &r.headers;
  match_ = snapshot_->router().Find(rr);
  if (!match_) {
    SendKongError(404, proxy::kNoRouteMessage);
    return false;
  }
  const router::RouteInfo& route = *match_->route;
  // Kong judges the scheme by X-Forwarded-Proto when the peer is trusted.
  std::string_view scheme = rr.scheme;
  if (peer_trusted_) {
    if (auto forwarded = r.headers.Get("X-Forwarded-Proto")) scheme = *forwarded;
  }
  if (!http::EqualsIgnoreCase(scheme, "https") && !HasProtocol(route, "http") &&
      HasProtocol(route, "https")) {
    if (route.https_redirect_status_code == 426) {
      SendKongError(426, proxy::kHttpsRequiredMessage);
    } else {
      SendRedirect(route.https_redirect_status_code);
    }
    return false;
  }
  if (route.service_id) service_ = snapshot_->ServiceOfRoute(route.config_index);
  if (service_ == nullptr) {
    SendKongError(503, proxy::kNoServiceMessage);
    return false;
  }
  return true;
}

void ProxyRequest::SendKongError(int status, std::string_view message) {
  proxy::ErrorResponse error = proxy::KongError(status, message, request_->headers, RequestId());
  http::Response response;
  response.status = status;
  response.headers.Add("Content-Type", std::move(error.content_type));
  if (status == 426) {
    // Kong also sends "Connection: Upgrade"; the server owns Connection (keep-alive/close).
    response.headers.Add("Upgrade", "TLS/1.2, HTTP/1.1");
  }
  response.body = std::move(error.body);
  proxy::ApplyKongResponseHeaders(MillisSince(started_), RequestId(), worker_.options.response_headers,
                                  worker_.options.upstream_headers.server_token, &response.headers);
  SendOwnResponse(std::move(response));
}

void ProxyRequest::SendOwnResponse(http::Response response) {
  if (plugins_) FilterOwnResponse(response);
  status_ = response.status;
  bytes_sent_ += response.body.size();
  writer_->Send(std::move(response));
  Done();
}

void ProxyRequest::SendRedirect(int status) {
  http::Response response;
  response.status = status;
  std::string host = match_ ? match_->host : std::string(request_->headers.Get("Host").value_or(""));
  if (peer_trusted_) {
    if (auto forwarded = request_->headers.Get("X-Forwarded-Host")) host = *forwarded;
  }
  response.headers.Add("Location", "https://" + host + request_->target);
  proxy::ApplyKongResponseHeaders(MillisSince(started_), RequestId(), worker_.options.response_headers,
                                  worker_.options.upstream_headers.server_token, &response.headers);
  SendOwnResponse(std::move(response));
}

void ProxyRequest::SendUpstreamError(int status) {
  proxy::ErrorResponse error = proxy::UpstreamError(status, request_->headers, RequestId());
  http::Response response;
  response.status = error.status;
  response.headers.Add("Content-Type", std::move(error.content_type));
  response.body = std::move(error.body);
  proxy::ApplyKongResponseHeaders(MillisSince(started_), RequestId(), worker_.options.response_headers,
                                  worker_.options.upstream_headers.server_token, &response.headers);
  SendOwnResponse(std::move(response));
}

void ProxyRequest::Log() {
  if (!worker_.options.access_log) return;
  const http::Request& r = *request_;
  AccessLogEntry e;
  e.client_ip = std::string(peer_ip_);
  e.method = r.method;
  e.target = r.target;
  e.http_major = r.http_major;
  e.http_minor = r.http_minor;
  e.status = status_;
  e.bytes_sent = bytes_sent_;
  e.request_bytes = request_bytes_;
  e.referer = std::string(r.headers.Get("Referer").value_or(""));
  e.user_agent = std::string(r.headers.Get("User-Agent").value_or(""));
  e.request_time_ms = MillisSince(started_);
  e.upstream_latency_ms = upstream_latency_ms_;
  e.proxy_latency_ms = proxy_latency_ms_;
  if (match_) e.route_id = match_->route->id;
  if (service_) e.service_id = service_->id;
  e.upstream_address = upstream_address_;
  worker_.options.access_log(e);
}

void ProxyRequest::Done() {
  if (done_) return;
  done_ = true;
  acquire_.reset();
  if (connection_) {
    connection_->Abort();
    connection_.reset();
  }
  ReleasePeer(-1);
  if (plugins_) LogPlugins();
  Log();
  --worker_.requests_in_flight;
  // An unfinished response (a failure after the head went out) ends with the connection:
  // dropping the last writer makes the server abort it rather than look complete.
  if (writer_) writer_->OnAbort(nullptr);
  writer_.reset();
  std::shared_ptr<ProxyRequest> last = std::move(self_);
}  // `this` may be freed here; callers hold their own reference while they run

}  // namespace kong::gateway
