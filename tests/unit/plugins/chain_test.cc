// PluginSet and ChainRunner without sockets: §6.1 scoping, §6.2 order, enabled, protocols,
// lazy consumer collection and build errors.
#include <doctest/doctest.h>

#include "kong/event_loop.h"
#include "plugins/chain.h"
#include "support/test_support.h"
#include "unit/plugins/test_plugins.h"

using namespace kong::plugins;         // NOLINT
using namespace kong::plugins::test;   // NOLINT

namespace {

// Routes r1 (service s1), r2 (s2), r3 (s3), r4 (s1); consumers alice and bob.
std::string Flat(const std::vector<std::string>& plugins) {
  std::string p = "[";
  for (size_t i = 0; i < plugins.size(); ++i) p += (i ? "," : "") + plugins[i];
  p += "]";
  return R"({"services":[{"id":"s1","host":"a"},{"id":"s2","host":"b"},{"id":"s3","host":"c"}],
    "routes":[{"id":"r1","service":{"id":"s1"},"paths":["/1"]},
              {"id":"r2","service":{"id":"s2"},"paths":["/2"]},
              {"id":"r3","service":"s3","paths":["/3"]},
              {"id":"r4","service":{"id":"s1"},"paths":["/4"]}],
    "consumers":[{"id":"alice","username":"alice"},{"id":"bob","username":"bob"}],
    "plugins":)" + p + "}";
}

struct Harness {
  std::unique_ptr<kong::EventLoop> loop = std::move(kong::EventLoop::Create()).value();
  WorkerState worker{*loop};
  SharedState shared;
  std::shared_ptr<const ConsumerIndex> consumers;
  std::shared_ptr<const PluginSet> set;

  kong::Status Build(const std::vector<std::string>& plugins) {
    auto flat = kong::json::Parse(Flat(plugins));
    REQUIRE(flat.ok());
    auto c = ConsumerIndex::Build(*flat);
    REQUIRE(c.ok());
    consumers = *c;
    auto factories = TestFactories();
    PluginEnv env{&shared};
    auto s = PluginSet::Build(*flat, *factories, env, *consumers);
    if (!s.ok()) return s.status();
    set = *s;
    return kong::Status::Ok();
  }

  // Runs access for the route at `route_index` as `user` ("": nobody); returns the upstream
  // request headers (what the tag plugins added, in order).
  kong::http::HeaderMap Run(size_t route_index, const std::string& user = "", bool https = false,
                            Flow expected = Flow::kContinue) {
    kong::http::Request request;
    if (!user.empty()) request.headers.Add("X-User", user);
    PluginContext ctx(request, *consumers, worker, shared);
    ctx.ResizeStates(set->slot_count());
    ChainRunner runner(ctx, https);
    CHECK(runner.Access(set->route_chain(route_index)) == expected);
    return request.headers;
  }
};

std::string Tag(const kong::http::HeaderMap& h, const char* which = "a") {
  return std::string(h.Get(std::string("X-Tag-") + which).value_or("-"));
}

std::string TagOrder(const kong::http::HeaderMap& h) {
  std::string out;
  for (const auto& [name, value] : h) {
    if (name.rfind("X-Tag-", 0) == 0) out += name.substr(6);
  }
  return out;
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("chain: the most specific configuration wins (kong-entities.md 6.1)") {
    Harness h;
    CHECK_OK(h.Build({
        PluginRow("p8", "tag-a", R"({"tag":"global"})"),
        PluginRow("p7", "tag-a", R"({"tag":"service"})", "", "s1"),
        PluginRow("p6", "tag-a", R"({"tag":"route"})", "r1"),
        PluginRow("p5", "tag-a", R"({"tag":"consumer"})", "", "", "bob"),
        PluginRow("p4", "tag-a", R"({"tag":"route+service"})", "r2", "s2"),
        PluginRow("p3", "tag-a", R"({"tag":"service+consumer"})", "", "s2", "alice"),
        PluginRow("p2", "tag-a", R"({"tag":"route+consumer"})", "r1", "", "alice"),
        PluginRow("p1", "tag-a", R"({"tag":"route+service+consumer"})", "r2", "s2", "bob"),
        // Route r1 with another service than its own: never applies (it would win over p6).
        PluginRow("p9", "tag-a", R"({"tag":"mismatch"})", "r1", "s2"),
        // Disabled: ignored (it would win everywhere on r3).
        PluginRow("p10", "tag-a", R"({"tag":"disabled"})", "r3", "", "", R"("enabled":false)"),
        PluginRow("p0", "auth", "{}"),
    }));
    CHECK(Tag(h.Run(1, "bob")) == "route+service+consumer");  // 1
    CHECK(Tag(h.Run(0, "alice")) == "route+consumer");        // 2 beats route
    CHECK(Tag(h.Run(1, "alice")) == "service+consumer");      // 3 beats route+service
    CHECK(Tag(h.Run(1)) == "route+service");                  // 4 beats global
    CHECK(Tag(h.Run(0, "bob")) == "consumer");                // 5 beats route
    CHECK(Tag(h.Run(2, "bob")) == "consumer");                // 5 beats global
    CHECK(Tag(h.Run(0)) == "route");                          // 6 beats service
    CHECK(Tag(h.Run(3)) == "service");                        // 7 beats global
    CHECK(Tag(h.Run(3, "alice")) == "service");               // alice has nothing on s1
    CHECK(Tag(h.Run(2)) == "global");                         // 8
    CHECK(Tag(h.Run(2, "alice")) == "global");
    // Only one configuration of a name runs.
    CHECK(h.Run(1, "bob").GetAll("X-Tag-a").size() == 1);
    // A route the set has nothing special for, and the global chain.
    CHECK(Tag(h.Run(99)) == "global");
  }

  TEST_CASE("chain: consumer-scoped configurations apply only after the authenticating plugin") {
    Harness h;
    CHECK_OK(h.Build({
        PluginRow("z-global", "tag-z", R"({"tag":"z-global"})"),
        PluginRow("z-alice", "tag-z", R"({"tag":"z-alice"})", "", "", "alice"),
        PluginRow("b-alice", "tag-b", R"({"tag":"b-alice"})", "", "", "alice"),
        PluginRow("auth", "auth", "{}"),
    }));
    auto headers = h.Run(0, "alice");
    CHECK(Tag(headers, "z") == "z-global");  // tag-z (2000) runs before auth (1000)
    CHECK(Tag(headers, "b") == "b-alice");   // tag-b (800) after it
    CHECK(Tag(h.Run(0, "bob"), "b") == "-");
    CHECK(Tag(h.Run(0), "b") == "-");
  }

  TEST_CASE("chain: descending priority, equal priorities by name descending") {
    Harness h;
    CHECK_OK(h.Build({
        PluginRow("1", "tag-m", R"({"tag":"m"})"),
        PluginRow("2", "tag-b", R"({"tag":"b"})"),
        PluginRow("3", "tag-z", R"({"tag":"z"})", "r1"),
        PluginRow("4", "tag-n", R"({"tag":"n"})"),
        PluginRow("5", "tag-a", R"({"tag":"a"})"),
    }));
    CHECK(TagOrder(h.Run(0)) == "zabnm");
    CHECK(TagOrder(h.Run(1)) == "abnm");
  }

  TEST_CASE("chain: protocols restrict a configuration to http or https requests") {
    Harness h;
    CHECK_OK(h.Build({
        PluginRow("1", "tag-a", R"({"tag":"tls-only"})", "", "", "", R"("protocols":["https"])"),
        PluginRow("2", "tag-b", R"({"tag":"plain"})", "", "", "", R"("protocols":["http"])"),
        PluginRow("3", "tag-m", R"({"tag":"grpc"})", "", "", "", R"("protocols":["grpc"])"),
    }));
    auto plain = h.Run(0, "", /*https=*/false);
    CHECK(Tag(plain, "a") == "-");
    CHECK(Tag(plain, "b") == "plain");
    CHECK(Tag(plain, "m") == "-");
    auto tls = h.Run(0, "", /*https=*/true);
    CHECK(Tag(tls, "a") == "tls-only");
    CHECK(Tag(tls, "b") == "-");
  }

  TEST_CASE("chain: an exit stops the chain; later phases see only the collected plugins") {
    Harness h;
    CHECK_OK(h.Build({
        PluginRow("1", "tag-a", R"({"tag":"a"})"),
        PluginRow("2", "exiter", R"({"status":418,"message":"no"})", "r2"),
        PluginRow("3", "tag-m", R"({"tag":"m"})"),
    }));
    kong::http::Request request;
    PluginContext ctx(request, *h.consumers, h.worker, h.shared);
    ctx.ResizeStates(h.set->slot_count());
    ChainRunner runner(ctx, false);
    CHECK(runner.Access(h.set->route_chain(1)) == Flow::kExit);
    REQUIRE(ctx.exit().has_value());
    CHECK(ctx.exit()->status == 418);
    CHECK(Tag(request.headers, "a") == "a");
    CHECK(Tag(request.headers, "m") == "-");
    kong::http::HeaderMap response;
    ResponseHead head{418, &response, false};
    CHECK(runner.has_header_filter());
    runner.HeaderFilter(head);
    CHECK(response.Get("X-Seen-a").value_or("") == "a");
    CHECK(!response.Has("X-Seen-m"));
    // Other routes run the whole chain.
    CHECK(TagOrder(h.Run(0)) == "am");
  }

  TEST_CASE("chain: build errors name the plugin") {
    Harness h;
    kong::Status unknown = h.Build({PluginRow("p1", "no-such", "{}")});
    CHECK(!unknown.ok());
    CHECK(unknown.message().find("no-such") != std::string::npos);
    kong::Status bad = h.Build({PluginRow("bad-one", "tag-a", R"({"tag":"bad"})")});
    CHECK(!bad.ok());
    CHECK(bad.message().find("bad-one") != std::string::npos);
    // A disabled row of an unknown plugin is not compiled at all.
    CHECK_OK(h.Build({PluginRow("p1", "no-such", "{}", "", "", "", R"("enabled":false)")}));
    CHECK(h.set->empty());
  }
}
