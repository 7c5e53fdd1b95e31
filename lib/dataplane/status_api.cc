// StatusApi: http::Server on status_listen with the DP's three answers.
#include "dataplane/status_api.h"

#include <utility>

#include "http/server.h"
#include "json/value.h"

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
  if (p != "/status" && p != "/status/ready") {
    *status = 404;
    *body = Message("Not found");
    return;
  }
  if (method != "GET" && method != "HEAD") {
    *status = 405;
    *body = Message("Method not allowed");
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
  *body = json::Serialize(out);
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
