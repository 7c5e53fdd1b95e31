// DirectHarness: runs one plugin's access and header_filter phases on a hand-made request,
// without a gateway, the way the chain runner does (access; on exit the exit's answer, else
// the upstream's response, through header_filter).
#ifndef KONG_TESTS_UNIT_PLUGINS_DIRECT_HARNESS_H_
#define KONG_TESTS_UNIT_PLUGINS_DIRECT_HARNESS_H_

#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "json/value.h"
#include "kong/event_loop.h"
#include "plugins/consumers.h"
#include "plugins/factory.h"
#include "plugins/plugin.h"
#include "plugins/state.h"

namespace kong::plugins::testing {

// What one request produced.
struct Outcome {
  Flow flow = Flow::kContinue;
  std::optional<PluginContext::ExitResponse> exit;
  int status = 0;                // the response header_filter saw
  http::HeaderMap response;      // its headers after header_filter
  http::HeaderMap upstream;      // the request headers the upstream would receive
};

class DirectHarness {
 public:
  DirectHarness() {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    loop_ = std::move(*loop);
    worker_ = std::make_unique<WorkerState>(*loop_);
    consumers_ = ConsumerIndex::Empty();
  }

  // Compiles `config` (JSON text) with the descriptor's factory.
  Result<std::unique_ptr<Plugin>> TryMake(const PluginDescriptor& d, std::string_view config) {
    auto conf = json::Parse(config);
    REQUIRE(conf.ok());
    PluginSpec spec;
    spec.id = "p1";
    spec.name = d.name;
    spec.config = &*conf;
    PluginEnv env;
    env.shared = &shared_;
    return d.create(std::move(spec), env);
  }
  std::unique_ptr<Plugin> Make(const PluginDescriptor& d, std::string_view config) {
    auto plugin = TryMake(d, config);
    REQUIRE_MESSAGE(plugin.ok(), plugin.status().ToString());
    return std::move(plugin).value();
  }

  // Access, then the ResponseHeaders step and header_filter on the exit's answer or on `upstream_status` with
  // `upstream_headers`.
  Outcome Run(const Plugin& plugin, http::Request request, std::string_view client_ip = "127.0.0.1",
              int upstream_status = 200, http::HeaderMap upstream_headers = {}) {
    PluginContext ctx(request, *consumers_, *worker_, shared_);
    ctx.client_ip = client_ip;
    ctx.ResizeStates(1);
    ctx.current_slot = 0;
    Outcome out;
    if (plugin.phases() & kAccessPhase) out.flow = plugin.Access(ctx);
    out.upstream = request.headers;
    if (out.flow == Flow::kExit) {
      REQUIRE(ctx.exit().has_value());
      out.exit = ctx.exit();
      out.status = ctx.exit()->status;
      out.response = ctx.exit()->headers;
    } else {
      out.status = upstream_status;
      out.response = std::move(upstream_headers);
    }
    if (plugin.phases() & kResponseHeadersPhase) {
      http::HeaderEdits edits;
      plugin.ResponseHeaders(ctx, edits);
      edits.ApplyTo(&out.response);
    }
    ResponseHead head{out.status, &out.response, out.flow != Flow::kExit};
    if (plugin.phases() & kHeaderFilterPhase) plugin.HeaderFilter(ctx, head);
    return out;
  }

 private:
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<WorkerState> worker_;
  SharedState shared_;
  std::shared_ptr<const ConsumerIndex> consumers_;
};

inline http::Request MakeRequest(std::string method,
                                 std::initializer_list<std::pair<std::string, std::string>> hs) {
  http::Request r;
  r.method = std::move(method);
  r.target = r.raw_path = r.path = "/";
  for (const auto& [name, value] : hs) r.headers.Add(name, value);
  return r;
}

}  // namespace kong::plugins::testing

#endif  // KONG_TESTS_UNIT_PLUGINS_DIRECT_HARNESS_H_
