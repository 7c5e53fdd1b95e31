// AdminApi: Kong's Admin API (entities, schemas, node info, declarative export) served over
// lib/http on the control plane's loop, answering from the AsyncStore's thread.
#ifndef KONG_ADMIN_ADMIN_API_H_
#define KONG_ADMIN_ADMIN_API_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/server.h"
#include "json/value.h"
#include "kong/event_loop.h"
#include "kong/logger.h"
#include "kong/status.h"
#include "net/listen_spec.h"
#include "schema/catalog.h"
#include "store/async_store.h"

namespace kong::admin {

// What `GET /` reports about this node (Kong's root endpoint).
struct NodeInfo {
  std::string node_id;  // UUID of this node (kong.id)
  std::string hostname;
  std::string version;  // Kong-compatible version, "3.10.0"
  std::string role;     // "control_plane" or "traditional"
  // kong.conf with secrets redacted (Conf::Entries(true)), as the `configuration` object.
  std::vector<std::pair<std::string, std::string>> configuration;
};

struct AdminOptions {
  // admin_listen; each spec gets its own listener. Empty: no listener (tests may still
  // call Serve()-like paths through the returned ports only when non-empty).
  std::vector<net::ListenSpec> listen;
  // HTTP limits. Kong's Admin API accepts bodies up to 10m (nginx_admin_client_max_body_size).
  http::ServerOptions server = [] {
    http::ServerOptions o;
    o.max_body_size = 10 * 1024 * 1024;
    return o;
  }();
  NodeInfo node;
  // admin_ssl_cert / admin_ssl_cert_key contents (PEM chain, leaf first, and its unencrypted
  // key) for `ssl` listen specs. Both empty: a self-signed certificate (EC P-384, CN=localhost)
  // is generated in memory at Start, where Kong writes admin-kong-default.crt to its prefix.
  std::string ssl_cert_pem;
  std::string ssl_key_pem;
  // Receives error lines (the detail behind a 500); called on the loop thread. May be empty.
  LogSink log;
};

// Loop thread only. `store` and `catalog` must outlive the AdminApi (and its Close). Entity
// requests run as `store` jobs that use `catalog` and answer through `options.log` (a 500's
// detail): keep both alive until `store` has shut down, since a queued job may still run after
// Close. A late answer to a closed connection is dropped.
class AdminApi {
 public:
  // Binds every listen spec (errors name the address: "bind 127.0.0.1:8001: address already
  // in use") and starts serving; `ssl` specs serve HTTPS (TLS 1.2) with options.ssl_cert_pem.
  static Result<std::unique_ptr<AdminApi>> Start(EventLoop& loop, store::AsyncStore& store,
                                                 const schema::Catalog& catalog,
                                                 AdminOptions options);
  ~AdminApi();
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  // Bound ports in admin_listen order (port 0 specs resolved).
  std::vector<uint16_t> bound_ports() const;

  // Adds an endpoint served ahead of the entity routes, e.g. the cluster layer's
  // GET /clustering/status or GET /schemas/{entity}. `pattern` is a path whose `{name}`
  // segments match one percent-decoded segment each ("/schemas/{entity}"); the values arrive
  // in `params`. A path that matches with another method gets Kong's 405. Call on the loop
  // thread, before or after Start.
  using PathParams = std::map<std::string, std::string>;
  using EndpointHandler = std::function<void(http::Request& request, http::ResponseWriter& writer,
                                             const PathParams& params)>;
  void AddEndpoint(std::string method, std::string pattern, EndpointHandler handler);

  // Stops listening, closes connections; on_closed after the last handle closed. Idempotent.
  void Close(std::function<void()> on_closed);

  // Every served path template, sorted (Kong's GET /endpoints).
  std::vector<std::string> endpoints() const;

  class Impl;

 private:
  explicit AdminApi(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kong::admin

#endif  // KONG_ADMIN_ADMIN_API_H_
