// Active health checks: one timer and at most one connection per probed target.
#include "balancer/health_checker.h"

#include <cmath>

#include "http/client.h"
#include "net/connect.h"
#include "net/timer.h"
#include "tls/tls_transport.h"

namespace kong::balancer {

struct HealthChecker::Probe {
  Probe(EventLoop& loop, const UpstreamBalancer& u, uint32_t i)
      : upstream(u), index(i), timer(loop) {}
  const UpstreamBalancer& upstream;
  uint32_t index;
  net::Timer timer;
  std::unique_ptr<net::ConnectAttempt> connect;
  std::unique_ptr<http::HttpClient> client;
};

namespace {

uint64_t Millis(double seconds) { return static_cast<uint64_t>(std::llround(seconds * 1000.0)); }

HealthReport FailureOf(const Status& error) {
  return error.message().find("timed out") != std::string::npos ? HealthReport::kTimeout
                                                                : HealthReport::kTcpFailure;
}

}  // namespace

HealthChecker::HealthChecker(EventLoop& loop, std::shared_ptr<const BalancerSet> set,
                             OnChange on_change, HealthCheckerOptions options)
    : loop_(loop),
      set_(std::move(set)),
      on_change_(std::move(on_change)),
      options_(std::move(options)) {
  for (size_t u = 0; u < set_->size(); ++u) {
    const UpstreamBalancer& up = set_->at(u);
    if (!Probed(up.config().healthchecks.active)) continue;
    for (uint32_t i = 0; i < up.targets().size(); ++i) {
      if (up.targets()[i].weight == 0) continue;
      probes_.push_back(std::make_unique<Probe>(loop_, up, i));
    }
  }
  for (auto& p : probes_) Schedule(p.get());
}

HealthChecker::~HealthChecker() = default;

void HealthChecker::Schedule(Probe* probe) {
  const CheckRules& rules = probe->upstream.config().healthchecks.active.rules;
  double interval =
      probe->upstream.healthy(probe->index) ? rules.healthy_interval : rules.unhealthy_interval;
  if (interval <= 0) {
    // Not probed in this state: look again later in case passive checks change it.
    double other = std::max(rules.healthy_interval, rules.unhealthy_interval);
    probe->timer.Start(Millis(other), [this, probe] { Schedule(probe); });
    return;
  }
  probe->timer.Start(Millis(interval), [this, probe] { Run(probe); });
}

std::shared_ptr<const tls::TlsContext> HealthChecker::TlsFor(const ActiveChecks& active) const {
  return active.https_verify_certificate ? options_.https_verify : options_.https_no_verify;
}

bool HealthChecker::Probed(const ActiveChecks& active) const {
  if (!active.enabled()) return false;
  if (active.type == "https") return TlsFor(active) != nullptr;
  return active.type == "http" || active.type == "tcp";
}

void HealthChecker::Run(Probe* probe) {
  const TargetConfig& target = probe->upstream.targets()[probe->index];
  const ActiveChecks& active = probe->upstream.config().healthchecks.active;
  net::ConnectOptions copts;
  copts.timeout_ms = Millis(active.timeout);
  probe->connect =
      net::ConnectAttempt::Start(loop_, target.host, target.port, copts,
                                 [this, probe](Result<std::unique_ptr<net::Transport>> connected) {
                                   if (!connected.ok())
                                     return Finish(probe, FailureOf(connected.status()), 0);
                                   Request(probe, std::move(connected).value());
                                 });
}

void HealthChecker::Request(Probe* probe, std::unique_ptr<net::Transport> transport) {
  const ActiveChecks& a = probe->upstream.config().healthchecks.active;
  const TargetConfig& target = probe->upstream.targets()[probe->index];
  if (a.type == "tcp") return Finish(probe, HealthReport::kSuccess, 0);
  if (a.type == "https") {
    tls::TlsTransportOptions topts;
    topts.server_name = a.https_sni.empty() ? target.host : a.https_sni;
    topts.handshake_timeout_ms = Millis(a.timeout);
    auto secured = tls::TlsTransport::Create(TlsFor(a), std::move(transport), std::move(topts));
    if (!secured.ok()) return Finish(probe, HealthReport::kTcpFailure, 0);
    transport = std::move(secured).value();
  }
  http::ClientOptions hopts;
  hopts.host = target.host;
  hopts.read_timeout_ms = Millis(a.timeout);
  probe->client = std::make_unique<http::HttpClient>(std::move(transport), hopts);
  http::ClientRequest req;
  req.target = a.http_path;
  for (const auto& [name, value] : a.headers) req.headers.Add(name, value);
  req.headers.Set("Connection", "close");
  // A failed TLS handshake arrives here as an error too: a tcp failure, as in Kong.
  probe->client->Send(std::move(req), [this, probe](Result<http::ClientResponse> resp) {
    if (!resp.ok()) return Finish(probe, FailureOf(resp.status()), 0);
    Finish(probe, HealthReport::kSuccess, resp->status);
  });
}

// `status` > 0: an HTTP answer, judged by the status lists; otherwise `report` as is.
void HealthChecker::Finish(Probe* probe, HealthReport report, int status) {
  ++probes_done_;
  bool flipped = status > 0 ? probe->upstream.ReportActiveStatus(probe->index, status)
                            : probe->upstream.ReportActive(probe->index, report);
  // The connection is done with; the client may be the caller (HttpClient allows this).
  probe->client.reset();
  probe->connect.reset();
  if (flipped && on_change_)
    on_change_(probe->upstream, probe->index, probe->upstream.healthy(probe->index));
  Schedule(probe);
}

}  // namespace kong::balancer
