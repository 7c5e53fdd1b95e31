// kong::gateway::Gateway: the proxy server of a data plane (or traditional node): worker
// threads, each with its own loop and SO_REUSEPORT listeners, proxying with the configuration
// snapshot currently published.
#ifndef KONG_GATEWAY_GATEWAY_H_
#define KONG_GATEWAY_GATEWAY_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/server.h"
#include "json/value.h"
#include "kong/logger.h"
#include "kong/status.h"
#include "net/listen_spec.h"
#include "plugins/factory.h"
#include "plugins/state.h"
#include "proxy/forwarded_headers.h"
#include "proxy/proxy_certificates.h"
#include "proxy/response_headers.h"
#include "proxy/trusted_ips.h"
#include "upstream/connection_pool.h"
#include "upstream/resolver.h"

namespace kong::gateway {

class Snapshot;  // snapshot.h: router, balancers, services, certificates of one config

// One line of the access log (nginx's combined format plus Kong's latencies), produced on the
// worker thread that served the request.
struct AccessLogEntry {
  std::string client_ip;
  std::string method;
  std::string target;
  int http_major = 1, http_minor = 1;
  int status = 0;
  uint64_t bytes_sent = 0;       // to the client, head and body
  uint64_t request_bytes = 0;    // from the client, head and body
  std::string referer, user_agent;
  int64_t request_time_ms = 0;   // first byte in to last byte out
  int64_t upstream_latency_ms = -1;  // -1 when not proxied
  int64_t proxy_latency_ms = -1;
  std::string route_id, service_id;  // "" when none matched
  std::string upstream_address;      // "127.0.0.1:8080" or ""
};

struct GatewayOptions {
  // proxy_listen, parsed; `ssl` specs terminate TLS (SNI from the snapshot's certificates,
  // then the default certificate below). Each worker binds every spec with SO_REUSEPORT.
  std::vector<net::ListenSpec> listen;
  // Worker threads; 0 means one per online CPU (nginx's worker_processes auto).
  size_t workers = 0;

  // Client-side limits and timeouts (client_header_timeout, client_body_timeout,
  // keepalive_timeout, large header buffers, client_max_body_size (0: none, Kong's proxy
  // default), ...). server_name is replaced by Kong's "kong/<version>" token.
  http::ServerOptions http;

  proxy::UpstreamHeaderOptions upstream_headers;  // real_ip_header, server token, request id
  proxy::TrustedIps trusted_ips;                  // kong.conf trusted_ips
  proxy::EnabledHeaders response_headers;         // kong.conf headers
  upstream::PoolOptions pool;                     // upstream_keepalive_*
  upstream::ResolverOptions dns;                  // dns_* settings

  // The TLS listener's default certificate (kong.conf ssl_cert/ssl_cert_key, else the
  // fallback from proxy::EnsureDefaultCertificate). Required when a `listen` spec is ssl.
  std::string ssl_cert_pem;
  std::string ssl_key_pem;
  std::vector<std::string> ssl_ciphersuites;
  proxy::UpstreamTlsDefaults upstream_tls;

  // The plugins this node runs (kong.conf `plugins`); null: plugins::BundledPluginFactories().
  // A `plugins` row naming another plugin fails BuildSnapshot.
  std::shared_ptr<const plugins::PluginFactories> plugin_factories;

  // Optional; called on worker threads (must be thread-safe).
  std::function<void(const AccessLogEntry& entry)> access_log;
  LogSink log_sink;  // error log (kong/logger.h); called on worker threads
  LogLevel log_level = LogLevel::kNotice;
};

// Thread-safe: Publish, BuildSnapshot and the accessors may be called from any thread.
class Gateway {
 public:
  // Starts the workers; returns once every worker has bound every listener, or with an error
  // naming the address ("bind 0.0.0.0:8000: address already in use"). Until the first
  // Publish, requests get Kong's 404 "no Route matched with those values" (an empty router).
  static Result<std::unique_ptr<Gateway>> Start(GatewayOptions options);
  ~Gateway();  // Stop() with no grace period, then joins the workers
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Compiles Kong's flat declarative config (declarative::Flatten's output: services, routes,
  // upstreams, targets, certificates, snis, ca_certificates) into a snapshot. Balancers keep
  // the health of the snapshot currently published. kInvalidArgument naming the entity when
  // something cannot be compiled (a bad regex, a certificate that does not parse): the caller
  // keeps the old config. Runs on the calling thread (not a worker).
  Result<std::shared_ptr<const Snapshot>> BuildSnapshot(const json::Value& flat_config) const;

  // Makes `snapshot` the one new requests use: a pointer swap each worker sees at its next
  // request; requests in flight finish with the snapshot they started with. Starts/stops the
  // active health checks of the snapshot's upstreams.
  void Publish(std::shared_ptr<const Snapshot> snapshot);
  std::shared_ptr<const Snapshot> current() const;

  // Bound ports, in `listen` order (the OS's choice for port 0).
  std::vector<uint16_t> bound_ports() const;
  size_t worker_count() const;

  // What plugins keep across snapshots and workers (rate-limit counters, metrics); lives as
  // long as the Gateway. Thread-safe.
  plugins::SharedState& plugin_state() const;

  // {"<upstream name>": {...health view...}} of the current snapshot (DP status API).
  json::Value UpstreamHealth() const;

  // Stops accepting; in-flight requests get `grace_ms` to finish (0: closed at once), then
  // every connection closes; `done` runs on an unspecified thread once every worker exited.
  void Stop(uint64_t grace_ms, std::function<void()> done);

 private:
  struct Impl;
  explicit Gateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kong::gateway

#endif  // KONG_GATEWAY_GATEWAY_H_
