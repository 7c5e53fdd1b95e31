// Test helpers for lib/gateway: a Gateway on 127.0.0.1:0 (its own worker threads), upstream
// servers and clients on the test's loop, and flat-config builders.
#ifndef KONG_TESTS_UNIT_GATEWAY_GATEWAY_TEST_UTIL_H_
#define KONG_TESTS_UNIT_GATEWAY_GATEWAY_TEST_UTIL_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/gateway.h"
#include "gateway/snapshot.h"
#include "http/fetch.h"
#include "json/value.h"
#include "unit/http/http_test_util.h"

namespace kong::gateway::test {

using kong::test::TestServer;
using kong::test::WaitUntil;

// An upstream server on the test loop that records each request and answers with its name.
struct Upstream {
  struct Seen {
    std::string method, target;
    http::HeaderMap headers;
    std::string body;
  };
  std::string name;
  int status = 200;
  std::vector<Seen> seen;
  std::unique_ptr<TestServer> server;

  Upstream(EventLoop& loop, std::string n, http::ServerOptions options = {}) : name(std::move(n)) {
    server = std::make_unique<TestServer>(loop, std::move(options),
                                          [this](http::Request& r, http::ResponseWriter& w) {
                                            seen.push_back({r.method, r.target, r.headers, r.body});
                                            http::Response resp = http::Response::Text(status, name);
                                            resp.headers.Add("X-Upstream", name);
                                            w.Send(std::move(resp));
                                          });
  }
  uint16_t port() const { return server->port; }
  void Close(EventLoop& loop) { server->Close(loop); }
};

inline std::string Service(const std::string& id, uint16_t port, const std::string& extra = "",
                           const std::string& host = "127.0.0.1") {
  return R"({"id":")" + id + R"(","name":")" + id + R"(","protocol":"http","host":")" + host +
         R"(","port":)" + std::to_string(port) + (extra.empty() ? "" : "," + extra) + "}";
}

inline std::string Route(const std::string& id, const std::string& service,
                         const std::string& extra) {
  std::string s = R"({"id":")" + id + R"(")";
  if (!service.empty()) s += R"(,"service":{"id":")" + service + R"("})";
  return s + "," + extra + "}";
}

inline std::string Config(const std::vector<std::string>& services,
                          const std::vector<std::string>& routes,
                          const std::vector<std::string>& upstreams = {},
                          const std::vector<std::string>& targets = {}) {
  auto join = [](const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
    return s + "]";
  };
  return R"({"services":)" + join(services) + R"(,"routes":)" + join(routes) +
         R"(,"upstreams":)" + join(upstreams) + R"(,"targets":)" + join(targets) + "}";
}

// A started Gateway plus a client loop on the test thread.
struct GatewayFixture {
  std::unique_ptr<EventLoop> owned_loop;
  EventLoop& loop;
  std::unique_ptr<Gateway> gateway;
  uint16_t port = 0;

  explicit GatewayFixture(size_t workers = 1,
                          const std::function<void(GatewayOptions&)>& tweak = nullptr)
      : owned_loop(std::move(EventLoop::Create()).value()), loop(*owned_loop) {
    GatewayOptions o;
    o.listen.push_back(*net::ParseListenSpec("127.0.0.1:0"));
    o.workers = workers;
    o.http.max_body_size = 0;
    o.upstream_headers.server_token = "kong/3.10.0";
    if (tweak) tweak(o);
    auto g = Gateway::Start(std::move(o));
    REQUIRE_MESSAGE(g.ok(), g.status().ToString());
    gateway = std::move(g).value();
    port = gateway->bound_ports().at(0);
  }
  ~GatewayFixture() {
    gateway.reset();  // stops and joins the workers
  }

  void Publish(const std::string& config) {
    auto flat = json::Parse(config);
    REQUIRE_MESSAGE(flat.ok(), flat.status().ToString());
    auto snap = gateway->BuildSnapshot(*flat);
    REQUIRE_MESSAGE(snap.ok(), snap.status().ToString());
    gateway->Publish(*snap);
  }

  // One request on a fresh connection to the gateway; waits for the answer.
  Result<http::ClientResponse> Send(http::ClientRequest request, uint16_t to_port = 0,
                                    int timeout_ms = 10000) {
    std::optional<Result<http::ClientResponse>> got;
    http::FetchOptions options;
    if (!request.headers.Has("Host")) request.headers.Add("Host", "example.com");
    auto fetch = http::Fetch::Start(loop, "127.0.0.1", to_port ? to_port : port,
                                    std::move(request), options,
                                    [&](Result<http::ClientResponse> r) { got = std::move(r); });
    if (!WaitUntil(loop, [&] { return got.has_value(); }, timeout_ms)) {
      return Status::Unavailable("no answer from the gateway");
    }
    return std::move(*got);
  }

  http::ClientResponse Get(const std::string& target, const std::string& host = "example.com",
                           http::HeaderMap headers = {}) {
    http::ClientRequest r;
    r.target = target;
    r.headers = std::move(headers);
    r.headers.Set("Host", host);
    auto resp = Send(std::move(r));
    REQUIRE_MESSAGE(resp.ok(), resp.status().ToString());
    return std::move(resp).value();
  }
};

}  // namespace kong::gateway::test

#endif  // KONG_TESTS_UNIT_GATEWAY_GATEWAY_TEST_UTIL_H_
