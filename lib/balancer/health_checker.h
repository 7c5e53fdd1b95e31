// HealthChecker: Kong's active health checks (healthchecks.active) for one BalancerSet.
#ifndef KONG_BALANCER_HEALTH_CHECKER_H_
#define KONG_BALANCER_HEALTH_CHECKER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "balancer/balancer_set.h"
#include "kong/event_loop.h"
#include "net/transport.h"
#include "tls/tls_context.h"

namespace kong::balancer {

struct HealthCheckerOptions {
  // Client TLS contexts for probes of type "https". `https_verify` serves upstreams with
  // active.https_verify_certificate = true (Kong's default; it should trust the CAs the DP
  // trusts, Kong's lua_ssl_trusted_certificate), `https_no_verify` the others. A null context
  // leaves the https targets that need it unprobed.
  std::shared_ptr<const tls::TlsContext> https_verify;
  std::shared_ptr<const tls::TlsContext> https_no_verify;
};

// Probes every target (weight > 0) of every upstream whose active checks are enabled: a
// healthy target every active.healthy.interval seconds, an unhealthy one every
// active.unhealthy.interval (0 skips targets in that state, as in Kong; they are looked at
// again after the other interval in case passive checks flipped them). A probe of type
// "http" is a GET of active.http_path with active.headers and "Host: <target host>", judged
// by active.{healthy,unhealthy}.http_statuses; a connect error counts as a tcp failure and a
// connect or response timeout (active.timeout) as a timeout. Type "https" does the same over
// TLS (SNI: active.https_sni, else the target host), a failed handshake being a tcp failure;
// type "tcp" only connects. Types grpc and grpcs are not probed yet (targets keep their state).
// Results flip the shared state in the BalancerSet, which every worker's picks read.
// Loop thread only. Destroying it cancels probes at once (no callback runs afterwards).
class HealthChecker {
 public:
  // Called on the loop thread when a probe flips a target's health.
  using OnChange =
      std::function<void(const UpstreamBalancer& upstream, uint32_t target, bool healthy)>;

  HealthChecker(EventLoop& loop, std::shared_ptr<const BalancerSet> set, OnChange on_change = {},
                HealthCheckerOptions options = {});
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;
  ~HealthChecker();

  // Targets being probed.
  size_t probe_count() const { return probes_.size(); }
  // Probes completed so far (any outcome).
  uint64_t probes_done() const { return probes_done_; }

 private:
  struct Probe;
  // The TLS context an https probe of `active` uses; null when none was given.
  std::shared_ptr<const tls::TlsContext> TlsFor(const ActiveChecks& active) const;
  bool Probed(const ActiveChecks& active) const;
  void Request(Probe* probe, std::unique_ptr<net::Transport> transport);
  void Schedule(Probe* probe);
  void Run(Probe* probe);
  void Finish(Probe* probe, HealthReport report, int status);

  EventLoop& loop_;
  std::shared_ptr<const BalancerSet> set_;
  OnChange on_change_;
  HealthCheckerOptions options_;
  std::vector<std::unique_ptr<Probe>> probes_;
  uint64_t probes_done_ = 0;
};

}  // namespace kong::balancer

#endif  // KONG_BALANCER_HEALTH_CHECKER_H_
