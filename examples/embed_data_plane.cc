// embed_data_plane: a program that embeds a Kong data plane and reacts to configuration
// updates. The DataPlane runs on the main thread's kong::EventLoop (no libuv code needed);
// on_config_applied prints each config_hash it installs. For the demo, the same program also
// runs the control plane it connects to, on a second thread with its own loop, with a cluster
// certificate pair from kong::CertGen in a temp folder. The first update is the control
// plane's (empty) configuration; the program then creates a service through the Admin API,
// waits for the second update, and stops both nodes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <future>
#include <string>
#include <thread>

#include "example_support.h"
#include "kong/kong.h"

namespace {

const char kProgram[] = "embed_data_plane";

// A blocking HTTP/1.1 POST to 127.0.0.1:<port>; returns the response's status line. Runs on a
// helper thread: blocking a loop thread would stall every node on that loop.
std::string PostJson(uint16_t port, const std::string& path, const std::string& body) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string request = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                          "Connection: close\r\nContent-Type: application/json\r\n" +
                          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buf[4096];
      for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) response.append(buf, n);
    }
  }
  if (fd >= 0) ::close(fd);
  return response.substr(0, response.find("\r\n"));
}

}  // namespace

int main() {
  std::signal(SIGPIPE, SIG_IGN);  // the library writes to sockets; see kong/event_loop.h
  // A certificate pair in a temp folder and the two nodes' kong.conf (example_support.h).
  example::LoopbackCluster cluster;
  kong::Status ready = cluster.Init();
  if (!ready.ok()) return example::Fail(kProgram, "certificates", ready);

  // The control plane, on its own thread.
  auto cp_conf = cluster.ControlPlaneConf();
  if (!cp_conf.ok()) return example::Fail(kProgram, "control plane conf", cp_conf.status());
  example::NodeThread<kong::ControlPlane> cp;
  kong::Status cp_started = cp.Start([&](kong::EventLoop& loop) {
    kong::ControlPlaneOptions options;
    options.conf = *cp_conf;
    options.log_sink = example::StderrLog("cp");
    return kong::ControlPlane::Create(loop, std::move(options));
  });
  if (!cp_started.ok()) return example::Fail(kProgram, "control plane", cp_started);
  // Read on the control plane's thread, as every ControlPlane call must be.
  const uint16_t admin_port = cp.Call([](kong::ControlPlane& n) { return n.admin_ports().at(0); });
  const uint16_t cluster_port =
      cp.Call([](kong::ControlPlane& n) { return n.cluster_ports().at(0); });

  // The data plane, on this thread's loop.
  auto dp_conf = cluster.DataPlaneConf(cluster_port);
  if (!dp_conf.ok()) return example::Fail(kProgram, "data plane conf", dp_conf.status());
  auto loop = kong::EventLoop::Create();
  if (!loop.ok()) return example::Fail(kProgram, "event loop", loop.status());

  std::unique_ptr<kong::DataPlane> dp;
  std::thread admin_client;  // posts the service once the first configuration arrived
  std::string failure;
  bool stopping = false;
  int updates = 0;
  auto stop_dp = [&](std::string why) {
    if (stopping) return;
    stopping = true;
    failure = std::move(why);
    dp->Stop(nullptr);  // Run() returns once its handles have closed
  };
  kong::DataPlaneOptions options;
  options.conf = *dp_conf;
  options.log_sink = example::StderrLog("dp");
  // On this thread, after each configuration is validated, installed and cached.
  options.on_config_applied = [&](const std::string& config_hash) {
    std::printf("data plane applied config_hash %s (ready: %s)\n", config_hash.c_str(),
                dp->ready() ? "yes" : "no");
    if (++updates == 1) {
      admin_client = std::thread([&, port = admin_port] {
        std::string status =
            PostJson(port, "/services", R"({"name":"example","url":"http://127.0.0.1:8080/"})");
        std::printf("POST /services -> %s\n", status.c_str());
        // The only call that is safe from another thread: Post.
        if (status.find(" 201 ") == std::string::npos)
          (*loop)->Post([&, status] { stop_dp("Admin API answered " + status); });
      });
    } else if (dp->ready() && dp->config_json().find("\"example\"") != std::string::npos) {
      stop_dp("");  // the service arrived: done
    }
  };
  auto created = kong::DataPlane::Create(**loop, std::move(options));
  if (!created.ok()) return example::Fail(kProgram, "data plane", created.status());
  dp = std::move(created).value();
  kong::Status dp_started = dp->Start();
  if (!dp_started.ok()) return example::Fail(kProgram, "data plane start", dp_started);

  // A watchdog: without the second update within 20 s, stop the data plane from its thread.
  std::promise<void> finished;
  std::thread watchdog([&, done = finished.get_future()] {
    if (done.wait_for(std::chrono::seconds(20)) == std::future_status::timeout)
      (*loop)->Post([&] { stop_dp("no configuration update within 20 s"); });
  });
  kong::Status ran = (*loop)->Run();  // until the data plane has stopped
  finished.set_value();
  watchdog.join();
  if (admin_client.joinable()) admin_client.join();
  dp.reset();
  cp.Stop();
  if (!ran.ok()) return example::Fail(kProgram, "run", ran);
  if (!failure.empty()) return example::Fail(kProgram, failure);
  std::printf("stopped cleanly after %d configuration updates\n", updates);
  return 0;
}
