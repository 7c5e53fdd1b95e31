// Graceful stop (kongd's SIGQUIT) of a node's proxy, over loopback sockets: a request in flight
// completes while new connections are refused, and a fast Stop during the drain closes it; the
// workers' log lines follow a reload's log_level (WorkerLogRelay).
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/worker_log_relay.h"
#include "http/fetch.h"
#include "http/server.h"
#include "kong/control_plane.h"
#include "net/listen_spec.h"
#include "support/test_support.h"
#include "unit/api/control_plane_thread.h"

namespace kong::test {
namespace {

// A loopback upstream that keeps /slow unanswered until Release() and answers the rest.
struct HoldingUpstream {
  std::unique_ptr<http::Server> server;
  std::vector<http::ResponseWriter> held;
  uint16_t port = 0;
  explicit HoldingUpstream(EventLoop& loop) {
    auto created = http::Server::Create(loop, {}, [this](http::Request& r, http::ResponseWriter& w) {
      if (r.path == "/slow") {
        held.push_back(w);
      } else {
        w.Send(http::Response::Text(200, "quick"));
      }
    });
    REQUIRE_OK(created.status());
    server = std::move(created).value();
    auto spec = net::ParseListenSpec("127.0.0.1:0");
    REQUIRE_OK(spec.status());
    auto bound = server->Listen(*spec);
    REQUIRE_OK(bound.status());
    port = *bound;
  }
  ~HoldingUpstream() { server->Close(nullptr); }
  void Release() {
    for (http::ResponseWriter& w : held) w.Send(http::Response::Text(200, "released"));
    held.clear();
  }
};

// A request to the proxy; `answer` is set when it completes or fails.
struct ProxyRequest {
  std::optional<Result<http::ClientResponse>> answer;
  std::unique_ptr<http::Fetch> fetch;
  ProxyRequest(EventLoop& loop, uint16_t port, const std::string& target) {
    http::ClientRequest request;
    request.method = "GET";
    request.target = target;
    fetch = http::Fetch::Start(loop, "127.0.0.1", port, std::move(request), {},
                               [this](Result<http::ClientResponse> r) { answer = std::move(r); });
  }
};

// True once a new connection to `port` is refused (the listeners close on the worker threads,
// shortly after StopGracefully returns): one attempt after another, for at most 5 s.
bool RefusesConnections(EventLoop& loop, uint16_t port) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    ProxyRequest probe(loop, port, "/probe");
    if (!WaitUntil(loop, [&] { return probe.answer.has_value(); }, 5000)) return false;
    if (!probe.answer->ok()) return true;
  }
  return false;
}

// A DB-less traditional node proxying everything to a HoldingUpstream, with a request to
// /slow in flight (held by the upstream) once constructed.
struct NodeWithRequestInFlight {
  TempDir dir;
  std::unique_ptr<EventLoop> loop;
  std::unique_ptr<HoldingUpstream> upstream;
  std::unique_ptr<ControlPlane> node;
  uint16_t proxy = 0;
  std::unique_ptr<ProxyRequest> in_flight;

  NodeWithRequestInFlight() {
    auto created_loop = EventLoop::Create();
    REQUIRE_OK(created_loop.status());
    loop = std::move(created_loop).value();
    upstream = std::make_unique<HoldingUpstream>(*loop);
    WriteTestFile(dir.File("kong.yml"), "_format_version: \"3.0\"\nservices:\n- name: held\n"
                                        "  url: http://127.0.0.1:" +
                                            std::to_string(upstream->port) +
                                            "\n  routes:\n  - name: held\n    paths: [\"/\"]\n");
    ControlPlaneOptions options;
    options.conf = LoadConf({{"prefix", dir.File("prefix")},
                             {"database", "off"},
                             {"declarative_config", dir.File("kong.yml")},
                             {"admin_listen", "127.0.0.1:0"},
                             {"proxy_listen", "127.0.0.1:0"},
                             {"nginx_worker_processes", "1"}});
    auto created = ControlPlane::Create(*loop, std::move(options));
    REQUIRE_OK(created.status());
    node = std::move(created).value();
    REQUIRE_OK(node->Start());
    proxy = node->proxy_ports().at(0);
    // declarative_config reaches the proxy through an export: until then requests get a 404.
    REQUIRE(WaitUntil(*loop, [&] { return !node->config_hash().empty(); }, 10000));
    in_flight = std::make_unique<ProxyRequest>(*loop, proxy, "/slow");
    REQUIRE(WaitUntil(*loop, [&] { return !upstream->held.empty(); }, 10000));
  }
};

TEST_SUITE("api") {
  TEST_CASE("StopGracefully: new connections refused, the request in flight completes") {
    NodeWithRequestInFlight t;
    bool stopped = false;
    t.node->StopGracefully([&] { stopped = true; });
    CHECK(RefusesConnections(*t.loop, t.proxy));
    CHECK_FALSE(stopped);
    CHECK_FALSE(t.in_flight->answer.has_value());

    t.upstream->Release();
    REQUIRE(WaitUntil(*t.loop, [&] { return stopped; }, 10000));
    REQUIRE(t.in_flight->answer.has_value());
    REQUIRE_OK(t.in_flight->answer->status());
    CHECK((*t.in_flight->answer)->status == 200);
    CHECK((*t.in_flight->answer)->body == "released");
    CHECK_FALSE(t.node->running());
  }

  TEST_CASE("Stop during StopGracefully closes the request in flight; both callers hear") {
    NodeWithRequestInFlight t;
    int graceful_done = 0, fast_done = 0;
    t.node->StopGracefully([&] { ++graceful_done; });
    CHECK(RefusesConnections(*t.loop, t.proxy));
    t.node->Stop([&] { ++fast_done; });
    REQUIRE(WaitUntil(*t.loop, [&] { return graceful_done + fast_done == 2; }, 10000));
    CHECK(graceful_done == 1);
    CHECK(fast_done == 1);
    REQUIRE(WaitUntil(*t.loop, [&] { return t.in_flight->answer.has_value(); }, 10000));
    CHECK_FALSE(t.in_flight->answer->ok());
    t.upstream->Release();
  }

  TEST_CASE("WorkerLogRelay: the level follows SetMinLevel; nothing arrives after Close") {
    auto loop = EventLoop::Create();
    REQUIRE_OK(loop.status());
    std::vector<std::string> lines;
    api::WorkerLogRelay relay(**loop, [&](LogLevel, std::string_view line) {
      lines.emplace_back(line);
    }, LogLevel::kNotice);
    LogSink worker = relay.WorkerSink();
    auto log_from_worker = [&](LogLevel level, const std::string& line) {
      std::thread([&] { worker(level, line); }).join();
    };
    log_from_worker(LogLevel::kDebug, "debug before");
    log_from_worker(LogLevel::kNotice, "notice before");
    REQUIRE(WaitUntil(**loop, [&] { return lines.size() == 1; }));
    CHECK(lines[0] == "notice before");

    relay.SetMinLevel(LogLevel::kDebug);  // a reload to log_level = debug
    CHECK(relay.min_level() == LogLevel::kDebug);
    log_from_worker(LogLevel::kDebug, "debug after");
    REQUIRE(WaitUntil(**loop, [&] { return lines.size() == 2; }));
    CHECK(lines[1] == "debug after");

    relay.SetMinLevel(LogLevel::kError);
    log_from_worker(LogLevel::kWarn, "warn dropped");
    log_from_worker(LogLevel::kError, "error kept");
    REQUIRE(WaitUntil(**loop, [&] { return lines.size() == 3; }));
    CHECK(lines[2] == "error kept");

    log_from_worker(LogLevel::kError, "posted before Close");
    relay.Close();
    (**loop).RunOnce();
    CHECK(lines.size() == 3);
  }
}

}  // namespace
}  // namespace kong::test
