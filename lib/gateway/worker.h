// Worker: one proxy thread with its own EventLoop, SO_REUSEPORT listeners, http::Servers in
// streaming mode, upstream connection pool and resolver.
#ifndef KONG_GATEWAY_WORKER_H_
#define KONG_GATEWAY_WORKER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <unordered_map>
#include <vector>

#include "balancer/health_checker.h"
#include "gateway/gateway.h"
#include "gateway/worker_context.h"
#include "http/server.h"
#include "net/listener.h"
#include "net/timer.h"
#include "tls/tls_context.h"
#include "tls/tls_transport.h"

namespace kong::gateway {

class Worker {
 public:
  // `ports`: the port to bind for each listen spec (worker 0's choice for port-0 specs, so
  // every worker shares one port through SO_REUSEPORT); empty for worker 0.
  Worker(size_t index, const GatewayOptions& options,
         const std::atomic<std::shared_ptr<const Snapshot>>& snapshot,
         std::shared_ptr<const tls::TlsContext> tls_context, plugins::SharedState& plugin_state);
  ~Worker();  // joins the thread
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts the thread and waits until every listener is bound (or failed).
  Result<std::vector<uint16_t>> Start(const std::vector<uint16_t>& ports);
  // Graceful stop on the worker's thread; `exited` runs there once its loop is done.
  void Stop(uint64_t grace_ms, std::function<void()> exited);
  // Replaces the active health checker (worker 0): runs on the worker's thread.
  void RestartHealthChecks(std::shared_ptr<const balancer::BalancerSet> set);
  void Join();

 private:
  void Run(std::promise<Result<std::vector<uint16_t>>> bound, std::vector<uint16_t> ports);
  Result<std::vector<uint16_t>> Bind(const std::vector<uint16_t>& ports);
  void AcceptTls(size_t server, std::unique_ptr<net::Transport> transport);
  void BeginStop(uint64_t grace_ms);
  void CheckDrained();
  void FinishStop();

  size_t index_;
  const GatewayOptions& options_;
  const std::atomic<std::shared_ptr<const Snapshot>>& snapshot_;
  std::shared_ptr<const tls::TlsContext> tls_context_;
  plugins::SharedState& plugin_state_;
  std::thread thread_;
  std::unique_ptr<EventLoop> loop_;  // created on the worker's thread
  std::atomic<bool> started_{false};

  // Loop thread only.
  std::unique_ptr<WorkerContext> context_;
  std::vector<ListenerInfo> listener_info_;  // per listen spec, stable addresses
  std::vector<std::unique_ptr<http::Server>> servers_;  // per listen spec
  std::vector<std::unique_ptr<net::Listener>> tls_listeners_;
  std::unordered_map<tls::TlsTransport*, std::unique_ptr<tls::TlsTransport>> handshaking_;
  std::unique_ptr<balancer::HealthChecker> health_;
  std::unique_ptr<net::Timer> stop_timer_, drain_timer_;
  std::vector<std::function<void()>> exited_;
  bool stopping_ = false;
  bool finishing_ = false;
};

}  // namespace kong::gateway

#endif  // KONG_GATEWAY_WORKER_H_
