// kongd: the node process. Loads kong.conf (+ KONG_* environment, -p prefix) and runs a
// control plane, data plane or traditional node in the foreground: logs to the prefix's error
// log, keeps pids/nginx.pid and .kong_env, and answers nginx's signals (docs/operations.md).
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/cli_args.h"
#include "common/cli_log.h"
#include "common/log_file.h"
#include "common/node_process.h"
#include "common/prefix_lock.h"
#include "common/startup_pipe.h"
#include "kong/control_plane.h"
#include "kong/data_plane.h"
#include "kong/node_files.h"
#include "kong/uv.h"
#include "node_signals.h"

namespace {

const char kUsage[] =
    "Usage: kongd [OPTIONS]\n"
    "\n"
    "Run a Kong node (control plane or data plane, per the role property).\n"
    "\n"
    "Options:\n"
    " -c,--conf        (optional string) configuration file\n"
    "                                    (default: /etc/kong/kong.conf, then /etc/kong.conf)\n"
    " -p,--prefix      (optional string) override prefix directory\n"
    " --v              verbose\n"
    " --vv             debug\n"
    "\n"
    "Signals: TERM, INT stop; QUIT stops gracefully; HUP reloads kong.conf; USR1 reopens\n"
    "the log files. `kong start` runs kongd in the background (docs/operations.md).\n";

// proxy_error_log (Kong's admin_error_log is the same file by default; see
// docs/operations.md), and proxy_access_log for the proxy's requests.
kong::cli::LogFile error_log;
kong::cli::LogFile access_log;
// In the foreground (not spawned by `kong start`) the lines are copied to stderr too, so a
// supervisor (systemd, a container runtime, a test) sees them without configuration.
kong::cli::LogFile stderr_copy;

// nginx's error.log shape: "2026/01/31 12:00:00 [notice] 1234#0: message".
void WriteLogLine(kong::LogLevel level, std::string_view message) {
  std::string line = kong::cli::ErrorLogLine(level, message);
  error_log.Write(line);
  stderr_copy.Write(line);
}

// Startup errors are one stderr line; Kong's migration hint spans several.
std::string OneLine(const std::string& text) {
  std::string out;
  for (char c : text) {
    bool space = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// One node of either kind; kongd only starts it and stops it on a signal.
struct Node {
  std::unique_ptr<kong::ControlPlane> control_plane;
  std::unique_ptr<kong::DataPlane> data_plane;

  kong::Status Start() { return control_plane ? control_plane->Start() : data_plane->Start(); }
  kong::Status Reload(const kong::Conf& conf) {
    return control_plane ? control_plane->Reload(conf) : data_plane->Reload(conf);
  }
  void Stop(std::function<void()> on_stopped) {
    if (control_plane) {
      control_plane->Stop(std::move(on_stopped));
    } else {
      data_plane->Stop(std::move(on_stopped));
    }
  }
  void StopGracefully(std::function<void()> on_stopped) {
    if (control_plane) {
      control_plane->StopGracefully(std::move(on_stopped));
    } else {
      data_plane->StopGracefully(std::move(on_stopped));
    }
  }
};

// Builds the node the conf's role asks for (control_plane, traditional or data_plane).
kong::Status CreateNode(kong::EventLoop& loop, const kong::Conf& conf, int verbosity, Node* node) {
  std::optional<kong::LogLevel> level;
  if (verbosity == 2) level = kong::LogLevel::kDebug;
  if (conf.GetString("role") == "data_plane") {
    kong::DataPlaneOptions options;
    options.conf = conf;
    options.log_sink = WriteLogLine;
    // nginx's "combined" lines from the proxy's workers (LogFile::Write is thread-safe).
    // Only when the log is on: formatting a line per request costs CPU (proxy_access_log = off).
    if (access_log.is_open()) {
      options.access_log = [](std::string_view line) { access_log.Write(line); };
    }
    options.log_level = level;
    auto created = kong::DataPlane::Create(loop, std::move(options));
    if (!created.ok()) return created.status();
    node->data_plane = std::move(created).value();
    return kong::Status::Ok();
  }
  kong::ControlPlaneOptions options;
  options.conf = conf;
  options.log_sink = WriteLogLine;
  if (access_log.is_open()) {  // traditional
    options.access_log = [](std::string_view line) { access_log.Write(line); };
  }
  options.log_level = level;
  auto created = kong::ControlPlane::Create(loop, std::move(options));
  if (!created.ok()) return created.status();
  node->control_plane = std::move(created).value();
  return kong::Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  // A peer that vanishes while we write must be an error on that connection, not the end of
  // the process (libuv writes with plain writev); nginx ignores SIGPIPE too.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args;
  int verbosity = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--v") {
      if (verbosity < 1) verbosity = 1;
    } else if (arg == "--vv") {
      verbosity = 2;
    } else {
      args.push_back(std::move(arg));
    }
  }
  kong::cli::SetVerbosity(verbosity);
  if (kong::cli::WantsHelp(args)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  auto parsed = kong::cli::ParseArgs(args, {{"-c", "--conf", true}, {"-p", "--prefix", true}});
  if (!parsed.ok()) {
    kong::cli::PrintError(parsed.status().message());
    return 1;
  }
  if (!parsed->positionals.empty()) {
    kong::cli::PrintError("unexpected argument: " + parsed->positionals[0]);
    return 1;
  }

  kong::ConfSources sources;
  auto conf_it = parsed->options.find("--conf");
  if (conf_it != parsed->options.end()) {
    sources.path = conf_it->second;
  } else {
    sources.search_default_paths = true;
  }
  auto prefix_it = parsed->options.find("--prefix");
  if (prefix_it != parsed->options.end()) sources.overrides["prefix"] = prefix_it->second;
  sources.env = kong::cli::ProcessEnvironment();

  kong::cli::StartupNotifier notifier;
  // A startup failure is one "Error: ..." line: to `kong start` when it spawned us (it prints
  // it), else on stderr; and in the error log once that is open.
  auto fail = [&notifier](const std::string& message) {
    std::string text = OneLine(message);
    if (error_log.is_open() && error_log.path() != "/dev/stderr") {
      error_log.Write(kong::cli::ErrorLogLine(kong::LogLevel::kEmerg, text));
    }
    if (!notifier.Failed("Error: " + text)) kong::cli::PrintError(text);
    return 1;
  };
  kong::Result<kong::Conf> conf = kong::Conf::Load(sources);
  if (!conf.ok()) return fail(conf.status().message());  // what `kong start` prints
  const kong::NodeFiles files = kong::NodeFilesOf(*conf);
  if (kong::cli::RunningNodePid(files) != 0) {
    return fail("Kong is already running in " + files.prefix);
  }
  kong::Status prepared = kong::PrepareNodeFiles(files);
  // Held until kongd exits: a second kongd racing for the prefix stops here.
  kong::cli::PrefixLock prefix_lock;
  if (prepared.ok()) prepared = prefix_lock.Acquire(files);
  if (prepared.ok()) prepared = error_log.Open(files.error_log);
  if (prepared.ok() && !notifier.active() && files.error_log != "/dev/stderr") {
    prepared = stderr_copy.Open("/dev/stderr");
  }
  // The access log is the proxy's: a control plane proxies nothing.
  if (prepared.ok() && !files.access_log.empty() && conf->GetString("role") != "control_plane") {
    prepared = access_log.Open(files.access_log);
  }
  if (!prepared.ok()) return fail(prepared.message());
  auto loop = kong::EventLoop::Create();
  if (!loop.ok()) return fail(loop.status().message());
  Node node;
  kong::Status started = CreateNode(**loop, *conf, verbosity, &node);
  if (started.ok()) started = node.Start();
  if (!started.ok()) return fail(started.message());

  // Signals (docs/operations.md); the loop ends once the node and these handles are closed.
  // A fast stop may follow a graceful one (`kong quit`'s timeout): it cuts the wait short.
  enum class Stopping { kNo, kGracefully, kFast } stopping = Stopping::kNo;
  int exit_code = 0;
  std::unique_ptr<kong::cli::NodeSignals> signals;
  auto on_stopped = [&signals] { signals->Close(); };
  auto stop = [&](const std::string& why) {
    if (stopping == Stopping::kFast) return;
    stopping = Stopping::kFast;
    WriteLogLine(kong::LogLevel::kNotice, why);
    node.Stop(on_stopped);
  };
  kong::cli::SignalActions actions;
  actions.fast_stop = [&] { stop("signal received: fast shutdown"); };
  actions.graceful_stop = [&] {
    if (stopping != Stopping::kNo) return;
    stopping = Stopping::kGracefully;
    WriteLogLine(kong::LogLevel::kNotice, "signal received: graceful shutdown");
    node.StopGracefully(on_stopped);
  };
  actions.reload = [&] {
    kong::Result<kong::Conf> next = kong::Conf::Load(sources);
    kong::Status reloaded = next.ok() ? node.Reload(*next) : next.status();
    if (!reloaded.ok()) {
      WriteLogLine(kong::LogLevel::kError, "reload failed, keeping the running configuration: " +
                                               OneLine(reloaded.message()));
      return;
    }
    (void)error_log.Reopen();
    (void)access_log.Reopen();
    kong::Status env = kong::WriteKongEnv(*next, files.kong_env);
    if (!env.ok()) WriteLogLine(kong::LogLevel::kWarn, env.message());
    WriteLogLine(kong::LogLevel::kNotice,
                 "reloaded " + (next->path().empty() ? std::string("the configuration")
                                                     : next->path()));
  };
  actions.reopen_logs = [] {
    (void)error_log.Reopen();
    (void)access_log.Reopen();
  };
  signals = std::make_unique<kong::cli::NodeSignals>(kong::NativeHandle(**loop),
                                                     std::move(actions));

  // The node listens: publish the prefix files, then tell `kong start`.
  kong::Status published = kong::WriteKongEnv(*conf, files.kong_env);
  if (published.ok()) published = kong::WritePidFile(files.pid_file, ::getpid());
  if (published.ok()) {
    notifier.Ready();
  } else {
    fail(published.message());
    exit_code = 1;
    stop("stopping: the prefix files could not be written");
  }
  kong::Status ran = (*loop)->Run();
  node = Node{};
  signals.reset();
  // Remove the pid file unless another process took the prefix over meanwhile.
  kong::Result<long> pid = kong::ReadPidFile(files.pid_file);
  if (pid.ok() && *pid == ::getpid()) ::unlink(files.pid_file.c_str());
  if (!ran.ok()) {
    WriteLogLine(kong::LogLevel::kError, ran.message());
    return 1;
  }
  return exit_code;
}
