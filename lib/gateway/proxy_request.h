// ProxyRequest: one client request through the proxy (route, pick a target, connect, stream
// both bodies, retry, answer errors). Owns itself from Start() until it finished.
#ifndef KONG_GATEWAY_PROXY_REQUEST_H_
#define KONG_GATEWAY_PROXY_REQUEST_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "balancer/upstream_balancer.h"
#include "gateway/snapshot.h"
#include "gateway/worker_context.h"
#include "http/server.h"
#include "plugins/chain.h"
#include "plugins/plugin.h"
#include "proxy/error_response.h"
#include "proxy/forwarded_headers.h"
#include "proxy/upstream_path.h"
#include "router/router.h"
#include "upstream/connection_pool.h"

namespace kong::gateway {

// Entry point of the worker's http::Server handler.
void HandleProxyRequest(WorkerContext& worker, const ListenerInfo& listener,
                        http::Request& request, http::ResponseWriter& writer);

class ProxyRequest : public std::enable_shared_from_this<ProxyRequest> {
 public:
  using Clock = std::chrono::steady_clock;

  ProxyRequest(WorkerContext& worker, const ListenerInfo& listener, http::ResponseWriter writer);
  ~ProxyRequest();
  ProxyRequest(const ProxyRequest&) = delete;
  ProxyRequest& operator=(const ProxyRequest&) = delete;

  // Routes and starts proxying; keeps itself alive until done.
  void Start(std::shared_ptr<ProxyRequest> self);

 private:
  // proxy_request.cc: routing and Kong's own answers.
  bool Route();
  void SendKongError(int status, std::string_view message);
  // Every answer Kong produces goes out here (plugins' response phases first).
  void SendOwnResponse(http::Response response);
  void SendRedirect(int status);
  void SendUpstreamError(int status);
  void Done();  // logs, releases everything; `this` may be gone afterwards
  void Log();
  std::string_view RequestId();
  int64_t MillisSince(Clock::time_point t) const;

  // proxy_upstream.cc: targets, connections, the exchange, retries.
  void NextTry();
  void ResolveAndConnect(const std::string& host, uint16_t port);
  void Connect(const sockaddr_storage& address, std::string_view host, uint16_t port);
  void OnConnected(std::unique_ptr<upstream::UpstreamConnection> connection);
  void OnConnectError(const upstream::UpstreamError& error);
  void BuildUpstreamHead();
  void OnHead(upstream::UpstreamResponseHead head);
  void OnBody(std::string_view data);
  void OnEnd();
  void OnExchangeError(const upstream::UpstreamError& error);
  void ReportFailure(balancer::FailureKind kind, int status);
  void ReleasePeer(double response_ms);
  bool Retryable(const upstream::UpstreamError& error) const;
  void FailUpstream(const upstream::UpstreamError& error);
  void OnClientAbort();
  void StartTunnel(upstream::UpstreamResponseHead head);
  void StartBody();

  // proxy_plugins.cc: the plugin phases around the pipeline (only when the snapshot has
  // plugins; `plugins_` is null otherwise).
  struct PluginRun;
  void StartWithPlugins();
  void ContinueAfterAccess(plugins::Flow flow);
  void OnPluginResume();
  void SendPluginExit();
  void ProceedUpstream();
  void ReadBodyForPlugin(uint64_t limit, std::function<void(Result<std::string>)> done);
  bool BodyOverLimit();  // true when it answered 413
  void FilterOwnResponse(http::Response& response);
  // Runs the plugins' ResponseHeaders step for the proxied head; true when no plugin needs
  // the head as a map (no header_filter, no body_filter): the edits go on the direct encoding.
  bool EditsProxiedHeadOnly();
  // The map path: applies those edits to `headers`, then header_filter.
  void FilterProxiedHead(int status, http::HeaderMap& headers);
  // True when some collected plugin filters bodies: the (filtered) data went out.
  bool FilterBody(std::string_view data, bool eof);
  void ApplyPluginUpstreamChanges(const proxy::UpstreamPathParams& path,
                                  upstream::UpstreamRequestHead& head,
                                  proxy::UpstreamFraming& framing);
  bool SendPluginBody();  // true when plugins hold the body (read or replaced): written

  void LogPlugins();

  WorkerContext& worker_;
  ListenerInfo listener_;
  std::optional<http::ResponseWriter> writer_;
  http::Request* request_;  // owned by the exchange the writer holds
  std::shared_ptr<ProxyRequest> self_;
  std::shared_ptr<const Snapshot> snapshot_;
  Clock::time_point started_;
  Clock::time_point upstream_started_{};
  std::array<char, 32> request_id_;  // hex, in place: no allocation per request
  bool request_id_set_ = false;

  // Routing results.
  std::optional<router::RouteMatch> match_;
  const ServiceInfo* service_ = nullptr;
  std::string_view peer_ip_;
  bool peer_trusted_ = false;

  // Target selection and retries.
  const balancer::UpstreamBalancer* balancer_ = nullptr;
  balancer::PickState pick_;
  std::optional<balancer::Peer> peer_;
  int tries_ = 0;
  std::string target_host_;  // the host of the current try, for Host and SNI
  uint16_t target_port_ = 0;
  std::string upstream_address_;

  // The exchange.
  std::unique_ptr<upstream::AcquireHandle> acquire_;
  std::unique_ptr<upstream::UpstreamConnection> connection_;
  std::optional<upstream::UpstreamRequestHead> head_template_;
  bool body_reading_ = false;       // ReadBody() was called
  bool body_started_ = false;       // client body bytes were forwarded: no more retries
  bool request_body_done_ = false;  // the client's body ended
  bool response_started_ = false;
  bool response_paused_ = false;
  bool done_ = false;
  int status_ = 0;
  int64_t upstream_latency_ms_ = -1;
  int64_t proxy_latency_ms_ = -1;
  uint64_t bytes_sent_ = 0;
  uint64_t request_bytes_ = 0;

  std::unique_ptr<PluginRun> plugins_;
};

}  // namespace kong::gateway

#endif  // KONG_GATEWAY_PROXY_REQUEST_H_
