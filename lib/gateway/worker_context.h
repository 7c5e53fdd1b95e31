// WorkerContext: what one worker thread's proxy requests share (its loop, upstream pool,
// resolver, the gateway's options and published snapshot). Loop thread only, except
// `snapshot`, which the gateway swaps from any thread.
#ifndef KONG_GATEWAY_WORKER_CONTEXT_H_
#define KONG_GATEWAY_WORKER_CONTEXT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>

#include "gateway/gateway.h"
#include "gateway/snapshot.h"
#include "kong/event_loop.h"
#include "plugins/state.h"
#include "upstream/connection_pool.h"
#include "upstream/resolver.h"

namespace kong::gateway {

class BytePipe;

// The listener a request came in on.
struct ListenerInfo {
  bool https = false;
  uint16_t port = 0;  // bound port (the OS's choice for port 0)
};

struct WorkerContext {
  WorkerContext(EventLoop& loop, const GatewayOptions& options,
                const std::atomic<std::shared_ptr<const Snapshot>>& snapshot,
                plugins::SharedState& plugin_shared)
      : loop(loop), options(options), snapshot(snapshot), plugin_shared(plugin_shared) {}

  EventLoop& loop;
  const GatewayOptions& options;
  const std::atomic<std::shared_ptr<const Snapshot>>& snapshot;
  std::unique_ptr<upstream::ConnectionPool> pool;
  std::unique_ptr<upstream::Resolver> resolver;
  plugins::SharedState& plugin_shared;                 // the gateway's
  std::unique_ptr<plugins::WorkerState> plugin_worker;  // this loop's plugin objects
  std::unordered_set<BytePipe*> pipes;  // WebSocket tunnels, closed at stop
  uint64_t requests_in_flight = 0;
  uint64_t request_counter = 0;  // request ids
  uint64_t request_id_seed = 0;
};

}  // namespace kong::gateway

#endif  // KONG_GATEWAY_WORKER_CONTEXT_H_
