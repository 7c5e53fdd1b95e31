// prometheus over real sockets: requests through the Gateway, then GET /metrics on a status
// listener (dataplane::StatusApi) rendering the gateway's PrometheusMetrics; the 404 without
// the plugin; a data plane's status listener with and without `prometheus` in `plugins`.
#include <doctest/doctest.h>

#include <string>

#include "dataplane/status_api.h"
#include "plugins/prometheus_metrics.h"
#include "plugins/state.h"
#include "support/test_support.h"
#include "unit/dataplane/data_plane_node.h"
#include "unit/dataplane/fake_control_plane.h"
#include "unit/gateway/gateway_test_util.h"
#include "unit/net/loopback_peer.h"

using kong::gateway::test::Config;
using kong::gateway::test::GatewayFixture;
using kong::gateway::test::Route;
using kong::gateway::test::Service;
using kong::gateway::test::Upstream;
using kong::plugins::PrometheusMetrics;

namespace {

constexpr char kAlice[] = "b0000000-0000-4000-8000-000000000001";

std::string With(std::string base, const std::string& extra) {
  base.pop_back();  // the closing brace
  return base + "," + extra + "}";
}

std::string Plugin(const std::string& id, const std::string& name, const std::string& scope,
                   const std::string& config) {
  return R"({"id":")" + id + R"(","name":")" + name +
         R"(","enabled":true,"protocols":["http","https"])" +
         (scope.empty() ? "" : "," + scope) + R"(,"config":)" + config + "}";
}

constexpr char kAllMetrics[] =
    R"({"status_code_metrics":true,"latency_metrics":true,"bandwidth_metrics":true,)"
    R"("upstream_health_metrics":false,"per_consumer":false})";

// A status listener on the fixture's loop whose /metrics renders the gateway's metrics.
struct MetricsListener {
  std::unique_ptr<kong::dataplane::StatusApi> api;
  uint16_t port = 0;

  MetricsListener(GatewayFixture& fx, bool with_metrics) {
    kong::dataplane::StatusApiOptions o;
    o.listen.push_back(*kong::net::ParseListenSpec("127.0.0.1:0"));
    if (with_metrics) {
      kong::gateway::Gateway* gw = fx.gateway.get();
      o.metrics = [gw] {
        kong::plugins::NodeMetricsInfo node;
        node.node_id = "node-1";
        node.version = "3.10.0";
        return gw->plugin_state().Get<PrometheusMetrics>().Render(node);
      };
    }
    auto started = kong::dataplane::StatusApi::Start(fx.loop, std::move(o));
    REQUIRE_MESSAGE(started.ok(), started.status().ToString());
    api = std::move(started).value();
    port = api->bound_ports().at(0);
  }
  void Close(kong::EventLoop& loop) {
    bool closed = false;
    api->Close([&] { closed = true; });
    CHECK(kong::test::WaitUntil(loop, [&] { return closed; }));
  }
};

kong::http::ClientResponse Scrape(GatewayFixture& fx, uint16_t port) {
  kong::http::ClientRequest r;
  r.target = "/metrics";
  auto resp = fx.Send(std::move(r), port);
  REQUIRE_MESSAGE(resp.ok(), resp.status().ToString());
  return std::move(resp).value();
}

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

// The log phase runs after the client got its answer: scrape until `line` shows up.
std::string ScrapeUntil(GatewayFixture& fx, uint16_t port, const std::string& line) {
  std::string body;
  kong::test::WaitUntil(fx.loop, [&] {
    body = Scrape(fx, port).body;
    return Has(body, line);
  });
  return body;
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("prometheus over sockets: counters, labels and histograms on the status listener") {
    GatewayFixture fx;
    Upstream up(fx.loop, "up");
    fx.Publish(With(
        Config({Service("s1", up.port())},
               {Route("r1", "s1", R"("name":"r1","paths":["/metered"])"),
                Route("r2", "s1", R"("name":"r2","paths":["/plain"])")}),
        R"("plugins":[)" + Plugin("p1", "prometheus", R"("route":{"id":"r1"})", kAllMetrics) +
            "]"));
    MetricsListener status(fx, true);
    for (int i = 0; i < 3; ++i) CHECK(fx.Get("/metered").status == 200);
    up.status = 500;
    {
      kong::http::ClientRequest post;
      post.method = "POST";
      post.target = "/metered";
      post.body = "hello";
      auto resp = fx.Send(std::move(post));
      REQUIRE(resp.ok());
      CHECK(resp->status == 500);
    }
    CHECK(fx.Get("/plain").status == 500);  // not on the plugin's route: not counted

    const std::string ok = "kong_http_requests_total{service=\"s1\",route=\"r1\",code=\"200\","
                           "source=\"service\",workspace=\"default\",consumer=\"\"} 3";
    const std::string failed = "kong_http_requests_total{service=\"s1\",route=\"r1\",code=\"500\","
                               "source=\"service\",workspace=\"default\",consumer=\"\"} 1";
    ScrapeUntil(fx, status.port, failed);
    auto resp = Scrape(fx, status.port);
    CHECK(resp.status == 200);
    CHECK(resp.headers.Get("Content-Type").value_or("") == "text/plain; charset=UTF-8");
    const std::string& text = resp.body;
    CHECK(Has(text, "# TYPE kong_http_requests_total counter"));
    CHECK(Has(text, ok));
    CHECK(Has(text, failed));
    CHECK(text.find("route=\"r2\"") == std::string::npos);
    const std::string labels = "service=\"s1\",route=\"r1\",workspace=\"default\"";
    CHECK(Has(text, "# TYPE kong_request_latency_ms histogram"));
    CHECK(Has(text, "kong_request_latency_ms_bucket{" + labels + ",le=\"+Inf\"} 4"));
    CHECK(Has(text, "kong_request_latency_ms_count{" + labels + "} 4"));
    CHECK(Has(text, "kong_upstream_latency_ms_count{" + labels + "} 4"));
    CHECK(Has(text, "kong_kong_latency_ms_bucket{" + labels + ",le=\"6000\"} 4"));
    CHECK(Has(text, "kong_kong_latency_ms_count{" + labels + "} 4"));
    // Bandwidth in both directions: at least the POST's 5 body bytes in, the answers out.
    for (std::string direction : {"ingress", "egress"}) {
      const std::string series = "kong_bandwidth_bytes{service=\"s1\",route=\"r1\",direction=\"" +
                                 direction + "\",workspace=\"default\",consumer=\"\"} ";
      size_t at = text.find(series);
      INFO(text);
      REQUIRE(at != std::string::npos);
      CHECK(std::stoll(text.substr(at + series.size())) >= 5);
    }
    CHECK(Has(text, "kong_datastore_reachable 1"));
    CHECK(Has(text, "kong_node_info{node_id=\"node-1\",version=\"3.10.0\"} 1"));
    status.Close(fx.loop);
    up.Close(fx.loop);
  }

  TEST_CASE("prometheus over sockets: per_consumer labels the key-auth consumer") {
    GatewayFixture fx;
    Upstream up(fx.loop, "up");
    const std::string alice(kAlice);
    fx.Publish(With(
        Config({Service("s1", up.port())}, {Route("r1", "s1", R"("name":"r1","paths":["/"])")}),
        R"("consumers":[{"id":")" + alice + R"(","username":"alice"}],)"
        R"("keyauth_credentials":[{"id":"k1","key":"alice-key","consumer":{"id":")" + alice +
            R"("}}],"plugins":[)" +
            Plugin("p1", "key-auth", R"("route":{"id":"r1"})", "{}") + "," +
            Plugin("p2", "prometheus", "",
                   R"({"status_code_metrics":true,"per_consumer":true})") +
            "]"));
    MetricsListener status(fx, true);
    kong::http::HeaderMap key;
    key.Add("apikey", "alice-key");
    CHECK(fx.Get("/x", "example.com", key).status == 200);
    CHECK(fx.Get("/x").status == 401);
    const std::string text = ScrapeUntil(
        fx, status.port,
        "kong_http_requests_total{service=\"s1\",route=\"r1\",code=\"401\",source=\"kong\","
        "workspace=\"default\",consumer=\"\"} 1");
    CHECK(Has(text, "kong_http_requests_total{service=\"s1\",route=\"r1\",code=\"200\","
                    "source=\"service\",workspace=\"default\",consumer=\"alice\"} 1"));
    status.Close(fx.loop);
    up.Close(fx.loop);
  }

  TEST_CASE("prometheus over sockets: /metrics is a 404 when the plugin is not loaded") {
    GatewayFixture fx;
    MetricsListener status(fx, false);
    auto resp = Scrape(fx, status.port);
    CHECK(resp.status == 404);
    CHECK(resp.body == R"({"message":"Not found"})");
    status.Close(fx.loop);
  }

  TEST_CASE("prometheus: a data plane serves /metrics only with prometheus in `plugins`") {
    auto loop = kong::EventLoop::Create();
    REQUIRE(loop.ok());
    kong::EventLoop& l = **loop;
    kong::test::TempDir dir;
    const uint16_t closed_port = kong::test::ClosedPort(l);
    const std::string cp = "127.0.0.1:" + std::to_string(closed_port);
    {
      auto conf = kong::test::DpConf(dir, cp);
      REQUIRE_OK(conf.status());
      kong::test::Node n;
      n.Start(l, std::move(conf).value());
      auto [status, body] = kong::test::Get(l, n.dp->status_ports()[0], "/metrics");
      CHECK(status == 200);
      CHECK(Has(body, "kong_datastore_reachable 1"));
      CHECK(Has(body, "kong_node_info{node_id=\"" + n.dp->node_id() + "\",version=\"3.10.0\"} 1"));
      CHECK(body.find("kong_http_requests_total") == std::string::npos);  // no plugin configured
      n.Stop(l);
    }
    {
      auto conf = kong::test::DpConf(dir, cp, {{"plugins", "key-auth"}});
      REQUIRE_OK(conf.status());
      kong::test::Node n;
      n.Start(l, std::move(conf).value());
      CHECK(kong::test::Get(l, n.dp->status_ports()[0], "/metrics").first == 404);
      n.Stop(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
