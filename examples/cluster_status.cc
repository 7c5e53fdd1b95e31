// cluster_status: reads kong::ClusterStatus, the control plane's record of its data planes
// (what GET /clustering/data-planes serves), in the program that runs the control plane. The
// ControlPlane runs on the main thread's kong::EventLoop; a DataPlane with labels runs on a
// second thread (example::NodeThread). A uv_timer, added to the kong loop through
// kong::NativeHandle (kong/uv.h), asks for the status every 100 ms until the data plane reports
// the hash the control plane pushes, then prints every data plane and stops both nodes.
#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "example_support.h"
#include "kong/kong.h"
#include "kong/uv.h"

namespace {

const char kProgram[] = "cluster_status";

void Print(const kong::ControlPlane& cp, const kong::ClusterStatus& status) {
  std::printf("control plane %s pushes config_hash %s\n%zu data plane(s):\n", cp.node_id().c_str(),
              status.config_hash().c_str(), status.data_planes().size());
  for (const kong::DataPlaneInfo& dp : status.data_planes()) {
    std::printf("  %s hostname=%s ip=%s version=%s sync_status=%s\n", dp.id.c_str(),
                dp.hostname.c_str(), dp.ip.c_str(), dp.version.c_str(), dp.sync_status.c_str());
    std::printf("    config_hash=%s last_seen=%lld labels=%s cert_expiry=%lld\n",
                dp.config_hash.c_str(), static_cast<long long>(dp.last_seen),
                dp.labels_json.c_str(), static_cast<long long>(dp.cert_expiry.value_or(0)));
  }
}

// The poller's state, on the control plane's thread.
struct Poller {
  kong::ControlPlane* cp = nullptr;
  uv_timer_t timer;
  int attempts_left = 200;  // 200 x 100 ms
  bool fetching = false, done = false;
  std::string failure;

  void Finish(std::string why) {
    if (done) return;
    done = true;
    failure = std::move(why);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
    cp->Stop(nullptr);  // the loop's Run() returns once both are closed
  }
};

void OnPoll(uv_timer_t* timer) noexcept {
  auto* p = static_cast<Poller*>(timer->data);
  if (p->done || p->fetching) return;
  if (p->attempts_left-- == 0) return p->Finish("the data plane did not report in 20 s");
  p->fetching = true;
  // `done` runs later on this thread, never inside Fetch.
  kong::ClusterStatus::Fetch(*p->cp, [p](kong::Result<kong::ClusterStatus> status) {
    p->fetching = false;
    if (p->done) return;
    if (!status.ok()) return p->Finish("ClusterStatus::Fetch: " + status.status().ToString());
    for (const kong::DataPlaneInfo& dp : status->data_planes()) {
      if (!status->config_hash().empty() && dp.config_hash == status->config_hash()) {
        Print(*p->cp, *status);
        return p->Finish("");
      }
    }
  });
}

}  // namespace

int main() {
  std::signal(SIGPIPE, SIG_IGN);     // the library writes to sockets; see kong/event_loop.h
  example::LoopbackCluster cluster;  // a certificate pair and kong.conf (example_support.h)
  kong::Status ready = cluster.Init();
  if (!ready.ok()) return example::Fail(kProgram, "certificates", ready);

  // The control plane, on this thread.
  auto cp_conf = cluster.ControlPlaneConf();
  if (!cp_conf.ok()) return example::Fail(kProgram, "control plane conf", cp_conf.status());
  auto loop = kong::EventLoop::Create();
  if (!loop.ok()) return example::Fail(kProgram, "event loop", loop.status());
  kong::ControlPlaneOptions cp_options;
  cp_options.conf = *cp_conf;
  cp_options.log_sink = example::StderrLog("cp");
  auto cp = kong::ControlPlane::Create(**loop, std::move(cp_options));
  if (!cp.ok()) return example::Fail(kProgram, "control plane", cp.status());
  kong::Status cp_started = (*cp)->Start();
  if (!cp_started.ok()) return example::Fail(kProgram, "control plane start", cp_started);

  // One data plane, on a second thread, labelled as `cluster_dp_labels` allows.
  auto dp_conf = cluster.DataPlaneConf((*cp)->cluster_ports().at(0), "dp",
                                       {{"cluster_dp_labels", "region:local,deployment:example"}});
  if (!dp_conf.ok()) return example::Fail(kProgram, "data plane conf", dp_conf.status());
  example::NodeThread<kong::DataPlane> dp;
  kong::Status dp_started = dp.Start([&](kong::EventLoop& dp_loop) {
    kong::DataPlaneOptions options;
    options.conf = *dp_conf;
    options.log_sink = example::StderrLog("dp");
    return kong::DataPlane::Create(dp_loop, std::move(options));
  });
  if (!dp_started.ok()) {
    (*cp)->Stop(nullptr);
    (void)(*loop)->Run();  // until the control plane has stopped
    return example::Fail(kProgram, "data plane", dp_started);
  }

  // A libuv timer on the kong loop; it runs on this thread, like the ControlPlane.
  Poller poller;
  poller.cp = cp->get();
  uv_timer_init(kong::NativeHandle(**loop), &poller.timer);
  poller.timer.data = &poller;
  uv_timer_start(&poller.timer, OnPoll, 0, 100);
  kong::Status ran = (*loop)->Run();  // until the control plane and the timer have closed
  // The data plane outlived its control plane by a moment, so it logs that its link broke.
  dp.Stop();
  cp->reset();
  if (!ran.ok()) return example::Fail(kProgram, "run", ran);
  if (!poller.failure.empty()) return example::Fail(kProgram, poller.failure);
  return 0;
}
