// ControlPlaneThread: the node is created, run and destroyed on its own thread.
#include "unit/api/control_plane_thread.h"

#include <doctest/doctest.h>

#include <future>
#include <utility>

#include "support/test_support.h"

namespace kong::test {

Conf LoadConf(std::map<std::string, std::string> overrides) {
  ConfSources sources;
  // Loopback proxies with one worker (Kong refuses proxy_listen = off on a data plane).
  overrides.emplace("proxy_listen", "127.0.0.1:0");
  overrides.emplace("nginx_worker_processes", "1");
  sources.overrides = std::move(overrides);
  auto conf = Conf::Load(sources);
  REQUIRE_OK(conf.status());
  return std::move(conf).value();
}

ControlPlaneThread::ControlPlaneThread(Conf conf) {
  std::promise<kong::Status> started;
  std::future<kong::Status> started_future = started.get_future();
  // The loop is created on the thread that runs it: objects built before Run are checked
  // against the creating thread.
  thread_ = std::thread([this, conf = std::move(conf), &started]() mutable {
    auto loop = EventLoop::Create();
    if (!loop.ok()) {
      started.set_value(loop.status());
      return;
    }
    loop_ = std::move(loop).value();
    ControlPlaneOptions options;
    options.conf = std::move(conf);
    auto node = ControlPlane::Create(*loop_, std::move(options));
    kong::Status status = node.ok() ? (*node)->Start() : node.status();
    if (status.ok()) {
      node_ = std::move(node).value();
      admin_port_ = node_->admin_ports().at(0);
      cluster_port_ = node_->cluster_ports().at(0);
    }
    started.set_value(status);
    if (status.ok()) (void)loop_->Run();
    node_.reset();  // on the loop's thread, after Stop finished
  });
  started_status_ = started_future.get();
}

ControlPlaneThread::~ControlPlaneThread() {
  if (node_) loop_->Post([this] { node_->Stop(nullptr); });
  thread_.join();
  loop_.reset();
}

void ControlPlaneThread::FetchStatus(std::mutex* mu, std::optional<Result<ClusterStatus>>* out) {
  loop_->Post([this, mu, out] {
    ClusterStatus::Fetch(*node_, [mu, out](Result<ClusterStatus> r) {
      std::lock_guard<std::mutex> lock(*mu);
      out->emplace(std::move(r));
    });
  });
}

Result<ClusterStatus> ControlPlaneThread::ClusterStatusNow(EventLoop& waiting) {
  std::mutex mu;
  std::optional<Result<ClusterStatus>> status;
  loop_->Post([this, &mu, &status, &waiting] {
    ClusterStatus::Fetch(*node_, [&mu, &status, &waiting](Result<ClusterStatus> r) {
      {
        std::lock_guard<std::mutex> lock(mu);
        status.emplace(std::move(r));
      }
      waiting.Post([] {});  // wakes the waiting loop: nothing else would until its deadline
    });
  });
  REQUIRE(WaitUntil(waiting, [&] {
    std::lock_guard<std::mutex> lock(mu);
    return status.has_value();
  }, 10000));
  std::lock_guard<std::mutex> lock(mu);
  return std::move(*status);
}

}  // namespace kong::test
