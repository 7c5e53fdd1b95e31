// The proxy wired into the nodes, through the public API over loopback sockets: a DataPlane fed
// by a ControlPlane proxies to an upstream after Admin API writes and refuses a config its proxy
// cannot compile (the previous one keeps proxying); a traditional node proxies its own
// database's configuration; a DB-less traditional node proxies declarative_config and refuses
// entity writes as Kong does.
#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/fetch.h"
#include "http/server.h"
#include "kong/control_plane.h"
#include "kong/data_plane.h"
#include "net/listen_spec.h"
#include "support/test_support.h"
#include "unit/api/control_plane_thread.h"
#include "unit/tls/test_certs.h"

namespace kong::test {
namespace {

// A loopback upstream on `loop` answering "upstream saw <path>".
struct Upstream {
  std::unique_ptr<http::Server> server;
  uint16_t port = 0;
  explicit Upstream(EventLoop& loop) {
    auto created = http::Server::Create(loop, {}, [](http::Request& req, http::ResponseWriter& w) {
      http::Response r = http::Response::Text(200, "upstream saw " + req.path);
      r.headers.Set("X-Upstream", "yes");
      w.Send(std::move(r));
    });
    REQUIRE_OK(created.status());
    server = std::move(created).value();
    auto spec = net::ParseListenSpec("127.0.0.1:0");
    REQUIRE_OK(spec.status());
    auto bound = server->Listen(*spec);
    REQUIRE_OK(bound.status());
    port = *bound;
  }
  ~Upstream() { server->Close(nullptr); }
};

// One request on a fresh connection, waited for on `loop`.
http::ClientResponse Send(EventLoop& loop, uint16_t port, const std::string& method,
                          const std::string& target, const std::string& json = "") {
  http::ClientRequest request;
  request.method = method;
  request.target = target;
  if (!json.empty()) {
    request.headers.Add("Content-Type", "application/json");
    request.body = json;
  }
  std::optional<Result<http::ClientResponse>> answer;
  auto fetch = http::Fetch::Start(loop, "127.0.0.1", port, std::move(request), {},
                                  [&](Result<http::ClientResponse> r) { answer = std::move(r); });
  REQUIRE(WaitUntil(loop, [&] { return answer.has_value(); }, 10000));
  REQUIRE_OK(answer->status());
  return std::move(*answer).value();
}

// GET `target` through the proxy until it answers `status`; between attempts, waits for the
// node's config hash to change (an event, not a sleep). The hash is read before each request,
// so a change racing the request is never missed.
http::ClientResponse ProxyUntil(EventLoop& loop, uint16_t port, const std::string& target,
                                int status, const std::function<std::string()>& hash) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    const std::string before = hash();
    http::ClientResponse r = Send(loop, port, "GET", target);
    if (r.status == status) return r;
    INFO("last answer: " << r.status << " " << r.body);
    REQUIRE(WaitUntil(loop, [&] { return hash() != before; }, 10000));
  }
  FAIL("the proxy never answered " << status << " for " << target);
  return {};
}

void CheckProxied(const http::ClientResponse& r, const std::string& path) {
  CHECK(r.status == 200);
  CHECK(r.body == "upstream saw " + path);
  CHECK(r.headers.Get("X-Upstream") == "yes");
  auto via = r.headers.Get("Via");
  REQUIRE(via.has_value());
  CHECK(via->find("kong/3.10.0") != std::string_view::npos);
  CHECK(r.headers.Has("X-Kong-Upstream-Latency"));
  CHECK(r.headers.Has("X-Kong-Proxy-Latency"));
}

// A route whose header regex the declarative schema accepts (as Kong's does) but the router
// cannot compile.
constexpr char kUncompilableRoute[] =
    R"({"name":"bad","paths":["/bad"],"headers":{"x-version":["~*("]}})";

struct LogCapture {
  std::mutex mu;
  std::vector<std::string> lines;
  LogSink Sink() {
    return [this](LogLevel, std::string_view line) {
      std::lock_guard<std::mutex> lock(mu);
      lines.emplace_back(line);
    };
  }
  bool Has(const std::string& text) {
    std::lock_guard<std::mutex> lock(mu);
    for (const std::string& l : lines) {
      if (l.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

// A traditional node on the test's loop; Stop waits for it.
struct TraditionalNode {
  EventLoop& loop;
  std::unique_ptr<ControlPlane> node;
  TraditionalNode(EventLoop& l, std::map<std::string, std::string> overrides, LogSink sink)
      : loop(l) {
    overrides.emplace("admin_listen", "127.0.0.1:0");
    overrides.emplace("proxy_listen", "127.0.0.1:0");
    overrides.emplace("nginx_worker_processes", "1");
    ConfSources sources;
    sources.overrides = std::move(overrides);
    auto conf = Conf::Load(sources);
    REQUIRE_OK(conf.status());
    ControlPlaneOptions options;
    options.conf = std::move(conf).value();
    options.log_sink = std::move(sink);
    auto created = ControlPlane::Create(loop, std::move(options));
    REQUIRE_OK(created.status());
    node = std::move(created).value();
  }
  ~TraditionalNode() {
    bool stopped = false;
    node->Stop([&] { stopped = true; });
    CHECK(WaitUntil(loop, [&] { return stopped; }, 10000));
    CHECK(node->proxy_ports().empty());
  }
};

TEST_SUITE("api") {
  TEST_CASE("a DataPlane proxies the configuration its ControlPlane pushes") {
    TempDir dir;
    WriteTestFile(dir.File("cluster.crt"), Pki().shared.cert_pem);
    WriteTestFile(dir.File("cluster.key"), Pki().shared.key_pem);
    ControlPlaneThread cp(LoadConf({{"role", "control_plane"},
                                    {"prefix", dir.File("cp")},
                                    {"admin_listen", "127.0.0.1:0"},
                                    {"cluster_listen", "127.0.0.1:0"},
                                    {"cluster_cert", dir.File("cluster.crt")},
                                    {"cluster_cert_key", dir.File("cluster.key")}}));
    REQUIRE_OK(cp.started());

    auto loop = EventLoop::Create();
    REQUIRE_OK(loop.status());
    Upstream upstream(**loop);
    LogCapture log;
    DataPlaneOptions options;
    options.conf = LoadConf({{"role", "data_plane"},
                             {"database", "off"},
                             {"prefix", dir.File("dp")},
                             {"status_listen", "127.0.0.1:0"},
                             {"proxy_listen", "127.0.0.1:0"},
                             {"nginx_worker_processes", "1"},
                             {"cluster_control_plane",
                              "127.0.0.1:" + std::to_string(cp.cluster_port())},
                             {"cluster_cert", dir.File("cluster.crt")},
                             {"cluster_cert_key", dir.File("cluster.key")}});
    options.log_sink = log.Sink();
    auto dp = DataPlane::Create(**loop, std::move(options));
    REQUIRE_OK(dp.status());
    REQUIRE_OK((*dp)->Start());
    REQUIRE((*dp)->proxy_ports().size() == 1);
    const uint16_t proxy = (*dp)->proxy_ports()[0];
    CHECK(proxy != 0);
    CHECK(log.Has("proxy listening on 127.0.0.1:" + std::to_string(proxy)));
    auto hash = [&] { return (*dp)->config_hash(); };

    // Before any route: Kong's 404 from the proxy itself.
    http::ClientResponse none = Send(**loop, proxy, "GET", "/echo");
    CHECK(none.status == 404);
    CHECK(none.body.find("no Route matched with those values") != std::string::npos);

    const std::string service =
        R"({"name":"echo","url":"http://127.0.0.1:)" + std::to_string(upstream.port) + R"("})";
    CHECK(Send(**loop, cp.admin_port(), "POST", "/services", service).status == 201);
    CHECK(Send(**loop, cp.admin_port(), "POST", "/services/echo/routes",
               R"({"name":"echo","paths":["/echo"],"strip_path":false})")
              .status == 201);
    CheckProxied(ProxyUntil(**loop, proxy, "/echo/hi", 200, hash), "/echo/hi");

    // Upstream health on the status API (Kong's DB-less /upstreams/{u}/health).
    CHECK(Send(**loop, cp.admin_port(), "POST", "/upstreams", R"({"name":"pool"})").status == 201);
    CHECK(Send(**loop, cp.admin_port(), "POST", "/upstreams/pool/targets",
               R"({"target":"127.0.0.1:)" + std::to_string(upstream.port) + R"("})")
              .status == 201);
    const uint16_t status_port = (*dp)->status_ports().at(0);
    http::ClientResponse health;
    for (int attempt = 0; attempt < 20; ++attempt) {
      const std::string before = hash();
      health = Send(**loop, status_port, "GET", "/upstreams/pool/health");
      if (health.status == 200 && health.body.find("127.0.0.1:") != std::string::npos) break;
      REQUIRE(WaitUntil(**loop, [&] { return hash() != before; }, 10000));
    }
    CHECK(health.status == 200);
    CHECK(health.body.find(R"("target":"127.0.0.1:)" + std::to_string(upstream.port)) !=
          std::string::npos);
    CHECK(health.body.find(R"("node_id":")" + (*dp)->node_id()) != std::string::npos);
    CHECK(Send(**loop, status_port, "GET", "/upstreams/nope/health").status == 404);

    // A config the proxy cannot compile: refused like an invalid one, the old one stays.
    const std::string good_hash = (*dp)->config_hash();
    CHECK(Send(**loop, cp.admin_port(), "POST", "/services/echo/routes", kUncompilableRoute)
              .status == 201);
    REQUIRE(WaitUntil(**loop, [&] { return log.Has("cannot be proxied"); }, 10000));
    CHECK((*dp)->config_hash() == good_hash);
    CHECK((*dp)->config_json().find("\"bad\"") == std::string::npos);
    CheckProxied(Send(**loop, proxy, "GET", "/echo/still"), "/echo/still");

    bool stopped = false;
    (*dp)->Stop([&] { stopped = true; });
    REQUIRE(WaitUntil(**loop, [&] { return stopped; }, 10000));
    CHECK((*dp)->proxy_ports().empty());
  }

  TEST_CASE("a traditional node proxies after an Admin API change") {
    TempDir dir;
    auto loop = EventLoop::Create();
    REQUIRE_OK(loop.status());
    Upstream upstream(**loop);
    LogCapture log;
    TraditionalNode trad(**loop, {{"prefix", dir.path()}}, log.Sink());
    REQUIRE_OK(trad.node->Start());
    REQUIRE(trad.node->proxy_ports().size() == 1);
    const uint16_t proxy = trad.node->proxy_ports()[0];
    const uint16_t admin = trad.node->admin_ports().at(0);
    CHECK(log.Has("proxy listening on 127.0.0.1:" + std::to_string(proxy)));
    auto hash = [&] { return trad.node->config_hash(); };

    const std::string service =
        R"({"name":"echo","url":"http://127.0.0.1:)" + std::to_string(upstream.port) + R"("})";
    CHECK(Send(**loop, admin, "POST", "/services", service).status == 201);
    CHECK(Send(**loop, admin, "POST", "/services/echo/routes",
               R"({"name":"echo","paths":["/t"]})")
              .status == 201);
    // strip_path defaults to true: the upstream sees "/x".
    CheckProxied(ProxyUntil(**loop, proxy, "/t/x", 200, hash), "/x");

    CHECK(Send(**loop, admin, "POST", "/services/echo/routes", kUncompilableRoute).status == 201);
    REQUIRE(WaitUntil(**loop, [&] { return log.Has("not applied to the proxy"); }, 10000));
    CheckProxied(Send(**loop, proxy, "GET", "/t/y"), "/y");
    CHECK(Send(**loop, proxy, "GET", "/bad").status == 404);
  }

  TEST_CASE("a DB-less traditional node proxies declarative_config; entity writes get 405") {
    TempDir dir;
    auto loop = EventLoop::Create();
    REQUIRE_OK(loop.status());
    Upstream upstream(**loop);
    WriteTestFile(dir.File("kong.yml"), "_format_version: \"3.0\"\n"
                                        "services:\n"
                                        "- name: echo\n"
                                        "  url: http://127.0.0.1:" +
                                            std::to_string(upstream.port) +
                                            "\n"
                                            "  routes:\n"
                                            "  - name: echo\n"
                                            "    paths: [\"/d\"]\n");
    LogCapture log;
    TraditionalNode trad(**loop,
                         {{"prefix", dir.File("prefix")},
                          {"database", "off"},
                          {"declarative_config", dir.File("kong.yml")}},
                         log.Sink());
    REQUIRE_OK(trad.node->Start());
    const uint16_t proxy = trad.node->proxy_ports().at(0);
    const uint16_t admin = trad.node->admin_ports().at(0);
    auto hash = [&] { return trad.node->config_hash(); };
    CheckProxied(ProxyUntil(**loop, proxy, "/d/z", 200, hash), "/z");

    http::ClientResponse listed = Send(**loop, admin, "GET", "/services/echo");
    CHECK(listed.status == 200);
    http::ClientResponse refused =
        Send(**loop, admin, "POST", "/services", R"({"name":"x","url":"http://127.0.0.1:9"})");
    CHECK(refused.status == 405);
    CHECK(refused.body ==
          R"({"code":12,"name":"operation unsupported","message":"cannot create 'services' entities when not using a database"})");
    http::ClientResponse patched = Send(**loop, admin, "PATCH", "/routes/echo", R"({"paths":["/e"]})");
    CHECK(patched.status == 405);
    CHECK(patched.body.find("cannot update 'routes' entities") != std::string::npos);
    http::ClientResponse removed = Send(**loop, admin, "DELETE", "/services/echo");
    CHECK(removed.status == 405);
    CHECK(removed.body.find("cannot remove 'services' entities") != std::string::npos);
    http::ClientResponse nested = Send(**loop, admin, "POST", "/services/echo/routes",
                                       R"({"paths":["/n"]})");
    CHECK(nested.status == 405);
    CHECK(nested.body.find("cannot create 'routes' entities") != std::string::npos);
  }

  TEST_CASE("a DB-less node refuses an invalid declarative_config at Start, on one line") {
    TempDir dir;
    auto loop = EventLoop::Create();
    REQUIRE_OK(loop.status());
    WriteTestFile(dir.File("kong.yml"),
                  "_format_version: \"3.0\"\nservices:\n- name: broken\n  port: 99999\n");
    TraditionalNode trad(**loop,
                         {{"prefix", dir.File("prefix")},
                          {"database", "off"},
                          {"declarative_config", dir.File("kong.yml")}},
                         nullptr);
    Status started = trad.node->Start();
    REQUIRE_FALSE(started.ok());
    CHECK(started.code() == StatusCode::kInvalidArgument);
    CHECK(started.message().rfind("declarative_config " + dir.File("kong.yml") + ": ", 0) == 0);
    CHECK(started.message().find('\n') == std::string::npos);
    CHECK(trad.node->proxy_ports().empty());
  }
}

}  // namespace
}  // namespace kong::test
