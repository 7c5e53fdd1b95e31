// RateLimitingHarness: compiles rate-limiting configs against one SharedState (the node's
// counters) and runs a request's access phase on a test loop, waiting when the plugin
// suspends (redis policy); returns the flow, the exit and the headers it sets on the answer.
#ifndef KONG_TESTS_UNIT_PLUGINS_RATE_LIMITING_HARNESS_H_
#define KONG_TESTS_UNIT_PLUGINS_RATE_LIMITING_HARNESS_H_

#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "json/value.h"
#include "plugins/consumers.h"
#include "plugins/factory.h"
#include "plugins/state.h"
#include "support/test_support.h"
#include "unit/plugins/direct_harness.h"

namespace kong::plugins::testing {

struct AccessOutcome {
  Flow flow = Flow::kContinue;
  std::optional<PluginContext::ExitResponse> exit;
  http::HeaderMap response_headers;
};

struct RateLimitingHarness {
  std::unique_ptr<EventLoop> loop = std::move(EventLoop::Create()).value();
  WorkerState worker{*loop};
  SharedState shared;
  std::shared_ptr<const ConsumerIndex> consumers = ConsumerIndex::Empty();

  std::unique_ptr<Plugin> Make(std::string_view config, const std::string& route_id = "") {
    auto conf = json::Parse(config);
    REQUIRE(conf.ok());
    PluginSpec spec;
    spec.name = "rate-limiting";
    if (!route_id.empty()) spec.route_id = route_id;
    spec.config = &*conf;
    PluginEnv env;
    env.shared = &shared;
    auto p = RateLimitingDescriptor().create(std::move(spec), env);
    REQUIRE_MESSAGE(p.ok(), p.status().ToString());
    return std::move(p).value();
  }

  AccessOutcome Run(const Plugin& plugin, std::string_view ip) {
    auto req = MakeRequest("GET", {});
    PluginContext ctx(req, *consumers, worker, shared);
    ctx.client_ip = ip;
    ctx.ResizeStates(1);
    bool resumed = false;
    ctx.suspend_hook = [&resumed] { return std::function<void()>([&resumed] { resumed = true; }); };
    AccessOutcome out;
    out.flow = plugin.Access(ctx);
    if (out.flow == Flow::kWait) {
      REQUIRE(kong::test::WaitUntil(*loop, [&] { return resumed; }, 10000));
      out.flow = ctx.exit() ? Flow::kExit : Flow::kContinue;
    }
    out.exit = ctx.exit();
    http::HeaderEdits edits;
    plugin.ResponseHeaders(ctx, edits);  // the answer's headers
    edits.ApplyTo(&out.response_headers);
    return out;
  }
};

}  // namespace kong::plugins::testing

#endif  // KONG_TESTS_UNIT_PLUGINS_RATE_LIMITING_HARNESS_H_
