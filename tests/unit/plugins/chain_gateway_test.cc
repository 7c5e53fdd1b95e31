// The plugin runtime inside the gateway, over real sockets, with the test-only plugins of
// test_plugins.h: scoping, exits and their negotiation, async resume (and aborts while
// suspended), Kong's 404 through the global plugins, body limits, body reads and body filters.
#include <doctest/doctest.h>

#include "unit/gateway/gateway_test_util.h"
#include "unit/plugins/test_plugins.h"

using kong::gateway::test::Config;
using kong::gateway::test::GatewayFixture;
using kong::gateway::test::Route;
using kong::gateway::test::Service;
using kong::gateway::test::Upstream;
using kong::plugins::test::LogBook;
using kong::plugins::test::PluginRow;
using kong::plugins::test::TestFactories;
using kong::test::WaitUntil;

namespace {

// One service (the upstream) and routes /1 (r1), /2 (r2); `plugins` rows; consumer alice.
std::string WithPlugins(uint16_t upstream_port, const std::vector<std::string>& plugins) {
  std::string config = Config({Service("s1", upstream_port)},
                              {Route("r1", "s1", R"("paths":["/1"])"),
                               Route("r2", "s1", R"("paths":["/2"])")});
  std::string rows = "[";
  for (size_t i = 0; i < plugins.size(); ++i) rows += (i ? "," : "") + plugins[i];
  rows += "]";
  config.pop_back();  // the closing brace
  return config + R"(,"consumers":[{"id":"alice","username":"alice"}],"plugins":)" + rows + "}";
}

struct PluginFixture {
  LogBook book;
  GatewayFixture fx{1, [this](kong::gateway::GatewayOptions& o) {
                      o.plugin_factories = TestFactories(&book);
                    }};
  Upstream upstream{fx.loop, "backend"};
  ~PluginFixture() { upstream.Close(fx.loop); }

  void Publish(const std::vector<std::string>& plugins) {
    fx.Publish(WithPlugins(upstream.port(), plugins));
  }
  kong::http::ClientResponse Post(const std::string& target, std::string body) {
    kong::http::ClientRequest r;
    r.method = "POST";
    r.target = target;
    r.body = std::move(body);
    auto resp = fx.Send(std::move(r));
    REQUIRE_MESSAGE(resp.ok(), resp.status().ToString());
    return std::move(resp).value();
  }
};

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("gateway plugins: scoped configurations, consumer after auth, response headers") {
    PluginFixture p;
    p.Publish({PluginRow("g", "tag-a", R"({"tag":"global"})"),
               PluginRow("r", "tag-a", R"({"tag":"route"})", "r1"),
               PluginRow("c", "tag-b", R"({"tag":"alice"})", "", "", "alice"),
               PluginRow("auth", "auth", "{}")});
    auto r = p.fx.Get("/1");
    CHECK(r.status == 200);
    CHECK(r.headers.Get("X-Seen-a").value_or("") == "route");
    r = p.fx.Get("/2", "example.com", [] {
      kong::http::HeaderMap h;
      h.Add("X-User", "alice");
      return h;
    }());
    CHECK(r.status == 200);
    CHECK(r.headers.Get("X-Seen-a").value_or("") == "global");
    CHECK(r.headers.Get("X-Seen-b").value_or("") == "alice");
    REQUIRE(p.upstream.seen.size() == 2);
    CHECK(p.upstream.seen[0].headers.Get("X-Tag-a").value_or("") == "route");
    CHECK(!p.upstream.seen[0].headers.Has("X-Tag-b"));
    CHECK(p.upstream.seen[1].headers.Get("X-Tag-a").value_or("") == "global");
    CHECK(p.upstream.seen[1].headers.Get("X-Tag-b").value_or("") == "alice");
    CHECK(p.upstream.seen[1].headers.Get("X-Consumer-ID").value_or("") == "alice");
    CHECK(p.upstream.seen[1].headers.Get("X-Consumer-Username").value_or("") == "alice");
    CHECK(WaitUntil(p.fx.loop, [&] { return p.book.Lines().size() >= 3; }));
  }

  TEST_CASE("gateway plugins: Exit answers Kong's negotiated error with request_id and headers") {
    PluginFixture p;
    p.Publish({PluginRow("x", "exiter", R"({"status":403,"message":"go away"})", "r1"),
               PluginRow("raw", "exiter", R"({"status":200,"message":"","raw":"yes"})", "r2"),
               PluginRow("g", "tag-a", R"({"tag":"global"})")});
    auto r = p.fx.Get("/1");
    CHECK(r.status == 403);
    CHECK(r.headers.Get("X-Exit").value_or("") == "yes");
    CHECK(r.headers.Get("Content-Type").value_or("").find("application/json") == 0);
    CHECK(r.body.find(R"("message":"go away")") != std::string::npos);
    CHECK(r.body.find(R"("request_id":")") != std::string::npos);
    CHECK(r.headers.Get("X-Seen-a").value_or("") == "global");  // header_filter ran
    kong::http::HeaderMap html;
    html.Add("Accept", "text/html");
    r = p.fx.Get("/1", "example.com", html);
    CHECK(r.status == 403);
    CHECK(r.headers.Get("Content-Type").value_or("").find("text/html") == 0);
    CHECK(r.body.find("go away") != std::string::npos);
    r = p.fx.Get("/2");
    CHECK(r.status == 200);
    CHECK(r.body.empty());
    CHECK(r.headers.Get("X-Exit").value_or("") == "yes");
    CHECK(p.upstream.seen.empty());
  }

  TEST_CASE("gateway plugins: a suspended chain resumes; an abort while suspended is harmless") {
    PluginFixture p;
    p.Publish({PluginRow("w", "waiter", R"({"ms":20})", "r1"),
               PluginRow("d", "waiter", R"({"ms":1500,"detach":"yes"})", "r2"),  // long: the
               // test must reset its fetch before the answer, even on a slow ASan run
               PluginRow("g", "tag-a", R"({"tag":"global"})"),       // 900: before the waiter
               PluginRow("g2", "tag-b", R"({"tag":"after"})")});     // 800: after it
    auto r = p.fx.Get("/1");
    CHECK(r.status == 200);
    REQUIRE(p.upstream.seen.size() == 1);
    CHECK(p.upstream.seen[0].headers.Get("X-Waited").value_or("") == "20");
    CHECK(p.upstream.seen[0].headers.Get("X-Tag-a").value_or("") == "global");
    CHECK(p.upstream.seen[0].headers.Get("X-Tag-b").value_or("") == "after");
    CHECK(r.headers.Get("X-Seen-b").value_or("") == "after");

    // Abort during the wait: the client goes away while the chain is suspended. The request
    // either ends (log 499, when the server notices the close) or finishes on resume; either
    // way the worker's timer fires later and the gateway keeps serving (ASan: no use after
    // free through the resume function).
    int started = kong::plugins::test::g_wait_started.load();
    kong::http::ClientRequest req;
    req.target = "/2";
    req.headers.Add("Host", "example.com");
    bool answered = false;
    auto fetch = kong::http::Fetch::Start(p.fx.loop, "127.0.0.1", p.fx.port, std::move(req), {},
                                          [&](auto) { answered = true; });
    REQUIRE(WaitUntil(p.fx.loop,
                      [&] { return kong::plugins::test::g_wait_started.load() > started; }));
    fetch.reset();
    CHECK(WaitUntil(p.fx.loop, [&] {
      for (const std::string& line : p.book.Lines()) {
        if (line == "global 499") return true;
      }
      return p.upstream.seen.size() == 2;
    }));
    CHECK(!answered);
    r = p.fx.Get("/1");
    CHECK(r.status == 200);
  }

  TEST_CASE("gateway plugins: Kong's 404 passes through the global plugins' header_filter and log") {
    PluginFixture p;
    p.Publish({PluginRow("g", "tag-a", R"({"tag":"global"})"),
               PluginRow("r", "tag-b", R"({"tag":"route"})", "r1")});
    auto r = p.fx.Get("/nothing");
    CHECK(r.status == 404);
    CHECK(r.headers.Get("X-Seen-a").value_or("") == "global");
    CHECK(!r.headers.Has("X-Seen-b"));
    CHECK(WaitUntil(p.fx.loop, [&] {
      auto lines = p.book.Lines();
      return std::find(lines.begin(), lines.end(), "global 404") != lines.end();
    }));
  }

  TEST_CASE("gateway plugins: request_body_limit answers 413 before the body goes upstream") {
    PluginFixture p;
    p.Publish({PluginRow("l", "limiter", R"({"limit":10})", "r1")});
    auto r = p.Post("/1", std::string(100, 'x'));
    CHECK(r.status == 413);
    CHECK(r.body.find("Request size limit exceeded") != std::string::npos);
    CHECK(p.upstream.seen.empty());
    r = p.Post("/1", "small");
    CHECK(r.status == 200);
    REQUIRE(p.upstream.seen.size() == 1);
    CHECK(p.upstream.seen[0].body == "small");
  }

  TEST_CASE("gateway plugins: read_body buffers the body and upstream_body replaces it") {
    PluginFixture p;
    p.Publish({PluginRow("rd", "reader", R"({"limit":1000})", "r1"),
               PluginRow("rd2", "reader", R"({"limit":3})", "r2")});
    auto r = p.Post("/1", "hello");
    CHECK(r.status == 200);
    REQUIRE(p.upstream.seen.size() == 1);
    CHECK(p.upstream.seen[0].body == "[hello]");
    CHECK(p.upstream.seen[0].headers.Get("Content-Length").value_or("") == "7");
    r = p.Post("/2", "too long");
    CHECK(r.status == 413);
    CHECK(p.upstream.seen.size() == 1);
  }

  TEST_CASE("gateway plugins: a body filter that changes the length streams chunked") {
    PluginFixture p;
    p.Publish({PluginRow("s", "shouter", "{}", "r1")});
    auto r = p.fx.Get("/1");
    CHECK(r.status == 200);
    CHECK(r.body == "BACKEND!");
    CHECK(!r.headers.Has("Content-Length"));
    CHECK(r.headers.Get("Transfer-Encoding").value_or("") == "chunked");
    r = p.fx.Get("/2");  // no filter on r2: untouched, with its length
    CHECK(r.body == "backend");
    CHECK(r.headers.Get("Content-Length").value_or("") == "7");
  }
}
