// StatusApi: http::Server on status_listen with the DP's three answers.
#include "dataplane/status_api.h"

#include <utility>

#include "http/server.h"
#include "json/value.h"
#include "plugins/prometheus_metrics.h"

namespace kong::dataplane {

namespace {

// Kong's ready.lua wording for a node without a usable configuration.
constexpr char kNotReady[] = "no configuration available (empty configuration present)";

std::string Message(std::string_view text) {
  json::Value body = json::Value::EmptyObject();
  body.Set("message", std::string(text));
  return json::Serialize(body);
}

}  // namespace

StatusApi::StatusApi(StatusApiOptions options) : options_(std::move(options)) {}

StatusApi::~StatusApi() = default;

Result<std::unique_ptr<StatusApi>> StatusApi::Start(EventLoop& loop, StatusApiOptions options) {
  std::unique_ptr<StatusApi> api(new StatusApi(std::move(options)));
  http::ServerOptions sopts;
  sopts.server_name = api->options_.server_header;
  StatusApi* self = api.get();
  auto server = http::Server::Create(loop, sopts, [self](http::Request& req, http::ResponseWriter& w) {
    std::string body;
    int status = 200;
    if (self->Metrics(req.method, req.path, &body)) {
      http::Response r;
      r.headers.Add("Content-Type", plugins::kPrometheusContentType);
      r.body = std::move(body);
      w.Send(std::move(r));
      return;
    }
    self->Handle(req.method, req.path, &body, &status);
    w.Send(http::Response::Json(status, std::move(body)));
  });
  if (!server.ok()) return server.status();
  api->server_ = std::move(server).value();
  for (const net::ListenSpec& spec : api->options_.listen) {
    Result<uint16_t> bound = api->server_->Listen(spec);
    if (!bound.ok()) {
      api->server_->Close(nullptr);
      return Status(bound.status().code(), "status_listen: " + bound.status().message());
    }
  }
  return api;
}

void StatusApi::Handle(const std::string& method, const std::string& path, std::string* body,
                       int* status) {
  ++total_requests_;
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();  // lapis ignores a trailing slash
  const bool health = p.rfind("/upstreams/", 0) == 0;
  if (p != "/status" && p != "/status/ready" && !health) {
    *status = 404;
    *body = Message("Not found");
    return;
  }
  if (method != "GET" && method != "HEAD") {
    *status = 405;
    *body = Message("Method not allowed");
    return;
  }
  if (health) {
    if (!UpstreamHealth(p, body, status)) {
      *status = 404;
      *body = Message("Not found");
    }
    return;
  }
  if (p == "/status/ready") {
    const bool ready = options_.ready && options_.ready();
    *status = ready ? 200 : 503;
    *body = Message(ready ? "ready" : kNotReady);
    return;
  }
  // Kong's /status: nginx's stub_status counters, memory, and on DP/dbless nodes the
  // configuration hash (no `database` key). We report what this process counts: the status
  // listener's own connections and requests.
  json::Value server = json::Value::EmptyObject();
  const int64_t active = server_ ? static_cast<int64_t>(server_->connection_count()) : 0;
  server.Set("connections_active", active);
  server.Set("total_requests", static_cast<int64_t>(total_requests_));
  json::Value out = json::Value::EmptyObject();
  out.Set("configuration_hash", options_.config_hash ? options_.config_hash() : std::string());
  out.Set("server", std::move(server));
  // Ours: which control plane this node follows (cluster_control_plane may list several).
  const std::string cp =
      options_.connected_control_plane ? options_.connected_control_plane() : std::string();
  out.Set("connected_control_plane", cp.empty() ? json::Value() : json::Value(cp));
  *body = json::Serialize(out);
}

bool StatusApi::Metrics(const std::string& method, const std::string& path,
                        std::string* body) {
  if (!options_.metrics || (method != "GET" && method != "HEAD")) return false;
  std::string_view p = path;
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  if (p != "/metrics") return false;
  ++total_requests_;
  *body = options_.metrics();
  return true;
}

bool StatusApi::UpstreamHealth(const std::string& path, std::string* body, int* status) const {
  constexpr std::string_view kPrefix = "/upstreams/";
  constexpr std::string_view kSuffix = "/health";
  std::string_view p = path;
  if (p.size() <= kPrefix.size() + kSuffix.size() || !p.ends_with(kSuffix)) return false;
  std::string_view key = p.substr(kPrefix.size(), p.size() - kPrefix.size() - kSuffix.size());
  if (key.find('/') != std::string_view::npos || !options_.upstream_health) return false;
  json::Value all = options_.upstream_health();
  if (!all.is_object()) return false;
  for (const auto& [name, view] : all.as_object()) {
    const json::Value* data = view.Find("data");
    bool match = name == key;
    // By id too: every entry names its upstream's id.
    if (!match && data && data->is_array() && !data->as_array().empty()) {
      const json::Value* upstream = data->as_array().front().Find("upstream");
      const json::Value* id = upstream ? upstream->Find("id") : nullptr;
      match = id && id->is_string() && id->as_string() == key;
    }
    if (!match) continue;
    json::Value out = view;
    out.Set("node_id", options_.node_id);
    out.Set("next", json::Value());
    *status = 200;
    *body = json::Serialize(out);
    return true;
  }
  return false;
}

std::vector<uint16_t> StatusApi::bound_ports() const {
  return server_ ? server_->bound_ports() : std::vector<uint16_t>{};
}

void StatusApi::Close(std::function<void()> on_closed) {
  if (!server_) {
    if (on_closed) on_closed();
    return;
  }
  server_->Close(std::move(on_closed));
}

}  // namespace kong::dataplane
