// kongd: the node process. Loads kong.conf (+ KONG_* environment, -p prefix) and runs a
// control plane, data plane or traditional node in the foreground until SIGTERM or SIGINT.
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
#include "kong/control_plane.h"
#include "kong/data_plane.h"
#include "kong/uv.h"

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
    " --vv             debug\n";

// nginx's error.log shape: "2026/01/31 12:00:00 [notice] 1234#0: message".
void WriteLogLine(kong::LogLevel level, std::string_view message) {
  time_t now = ::time(nullptr);
  struct tm tm;
  char stamp[32] = "";
  if (localtime_r(&now, &tm) != nullptr)
    std::strftime(stamp, sizeof stamp, "%Y/%m/%d %H:%M:%S", &tm);
  std::string line = std::string(stamp) + " [" + kong::LogLevelName(level) + "] " +
                     std::to_string(::getpid()) + "#0: ";
  line.append(message);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
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
  void Stop(std::function<void()> on_stopped) {
    if (control_plane) {
      control_plane->Stop(std::move(on_stopped));
    } else {
      data_plane->Stop(std::move(on_stopped));
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
    options.log_level = level;
    auto created = kong::DataPlane::Create(loop, std::move(options));
    if (!created.ok()) return created.status();
    node->data_plane = std::move(created).value();
    return kong::Status::Ok();
  }
  kong::ControlPlaneOptions options;
  options.conf = conf;
  options.log_sink = WriteLogLine;
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

  kong::Result<kong::Conf> conf = kong::Conf::Load(sources);
  if (!conf.ok()) {
    kong::cli::PrintError(conf.status().message());  // what `kong start` prints: the first error
    return 1;
  }
  auto loop = kong::EventLoop::Create();
  if (!loop.ok()) {
    kong::cli::PrintError(loop.status().message());
    return 1;
  }
  Node node;
  kong::Status started = CreateNode(**loop, *conf, verbosity, &node);
  if (started.ok()) started = node.Start();
  if (!started.ok()) {
    kong::cli::PrintError(OneLine(started.message()));
    return 1;
  }

  // SIGTERM/SIGINT: graceful stop; the loop ends once the node and these handles are closed.
  uv_loop_t* uv = kong::NativeHandle(**loop);
  uv_signal_t signals[2];
  const int signums[2] = {SIGTERM, SIGINT};
  struct StopContext {
    Node* node;
    uv_signal_t* signals;
    bool stopping = false;
  } stop{&node, signals};
  for (int i = 0; i < 2; ++i) {
    uv_signal_init(uv, &signals[i]);
    signals[i].data = &stop;
    uv_signal_start(
        &signals[i],
        [](uv_signal_t* handle, int) noexcept {
          auto* ctx = static_cast<StopContext*>(handle->data);
          if (ctx->stopping) return;
          ctx->stopping = true;
          ctx->node->Stop([ctx] {
            for (int j = 0; j < 2; ++j)
              uv_close(reinterpret_cast<uv_handle_t*>(&ctx->signals[j]), nullptr);
          });
        },
        signums[i]);
  }
  kong::Status ran = (*loop)->Run();
  node = Node{};
  if (!ran.ok()) {
    kong::cli::PrintError(ran.message());
    return 1;
  }
  return 0;
}
