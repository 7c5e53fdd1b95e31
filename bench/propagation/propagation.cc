// propagation: how long an Admin API write takes to reach data planes. Runs N kong::DataPlane
// nodes on one loop thread against a running control plane, then makes M writes
// (POST /services) one at a time from the main thread and times each from the 2xx answer
// until the first and until the last DP installed the new configuration.
// Usage: propagation --admin PORT --cluster PORT[,PORT...] --cert FILE --key FILE [--dps N]
//                    [--writes M] [--prefix DIR] [--cp-pid PID] [--gap-ms MS]
// With several cluster ports, DP i connects to port i % count (bench/multi-cp: the writes go to
// one control plane node, the DPs hang off the others).
// With --cp-pid, also reads the CP's CPU time and RSS from /proc at each phase.
// Prints one "key value" per line for bench/propagation/run.sh.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kong/conf.h"
#include "kong/data_plane.h"
#include "kong/event_loop.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  int admin_port = 0;
  std::vector<int> cluster_ports;
  std::string cert, key, prefix = "/tmp";
  int dps = 1;
  int writes = 200;
  int cp_pid = 0;
  int gap_ms = 0;  // pause before each write: 0 tests back-to-back changes
};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "propagation: %s\n", message.c_str());
  std::exit(1);
}

Args ParseArgs(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i], value = argv[i + 1];
    if (name == "--admin") args.admin_port = std::atoi(value.c_str());
    else if (name == "--cluster") {
      for (size_t start = 0; start <= value.size();) {
        size_t comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        args.cluster_ports.push_back(std::atoi(value.substr(start, comma - start).c_str()));
        start = comma + 1;
      }
    }
    else if (name == "--cert") args.cert = value;
    else if (name == "--key") args.key = value;
    else if (name == "--dps") args.dps = std::atoi(value.c_str());
    else if (name == "--writes") args.writes = std::atoi(value.c_str());
    else if (name == "--prefix") args.prefix = value;
    else if (name == "--gap-ms") args.gap_ms = std::atoi(value.c_str());
    else if (name == "--cp-pid") args.cp_pid = std::atoi(value.c_str());
    else Die("unknown option " + name);
  }
  bool ports_ok = !args.cluster_ports.empty();
  for (int port : args.cluster_ports) ports_ok = ports_ok && port > 0;
  if (args.admin_port <= 0 || !ports_ok || args.cert.empty() || args.key.empty())
    Die("--admin, --cluster, --cert and --key are required");
  return args;
}

// One blocking HTTP/1.1 request on a fresh loopback connection; returns the status code.
int Post(int port, const std::string& path, const std::string& body) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    Die("cannot connect to the Admin API on port " + std::to_string(port));
  std::string request = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                        "Content-Type: application/json\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body;
  if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size()))
    Die("short write to the Admin API");
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) response.append(buf, n);
  ::close(fd);
  if (response.size() < 12) Die("no answer from the Admin API");
  return std::atoi(response.c_str() + 9);
}

// What the DP loop thread reports to the main thread.
struct Applied {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int> counts;                 // installs per DP
  std::vector<Clock::time_point> last_at;  // time of each DP's last install
  std::vector<char> ready;
};

// A process's CPU time (user + system, ms) and resident set (KiB) from /proc; zeros if pid is 0.
struct ProcessUsage {
  double cpu_ms = 0;
  long rss_kb = 0;
};
ProcessUsage ReadUsage(int pid) {
  ProcessUsage usage;
  if (pid == 0) return usage;
  std::string path = "/proc/" + std::to_string(pid);
  if (FILE* f = std::fopen((path + "/stat").c_str(), "r")) {
    char buf[2048];
    size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    std::fclose(f);
    // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
    const char* p = std::strrchr(buf, ')');
    unsigned long utime = 0, stime = 0;
    if (p && std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
                         &stime) == 2)
      usage.cpu_ms = (utime + stime) * 1000.0 / ::sysconf(_SC_CLK_TCK);
  }
  if (FILE* f = std::fopen((path + "/status").c_str(), "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f))
      if (std::sscanf(line, "VmRSS: %ld", &usage.rss_kb) == 1) break;
    std::fclose(f);
  }
  return usage;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t i = static_cast<size_t>(p * (values.size() - 1) + 0.5);
  return values[std::min(i, values.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  Args args = ParseArgs(argc, argv);
  auto loop_or = kong::EventLoop::Create();
  if (!loop_or.ok()) Die(loop_or.status().message());
  kong::EventLoop& loop = **loop_or;

  Applied applied;
  applied.counts.assign(args.dps, 0);
  applied.last_at.assign(args.dps, Clock::time_point{});
  applied.ready.assign(args.dps, 0);
  std::vector<std::unique_ptr<kong::DataPlane>> dps(args.dps);
  std::string start_error;

  // Create and start every DP on the loop thread (the loop's objects live there).
  loop.Post([&] {
    for (int i = 0; i < args.dps; ++i) {
      kong::ConfSources sources;
      sources.overrides = {{"role", "data_plane"},
                           {"database", "off"},
                           {"cluster_cert", args.cert},
                           {"cluster_cert_key", args.key},
                           {"cluster_control_plane",
                            "127.0.0.1:" + std::to_string(
                                args.cluster_ports[i % args.cluster_ports.size()])},
                           {"status_listen", "off"},
                           // Kong's default would bind 0.0.0.0:8000 in every DP.
                           {"proxy_listen", "127.0.0.1:0"},
                           {"nginx_worker_processes", "1"},
                           {"prefix", args.prefix + "/dp" + std::to_string(i)}};
      auto conf = kong::Conf::Load(sources);
      if (!conf.ok()) { start_error = conf.status().message(); break; }
      kong::DataPlaneOptions options;
      options.conf = *conf;
      options.log_sink = [i](kong::LogLevel level, std::string_view line) {
        if (level >= kong::LogLevel::kWarn || i == 0)
          std::fprintf(stderr, "dp%d [%s] %.*s\n", i, kong::LogLevelName(level),
                       static_cast<int>(line.size()), line.data());
      };
      options.hostname = "bench-dp-" + std::to_string(i);
      options.on_config_applied = [&applied, i](const std::string&) {
        std::lock_guard<std::mutex> lock(applied.mu);
        applied.counts[i]++;
        applied.last_at[i] = Clock::now();
        applied.ready[i] = 1;
        applied.cv.notify_all();
      };
      auto dp = kong::DataPlane::Create(loop, std::move(options));
      kong::Status started = dp.ok() ? (*dp)->Start() : dp.status();
      if (!started.ok()) { start_error = started.message(); break; }
      dps[i] = std::move(dp).value();
    }
    std::lock_guard<std::mutex> lock(applied.mu);
    applied.cv.notify_all();
  });
  // The writer waits on the DPs from its own thread; this thread runs the loop, which must be
  // the thread that created it.
  double connect_ms = 0;
  std::vector<double> first_ms, last_ms, write_ms;
  size_t payload_bytes = 0;
  ProcessUsage before_connect, connected, after_writes;
  std::thread writer([&] {
  auto wait_all = [&](auto predicate, const char* what) {
    std::unique_lock<std::mutex> lock(applied.mu);
    if (!applied.cv.wait_for(lock, std::chrono::seconds(60), [&] {
          return !start_error.empty() || predicate();
        }))
      Die(std::string("timed out waiting for ") + what);
    if (!start_error.empty()) Die(start_error);
  };
  before_connect = ReadUsage(args.cp_pid);
  // Every DP has a configuration (the CP pushes the current one on connect).
  Clock::time_point connect_start = Clock::now();
  wait_all([&] { return std::count(applied.ready.begin(), applied.ready.end(), 1) == args.dps; },
           "every DP's first configuration");
  connect_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - connect_start).count();

  connected = ReadUsage(args.cp_pid);
  for (int w = 0; w < args.writes; ++w) {
    std::vector<int> before;
    {
      std::lock_guard<std::mutex> lock(applied.mu);
      before = applied.counts;
    }
    if (args.gap_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(args.gap_ms));
    std::string name = "bench-" + std::to_string(::getpid()) + "-" + std::to_string(w);
    Clock::time_point sent = Clock::now();
    int status = Post(args.admin_port, "/services",
                      "{\"name\":\"" + name + "\",\"url\":\"http://127.0.0.1:9/" + name + "\"}");
    Clock::time_point acked = Clock::now();
    if (status != 201) Die("POST /services answered " + std::to_string(status));
    write_ms.push_back(std::chrono::duration<double, std::milli>(acked - sent).count());
    wait_all([&] {
               for (int i = 0; i < args.dps; ++i)
                 if (applied.counts[i] <= before[i]) return false;
               return true;
             },
             "the write to reach every DP");
    std::lock_guard<std::mutex> lock(applied.mu);
    auto [lo, hi] = std::minmax_element(applied.last_at.begin(), applied.last_at.end());
    first_ms.push_back(std::chrono::duration<double, std::milli>(*lo - acked).count());
    last_ms.push_back(std::chrono::duration<double, std::milli>(*hi - acked).count());
  }
  after_writes = ReadUsage(args.cp_pid);
  loop.Post([&] { payload_bytes = dps[0]->last_payload_bytes(); });

  // Stop every DP on the loop thread; Run returns once their handles closed.
  loop.Post([&] {
    for (auto& dp : dps)
      if (dp) dp->Stop(nullptr);
  });
  });
  (void)loop.Run();
  writer.join();
  dps.clear();

  std::printf("dps %d\nwrites %d\nconnect_all_ms %.1f\n", args.dps, args.writes, connect_ms);
  std::printf("first_dp_p50_ms %.2f\nfirst_dp_p99_ms %.2f\n", Percentile(first_ms, 0.5),
              Percentile(first_ms, 0.99));
  std::printf("all_dps_p50_ms %.2f\nall_dps_p99_ms %.2f\n", Percentile(last_ms, 0.5),
              Percentile(last_ms, 0.99));
  std::printf("write_p50_ms %.2f\nwrite_p99_ms %.2f\n", Percentile(write_ms, 0.5),
              Percentile(write_ms, 0.99));
  std::printf("payload_bytes %zu\n", payload_bytes);
  if (args.cp_pid != 0) {
    std::printf("cp_rss_kb_per_dp %.1f\n",
                static_cast<double>(connected.rss_kb - before_connect.rss_kb) / args.dps);
    std::printf("cp_connect_cpu_ms_per_dp %.2f\n",
                (connected.cpu_ms - before_connect.cpu_ms) / args.dps);
    std::printf("cp_cpu_us_per_push_per_dp %.1f\n",
                (after_writes.cpu_ms - connected.cpu_ms) * 1000.0 / (args.writes * args.dps));
  }
  return 0;
}
