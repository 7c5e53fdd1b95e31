// ProxyRequest::PluginRun: one request's plugin context and chain runner (proxy_plugins.cc),
// complete wherever ProxyRequest is constructed or destroyed.
#ifndef KONG_GATEWAY_PROXY_PLUGIN_RUN_H_
#define KONG_GATEWAY_PROXY_PLUGIN_RUN_H_

#include <optional>
#include <string>

#include "base/recycling_allocator.h"
#include "gateway/proxy_request.h"
#include "plugins/chain.h"
#include "plugins/consumers.h"
#include "plugins/state.h"

namespace kong::gateway {

// Made and dropped per request with plugins: its blocks are recycled per thread.
struct ProxyRequest::PluginRun : base::Recycled<ProxyRequest::PluginRun> {
  PluginRun(http::Request& request, const plugins::ConsumerIndex& consumers,
            plugins::WorkerState& worker, plugins::SharedState& shared, bool https)
      : ctx(request, consumers, worker, shared), runner(ctx, https) {}

  plugins::PluginContext ctx;
  plugins::ChainRunner runner;
  std::string client_ip;
  bool waiting = false;  // access is suspended until a resume
  // The client body once a plugin read it: sent upstream unless ctx.upstream_body replaces it.
  std::optional<std::string> body;
  std::string body_buffer;  // while reading
  bool body_overflow = false;
  // The response fields the plugins' ResponseHeaders step sets or adds (on the proxied head
  // or on an answer Kong produces).
  http::HeaderEdits response_edits;
};

}  // namespace kong::gateway

#endif  // KONG_GATEWAY_PROXY_PLUGIN_RUN_H_
