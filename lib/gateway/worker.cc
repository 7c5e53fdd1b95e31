// Worker: binds, serves and stops one proxy thread.
#include "gateway/worker.h"

#include <random>

#include "gateway/byte_pipe.h"
#include "gateway/proxy_request.h"

namespace kong::gateway {
namespace {

// How often a draining worker checks whether its last request finished.
constexpr uint64_t kDrainPollMs = 20;

}  // namespace

Worker::Worker(size_t index, const GatewayOptions& options,
               const std::atomic<std::shared_ptr<const Snapshot>>& snapshot,
               std::shared_ptr<const tls::TlsContext> tls_context,
               plugins::SharedState& plugin_state)
    : index_(index),
      options_(options),
      snapshot_(snapshot),
      tls_context_(std::move(tls_context)),
      plugin_state_(plugin_state) {}

Worker::~Worker() { Join(); }

void Worker::Join() {
  if (thread_.joinable()) thread_.join();
}

Result<std::vector<uint16_t>> Worker::Start(const std::vector<uint16_t>& ports) {
  std::promise<Result<std::vector<uint16_t>>> bound;
  auto result = bound.get_future();
  thread_ = std::thread([this, b = std::move(bound), ports]() mutable { Run(std::move(b), ports); });
  auto r = result.get();
  if (r.ok()) started_ = true;
  return r;
}

void Worker::Run(std::promise<Result<std::vector<uint16_t>>> bound, std::vector<uint16_t> ports) {
  auto loop = EventLoop::Create();
  if (!loop.ok()) {
    bound.set_value(loop.status());
    return;
  }
  loop_ = std::move(loop).value();
  context_ = std::make_unique<WorkerContext>(*loop_, options_, snapshot_, plugin_state_);
  context_->plugin_worker = std::make_unique<plugins::WorkerState>(*loop_);
  context_->pool = std::make_unique<upstream::ConnectionPool>(*loop_, options_.pool);
  context_->resolver = std::make_unique<upstream::Resolver>(*loop_, options_.dns);
  context_->request_id_seed = std::random_device()() ^ (uint64_t{std::random_device()()} << 32);
  auto ports_bound = Bind(ports);
  bool ok = ports_bound.ok();
  bound.set_value(std::move(ports_bound));
  if (ok) (void)loop_->Run();
  // Whatever is left closes on this thread, then the loop drains its close callbacks.
  for (auto* pipe : std::vector<BytePipe*>(context_->pipes.begin(), context_->pipes.end())) {
    pipe->Close();
  }
  handshaking_.clear();
  health_.reset();
  tls_listeners_.clear();
  servers_.clear();
  stop_timer_.reset();
  drain_timer_.reset();
  context_->pool.reset();
  context_->resolver.reset();
  context_->plugin_worker.reset();  // plugins' connections close on this loop
  while (loop_->RunOnce()) {
  }
  context_.reset();
  auto exited = std::move(exited_);
  for (auto& fn : exited) fn();
}

Result<std::vector<uint16_t>> Worker::Bind(const std::vector<uint16_t>& ports) {
  http::ServerOptions http = options_.http;
  http.stream_request_body = true;
  http.server_name = options_.response_headers.server ? options_.upstream_headers.server_token : "";
  std::vector<uint16_t> bound;
  listener_info_.resize(options_.listen.size());
  for (size_t i = 0; i < options_.listen.size(); ++i) {
    net::ListenSpec spec = options_.listen[i];
    spec.reuseport = true;  // every worker binds the same address
    if (i < ports.size()) spec.port = ports[i];
    ListenerInfo* info = &listener_info_[i];
    info->https = spec.ssl;
    WorkerContext* ctx = context_.get();
    auto server = http::Server::Create(*loop_, http, [ctx, info](http::Request& r, http::ResponseWriter& w) {
      HandleProxyRequest(*ctx, *info, r, w);
    });
    if (!server.ok()) return server.status();
    servers_.push_back(std::move(server).value());
    if (!spec.ssl) {
      auto port = servers_.back()->Listen(spec);
      if (!port.ok()) return port.status();
      info->port = *port;
    } else {
      if (tls_context_ == nullptr) {
        return Status::InvalidArgument("listen " + spec.Address() + " ssl: no TLS certificate");
      }
      auto listener = net::Listener::Create(
          *loop_, spec, [this, i](std::unique_ptr<net::Transport> t) { AcceptTls(i, std::move(t)); });
      if (!listener.ok()) return listener.status();
      info->port = (*listener)->bound_port();
      tls_listeners_.push_back(std::move(listener).value());
    }
    bound.push_back(info->port);
  }
  return bound;
}

void Worker::AcceptTls(size_t server, std::unique_ptr<net::Transport> transport) {
  if (stopping_) return;
  tls::TlsTransportOptions o;
  o.handshake_timeout_ms = options_.http.header_timeout_ms;
  // The server connection starts after the handshake so that requests know the SNI.
  o.on_handshake = [this, server](tls::TlsTransport& t) {
    auto it = handshaking_.find(&t);
    if (it == handshaking_.end()) return;
    std::unique_ptr<tls::TlsTransport> owned = std::move(it->second);
    handshaking_.erase(it);
    owned->StopReading();
    std::string sni = owned->server_name();
    servers_[server]->Serve(std::move(owned), std::move(sni));
  };
  auto tls = tls::TlsTransport::Create(tls_context_, std::move(transport), std::move(o));
  if (!tls.ok()) return;
  tls::TlsTransport* raw = tls->get();
  net::TransportCallbacks cb;
  cb.on_closed = [this, raw] { handshaking_.erase(raw); };  // failed handshake
  raw->SetCallbacks(std::move(cb));
  handshaking_.emplace(raw, std::move(tls).value());
  if (!raw->StartReading().ok()) raw->Close();
}

void Worker::RestartHealthChecks(std::shared_ptr<const balancer::BalancerSet> set) {
  if (!started_) return;
  loop_->Post([this, set = std::move(set)]() mutable {
    if (stopping_) return;
    health_.reset();
    if (set) health_ = std::make_unique<balancer::HealthChecker>(*loop_, std::move(set));
  });
}

void Worker::Stop(uint64_t grace_ms, std::function<void()> exited) {
  if (!started_) {
    if (exited) exited();
    return;
  }
  loop_->Post([this, grace_ms, exited = std::move(exited)]() mutable {
    if (exited) exited_.push_back(std::move(exited));
    BeginStop(grace_ms);
  });
}

void Worker::BeginStop(uint64_t grace_ms) {
  if (stopping_) {
    if (grace_ms == 0) FinishStop();
    return;
  }
  stopping_ = true;
  health_.reset();
  for (auto& l : tls_listeners_) l->Close(nullptr);
  for (auto& s : servers_) s->Drain();
  if (grace_ms == 0) {
    FinishStop();
    return;
  }
  stop_timer_ = std::make_unique<net::Timer>(*loop_);
  stop_timer_->Start(grace_ms, [this] { FinishStop(); });
  drain_timer_ = std::make_unique<net::Timer>(*loop_);
  CheckDrained();
}

void Worker::CheckDrained() {
  size_t open = context_->requests_in_flight + context_->pipes.size();
  for (auto& s : servers_) open += s->connection_count();
  if (open == 0) {
    FinishStop();
    return;
  }
  drain_timer_->Start(kDrainPollMs, [this] { CheckDrained(); });
}

void Worker::FinishStop() {
  if (finishing_) return;
  finishing_ = true;
  if (stop_timer_) stop_timer_->Stop();
  if (drain_timer_) drain_timer_->Stop();
  for (auto& entry : handshaking_) entry.second->Close();
  for (auto* pipe : std::vector<BytePipe*>(context_->pipes.begin(), context_->pipes.end())) {
    pipe->Close();
  }
  auto remaining = std::make_shared<size_t>(servers_.size());
  auto quit = [this, remaining] {
    if (--*remaining == 0) loop_->Quit();
  };
  if (servers_.empty()) {
    loop_->Quit();
    return;
  }
  for (auto& s : servers_) s->Close(quit);
}

}  // namespace kong::gateway
