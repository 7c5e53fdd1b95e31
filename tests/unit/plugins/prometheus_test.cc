// prometheus: the plugin's log phase into PrometheusMetrics and Kong 3.10's exposition text
// (names, HELP/TYPE, labels, cumulative buckets), driven through a PluginContext.
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "json/value.h"
#include "plugins/consumers.h"
#include "plugins/factory.h"
#include "plugins/prometheus_metrics.h"
#include "plugins/state.h"
#include "support/test_support.h"

using kong::plugins::LogRecord;
using kong::plugins::NodeMetricsInfo;
using kong::plugins::Plugin;
using kong::plugins::PluginContext;
using kong::plugins::PluginEnv;
using kong::plugins::PluginSpec;
using kong::plugins::PrometheusMetrics;
using kong::plugins::RequestSample;
using kong::plugins::ResponseHead;
using kong::plugins::SharedState;

namespace {

kong::json::Value Json(std::string_view text) {
  auto v = kong::json::Parse(text);
  REQUIRE(v.ok());
  return *v;
}

std::unique_ptr<Plugin> Make(SharedState& shared, std::string_view config) {
  kong::json::Value conf = Json(config);
  PluginSpec spec;
  spec.id = "p1";
  spec.name = "prometheus";
  spec.config = &conf;
  PluginEnv env;
  env.shared = &shared;
  auto plugin = kong::plugins::PrometheusDescriptor().create(std::move(spec), env);
  REQUIRE(plugin.ok());
  return std::move(plugin).value();
}

// One request through the plugin's header_filter and log phases.
struct Request {
  kong::json::Value service = Json(R"({"id": "s1", "name": "svc", "host": "up.example"})");
  kong::router::RouteInfo route;
  kong::router::RouteMatch match;
  kong::http::Request http;
  std::shared_ptr<const kong::plugins::ConsumerIndex> consumers;

  Request() {
    route.id = "r1";
    route.name = "rt";
    route.service = &service;
    match.route = &route;
    consumers = kong::plugins::ConsumerIndex::Empty();
  }

  void Run(const Plugin& plugin, SharedState& shared, const LogRecord& record,
           bool from_upstream, const kong::plugins::Consumer* consumer = nullptr) {
    auto loop = kong::EventLoop::Create();
    REQUIRE(loop.ok());
    kong::plugins::WorkerState worker(**loop);
    PluginContext ctx(http, *consumers, worker, shared);
    ctx.match = &match;
    ctx.route_id = route.id;
    ctx.ResizeStates(1);
    ctx.current_slot = 0;
    if (consumer != nullptr) ctx.Authenticate(consumer, nullptr, false);
    kong::http::HeaderMap headers;
    ResponseHead head{record.status, &headers, from_upstream};
    if (plugin.phases() & kong::plugins::kHeaderFilterPhase) plugin.HeaderFilter(ctx, head);
    if (plugin.phases() & kong::plugins::kLogPhase) plugin.Log(ctx, record);
  }
};

LogRecord Record(int status, int64_t total, int64_t upstream, int64_t proxy) {
  LogRecord r;
  r.status = status;
  r.request_time_ms = total;
  r.upstream_latency_ms = upstream;
  r.proxy_latency_ms = proxy;
  r.request_bytes = 100;
  r.response_bytes = 250;
  return r;
}

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

NodeMetricsInfo Node() {
  NodeMetricsInfo node;
  node.node_id = "n1";
  node.version = "3.10.0";
  return node;
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("prometheus: the descriptor is Kong's (priority 13)") {
    auto d = kong::plugins::PrometheusDescriptor();
    CHECK(d.name == "prometheus");
    CHECK(d.priority == 13);
  }

  TEST_CASE("prometheus: default config records nothing per request, node metrics remain") {
    SharedState shared;
    auto plugin = Make(shared, "{}");
    CHECK(plugin->phases() == 0);
    std::string text = shared.Get<PrometheusMetrics>().Render(Node());
    CHECK(text.find("kong_http_requests_total") == std::string::npos);
    CHECK(Has(text, "# HELP kong_datastore_reachable Datastore reachable from Kong, 0 is "
                    "unreachable"));
    CHECK(Has(text, "# TYPE kong_datastore_reachable gauge"));
    CHECK(Has(text, "kong_datastore_reachable 1"));
    CHECK(Has(text, "kong_node_info{node_id=\"n1\",version=\"3.10.0\"} 1"));
    CHECK(Has(text, "# TYPE kong_nginx_metric_errors_total counter"));
    CHECK(Has(text, "kong_nginx_metric_errors_total 0"));
  }

  TEST_CASE("prometheus: status codes, source and labels") {
    SharedState shared;
    auto plugin = Make(shared, R"({"status_code_metrics": true})");
    Request req;
    req.Run(*plugin, shared, Record(200, 5, 3, 2), true);
    req.Run(*plugin, shared, Record(200, 5, 3, 2), true);
    req.Run(*plugin, shared, Record(401, 1, -1, -1), false);
    // A route without a name is labelled by its id; a service without a name by its host.
    Request unnamed;
    unnamed.route.name = "";
    unnamed.service = Json(R"({"id": "s2", "host": "up.example"})");
    unnamed.Run(*plugin, shared, Record(503, 1, -1, -1), false);
    std::string text = shared.Get<PrometheusMetrics>().Render(Node());
    CHECK(Has(text, "# HELP kong_http_requests_total HTTP status codes per "
                    "consumer/service/route in Kong"));
    CHECK(Has(text, "# TYPE kong_http_requests_total counter"));
    CHECK(Has(text, "kong_http_requests_total{service=\"svc\",route=\"rt\",code=\"200\","
                    "source=\"service\",workspace=\"default\",consumer=\"\"} 2"));
    CHECK(Has(text, "kong_http_requests_total{service=\"svc\",route=\"rt\",code=\"401\","
                    "source=\"kong\",workspace=\"default\",consumer=\"\"} 1"));
    CHECK(Has(text, "kong_http_requests_total{service=\"up.example\",route=\"r1\",code=\"503\","
                    "source=\"kong\",workspace=\"default\",consumer=\"\"} 1"));
    // Only what the config enables.
    CHECK(text.find("kong_bandwidth_bytes") == std::string::npos);
    CHECK(text.find("kong_kong_latency_ms") == std::string::npos);
  }

  TEST_CASE("prometheus: per_consumer labels the consumer's username") {
    SharedState shared;
    auto with = Make(shared, R"({"status_code_metrics": true, "per_consumer": true,
                                 "bandwidth_metrics": true})");
    kong::plugins::Consumer alice{"c1", std::string("alice"), std::nullopt, {}};
    Request req;
    req.Run(*with, shared, Record(200, 5, 3, 2), true, &alice);
    std::string text = shared.Get<PrometheusMetrics>().Render(Node());
    CHECK(Has(text, "kong_http_requests_total{service=\"svc\",route=\"rt\",code=\"200\","
                    "source=\"service\",workspace=\"default\",consumer=\"alice\"} 1"));
    CHECK(Has(text, "# TYPE kong_bandwidth_bytes counter"));
    CHECK(Has(text, "kong_bandwidth_bytes{service=\"svc\",route=\"rt\",direction=\"egress\","
                    "workspace=\"default\",consumer=\"alice\"} 250"));
    CHECK(Has(text, "kong_bandwidth_bytes{service=\"svc\",route=\"rt\",direction=\"ingress\","
                    "workspace=\"default\",consumer=\"alice\"} 100"));
    // Without per_consumer the same request is not split by consumer.
    SharedState other;
    auto without = Make(other, R"({"status_code_metrics": true})");
    req.Run(*without, other, Record(200, 5, 3, 2), true, &alice);
    text = other.Get<PrometheusMetrics>().Render(Node());
    CHECK(Has(text, "kong_http_requests_total{service=\"svc\",route=\"rt\",code=\"200\","
                    "source=\"service\",workspace=\"default\",consumer=\"\"} 1"));
  }

  TEST_CASE("prometheus: latency histograms with Kong's buckets, cumulative, count and sum") {
    SharedState shared;
    auto plugin = Make(shared, R"({"latency_metrics": true})");
    Request req;
    req.Run(*plugin, shared, Record(200, 30, 26, 4), true);
    req.Run(*plugin, shared, Record(200, 120, 100, 20), true);
    std::string text = shared.Get<PrometheusMetrics>().Render(Node());
    const std::string labels = "service=\"svc\",route=\"rt\",workspace=\"default\"";
    CHECK(Has(text, "# HELP kong_kong_latency_ms Latency added by Kong and enabled plugins for "
                    "each service/route in Kong"));
    CHECK(Has(text, "# TYPE kong_kong_latency_ms histogram"));
    CHECK(Has(text, "kong_kong_latency_ms_bucket{" + labels + ",le=\"2\"} 0"));
    CHECK(Has(text, "kong_kong_latency_ms_bucket{" + labels + ",le=\"5\"} 1"));
    CHECK(Has(text, "kong_kong_latency_ms_bucket{" + labels + ",le=\"15\"} 1"));
    CHECK(Has(text, "kong_kong_latency_ms_bucket{" + labels + ",le=\"20\"} 2"));
    CHECK(Has(text, "kong_kong_latency_ms_bucket{" + labels + ",le=\"6000\"} 2"));
    CHECK(Has(text, "kong_kong_latency_ms_bucket{" + labels + ",le=\"+Inf\"} 2"));
    CHECK(Has(text, "kong_kong_latency_ms_count{" + labels + "} 2"));
    CHECK(Has(text, "kong_kong_latency_ms_sum{" + labels + "} 24"));
    CHECK(Has(text, "# TYPE kong_upstream_latency_ms histogram"));
    CHECK(Has(text, "kong_upstream_latency_ms_bucket{" + labels + ",le=\"25\"} 0"));
    CHECK(Has(text, "kong_upstream_latency_ms_bucket{" + labels + ",le=\"50\"} 1"));
    CHECK(Has(text, "kong_upstream_latency_ms_bucket{" + labels + ",le=\"100\"} 2"));
    CHECK(Has(text, "kong_upstream_latency_ms_sum{" + labels + "} 126"));
    CHECK(Has(text, "# TYPE kong_request_latency_ms histogram"));
    CHECK(Has(text, "kong_request_latency_ms_bucket{" + labels + ",le=\"80\"} 1"));
    CHECK(Has(text, "kong_request_latency_ms_bucket{" + labels + ",le=\"250\"} 2"));
    CHECK(Has(text, "kong_request_latency_ms_count{" + labels + "} 2"));
    CHECK(Has(text, "kong_request_latency_ms_sum{" + labels + "} 150"));
    // Buckets appear in increasing order, then _count, then _sum.
    const size_t b1 = text.find("kong_kong_latency_ms_bucket{" + labels + ",le=\"1\"}");
    const size_t b2 = text.find("kong_kong_latency_ms_bucket{" + labels + ",le=\"10\"}");
    const size_t inf = text.find("kong_kong_latency_ms_bucket{" + labels + ",le=\"+Inf\"}");
    const size_t count = text.find("kong_kong_latency_ms_count{");
    const size_t sum = text.find("kong_kong_latency_ms_sum{");
    CHECK(b1 < b2);
    CHECK(b2 < inf);
    CHECK(inf < count);
    CHECK(count < sum);
    // A response Kong produced (no upstream) has no upstream latency; its kong latency is the
    // time until the response.
    SharedState exits;
    auto p2 = Make(exits, R"({"latency_metrics": true})");
    req.Run(*p2, exits, Record(401, 3, -1, -1), false);
    text = exits.Get<PrometheusMetrics>().Render(Node());
    CHECK(text.find("kong_upstream_latency_ms") == std::string::npos);
    CHECK(Has(text, "kong_kong_latency_ms_sum{" + labels + "} 3"));
  }

  TEST_CASE("prometheus: per-request series only while a prometheus plugin is configured") {
    SharedState shared;
    {
      auto plugin = Make(shared, R"({"status_code_metrics": true})");
      Request req;
      req.Run(*plugin, shared, Record(200, 1, 1, 0), true);
      CHECK(shared.Get<PrometheusMetrics>().Render(Node()).find("kong_http_requests_total{") !=
            std::string::npos);
    }
    std::string text = shared.Get<PrometheusMetrics>().Render(Node());
    CHECK(text.find("kong_http_requests_total") == std::string::npos);
    CHECK(Has(text, "kong_datastore_reachable 1"));
    // A later snapshot's plugin sees the counts kept across snapshots.
    auto again = Make(shared, R"({"status_code_metrics": true})");
    CHECK(Has(shared.Get<PrometheusMetrics>().Render(Node()),
              "kong_http_requests_total{service=\"svc\",route=\"rt\",code=\"200\","
              "source=\"service\",workspace=\"default\",consumer=\"\"} 1"));
  }

  TEST_CASE("prometheus: upstream target health only with upstream_health_metrics") {
    SharedState shared;
    NodeMetricsInfo node = Node();
    node.upstream_health = Json(R"({"up1": {"total": 2, "data": [
        {"target": "10.0.0.1:80", "health": "HEALTHY"},
        {"target": "10.0.0.2:80", "health": "UNHEALTHY"}]}})");
    auto off = Make(shared, "{}");
    CHECK(shared.Get<PrometheusMetrics>().Render(node).find("kong_upstream_target_health") ==
          std::string::npos);
    auto on = Make(shared, R"({"upstream_health_metrics": true})");
    std::string text = shared.Get<PrometheusMetrics>().Render(node);
    CHECK(Has(text, "# TYPE kong_upstream_target_health gauge"));
    const std::string t1 = "kong_upstream_target_health{upstream=\"up1\",target=\"10.0.0.1:80\","
                           "address=\"10.0.0.1:80\",state=\"";
    CHECK(Has(text, t1 + "healthy\",subsystem=\"http\"} 1"));
    CHECK(Has(text, t1 + "unhealthy\",subsystem=\"http\"} 0"));
    CHECK(Has(text, t1 + "healthchecks_off\",subsystem=\"http\"} 0"));
    CHECK(Has(text, t1 + "dns_error\",subsystem=\"http\"} 0"));
    CHECK(Has(text, "kong_upstream_target_health{upstream=\"up1\",target=\"10.0.0.2:80\","
                    "address=\"10.0.0.2:80\",state=\"unhealthy\",subsystem=\"http\"} 1"));
  }

  TEST_CASE("prometheus: label values are escaped, connections reported when counted") {
    PrometheusMetrics metrics;
    metrics.AddInstance(false);
    RequestSample s;
    s.service = "a\"b\\c\nd";
    s.route = "r";
    s.status = 200;
    metrics.Record(s);
    NodeMetricsInfo node = Node();
    node.connections = NodeMetricsInfo::Connections{5, 5, 2, 0, 1, 1, 9};
    std::string text = metrics.Render(node);
    CHECK(Has(text, "kong_http_requests_total{service=\"a\\\"b\\\\c\\nd\",route=\"r\","
                    "code=\"200\",source=\"kong\",workspace=\"default\",consumer=\"\"} 1"));
    CHECK(Has(text, "kong_nginx_connections_total{node_id=\"n1\",subsystem=\"http\","
                    "state=\"active\"} 2"));
    CHECK(Has(text, "kong_nginx_requests_total{node_id=\"n1\",subsystem=\"http\"} 9"));
    metrics.RemoveInstance(false);
  }

  TEST_CASE("prometheus: counts recorded from several threads merge at scrape time") {
    PrometheusMetrics metrics;
    metrics.AddInstance(false);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&metrics] {
        RequestSample s;
        s.service = "svc";
        s.route = "rt";
        s.status = 200;
        s.from_service = true;
        for (int i = 0; i < 1000; ++i) metrics.Record(s);
      });
    }
    for (auto& t : threads) t.join();
    CHECK(Has(metrics.Render(Node()),
              "kong_http_requests_total{service=\"svc\",route=\"rt\",code=\"200\","
              "source=\"service\",workspace=\"default\",consumer=\"\"} 4000"));
    metrics.RemoveInstance(false);
  }
}
