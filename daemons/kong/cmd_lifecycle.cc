// `kong start|stop|quit|reload|restart|health` (kong/cmd/*.lua): kongd in the background,
// driven through its pid file and nginx's signals (docs/operations.md).
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "commands.h"
#include "common/cli_log.h"
#include "common/node_process.h"
#include "kong/database.h"
#include "kong/node_files.h"
#include "node_control.h"

namespace kong::cli {

const char kStartUsage[] =
    "Usage: kong start [OPTIONS]\n"
    "\n"
    "Start Kong (kongd) in the background; return once it is listening.\n"
    "\n"
    "Options:\n"
    " -c,--conf        (optional string)   Configuration file.\n"
    " -p,--prefix      (optional string)   Override prefix directory.\n"
    " --nginx-conf     (optional string)   Ignored: kongd renders no nginx template.\n"
    " --nginx-conf-flags (optional string) Ignored, as --nginx-conf.\n"
    " --run-migrations (optional boolean)  Run migrations (bootstrap or up) before starting.\n"
    " --db-timeout     (optional number)   Accepted; the database timeouts of kong.conf apply.\n"
    " --lock-timeout   (optional number)   Accepted; migrations take the store's lock.\n"
    "\n";
const char kRestartUsage[] =
    "Usage: kong restart [OPTIONS]\n"
    "\n"
    "Stop the node in the prefix (if it runs), then start it again. Without -c, the\n"
    "configuration file the node was started with is used.\n"
    "\n"
    "Options: those of `kong start`.\n"
    "\n";
const char kStopUsage[] =
    "Usage: kong stop [OPTIONS]\n"
    "\n"
    "Stop a running Kong node (SIGTERM) and wait until it exited.\n"
    "\n"
    "Options:\n"
    " -p,--prefix      (optional string) prefix Kong is running at\n"
    "\n";
const char kQuitUsage[] =
    "Usage: kong quit [OPTIONS]\n"
    "\n"
    "Gracefully quit a running Kong node (SIGQUIT); stop it (SIGTERM) after the timeout.\n"
    "\n"
    "Options:\n"
    " -p,--prefix      (optional string) prefix Kong is running at\n"
    " -t,--timeout     (default 10) timeout before forced shutdown\n"
    " -w,--wait        (default 0) wait time before initiating the shutdown\n"
    "\n";
const char kReloadUsage[] =
    "Usage: kong reload [OPTIONS]\n"
    "\n"
    "Reload a running Kong node (SIGHUP) after checking its configuration. Log level and\n"
    "cluster certificates change in place; see docs/operations.md for the rest.\n"
    "\n"
    "Options:\n"
    " -c,--conf        (optional string) configuration file\n"
    " -p,--prefix      (optional string) prefix Kong is running at\n"
    " --nginx-conf     (optional string) Ignored: kongd renders no nginx template.\n"
    "\n";
const char kHealthUsage[] =
    "Usage: kong health [OPTIONS]\n"
    "\n"
    "Check if the necessary services are running for this node.\n"
    "\n"
    "Options:\n"
    " -p,--prefix      (optional string) prefix at which Kong should be running\n"
    "\n";

namespace {

// How long stop waits for the node to exit (it closes its connections and the database).
constexpr std::chrono::seconds kStopWait{60};
// restart: Kong waits this long for the old node before starting the new one.
constexpr std::chrono::seconds kRestartWait{5};

int Fail(const std::string& message) {
  PrintError(message);
  return 1;
}

const std::vector<OptionSpec> kStartOptions = {
    {"-c", "--conf", true},      {"-p", "--prefix", true},         {"", "--nginx-conf", true},
    {"", "--nginx-conf-flags", true}, {"", "--run-migrations", false}, {"", "--db-timeout", true},
    {"", "--lock-timeout", true}};

// Parses the command's options; one "Error: ..." line and exit 1 for a bad one, usage on
// stdout for --help. Returns -1 to go on.
int ParseCommand(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                 const char* usage, ParsedArgs* parsed) {
  if (WantsHelp(args)) {
    std::fputs(usage, stdout);
    std::fputs(kGlobalOptionsUsage, stdout);
    return 0;
  }
  Result<ParsedArgs> result = ParseArgs(args, specs);
  if (!result.ok()) return Fail(result.status().message());
  if (!result->positionals.empty()) return Fail("unexpected argument: " + result->positionals[0]);
  *parsed = std::move(result).value();
  return -1;
}

// A number of seconds (-t, -w, --db-timeout): one line naming the option when it is not one.
bool ParseSeconds(const ParsedArgs& parsed, const std::string& name, double fallback,
                  double* seconds) {
  auto it = parsed.options.find(name);
  if (it == parsed.options.end()) {
    *seconds = fallback;
    return true;
  }
  char* end = nullptr;
  *seconds = std::strtod(it->second.c_str(), &end);
  if (end == it->second.c_str() || *end != '\0' || *seconds < 0) {
    PrintError(name + " must be a number of seconds, got: " + it->second);
    return false;
  }
  return true;
}

// Kong's `start --run-migrations`: bootstrap a new database, else run the pending steps.
Status RunMigrations(const Conf& conf) {
  if (conf.GetString("database") == "off") return Status::Ok();
  Result<MigrationsState> state = GetMigrationsState(conf);
  if (!state.ok()) return state.status();
  if (!state->bootstrapped) return BootstrapDatabase(conf);
  if (!state->pending.empty()) return MigrateDatabase(conf);
  return Status::Ok();
}

int Start(const ParsedArgs& parsed, bool use_recorded_conf) {
  double unused = 0;
  if (!ParseSeconds(parsed, "--db-timeout", 60, &unused) ||
      !ParseSeconds(parsed, "--lock-timeout", 60, &unused)) {
    return 1;
  }
  if (parsed.Has("--nginx-conf") || parsed.Has("--nginx-conf-flags")) {
    Log(CliLevel::kWarn, "--nginx-conf and --nginx-conf-flags are ignored: kongd has no nginx");
  }
  std::string conf_path;
  Result<Conf> conf = NodeConf(parsed, use_recorded_conf, &conf_path);
  if (!conf.ok()) return Fail(conf.status().message());
  const NodeFiles files = NodeFilesOf(*conf);
  if (RunningNodePid(files) != 0) return Fail("Kong is already running in " + files.prefix);
  if (parsed.Has("--run-migrations")) {
    Status migrated = RunMigrations(*conf);
    if (!migrated.ok()) return Fail(migrated.message());
  }
  std::vector<std::string> kongd_args;
  if (!conf_path.empty()) kongd_args.insert(kongd_args.end(), {"-c", conf_path});
  kongd_args.insert(kongd_args.end(), {"-p", files.prefix});
  Status started = SpawnKongd(kongd_args, files);
  if (!started.ok()) return Fail(started.message());
  Log(CliLevel::kInfo, "Kong started");
  return 0;
}

int Stop(const ParsedArgs& parsed, bool quiet) {
  Result<NodeFiles> files = TargetNode(parsed);
  if (!files.ok()) return quiet ? 1 : Fail(files.status().message());
  long pid = 0;
  Status sent = SignalNode(*files, SIGTERM, &pid);
  if (!sent.ok()) return quiet ? 1 : Fail(sent.message());
  if (!WaitForExit(pid, kStopWait)) {
    return Fail("Kong (pid " + std::to_string(pid) + ") did not stop within " +
                std::to_string(kStopWait.count()) + " seconds");
  }
  if (!quiet) Log(CliLevel::kInfo, "Kong stopped");
  return 0;
}

}  // namespace

int RunStart(const std::vector<std::string>& args) {
  ParsedArgs parsed;
  int rc = ParseCommand(args, kStartOptions, kStartUsage, &parsed);
  return rc >= 0 ? rc : Start(parsed, /*use_recorded_conf=*/false);
}

int RunRestart(const std::vector<std::string>& args) {
  ParsedArgs parsed;
  int rc = ParseCommand(args, kStartOptions, kRestartUsage, &parsed);
  if (rc >= 0) return rc;
  // Kong: a quiet stop (a node that does not run is fine), then start.
  Result<NodeFiles> files = TargetNode(parsed);
  if (files.ok()) {
    long pid = 0;
    if (SignalNode(*files, SIGTERM, &pid).ok() && !WaitForExit(pid, kRestartWait)) {
      return Fail("Kong (pid " + std::to_string(pid) + ") did not stop within " +
                  std::to_string(kRestartWait.count()) + " seconds");
    }
  }
  return Start(parsed, /*use_recorded_conf=*/true);
}

int RunStop(const std::vector<std::string>& args) {
  ParsedArgs parsed;
  int rc = ParseCommand(args, {{"-p", "--prefix", true}}, kStopUsage, &parsed);
  return rc >= 0 ? rc : Stop(parsed, /*quiet=*/false);
}

int RunQuit(const std::vector<std::string>& args) {
  ParsedArgs parsed;
  int rc = ParseCommand(args, {{"-p", "--prefix", true}, {"-t", "--timeout", true},
                               {"-w", "--wait", true}},
                        kQuitUsage, &parsed);
  if (rc >= 0) return rc;
  double timeout = 0, wait = 0;
  if (!ParseSeconds(parsed, "--timeout", 10, &timeout) ||
      !ParseSeconds(parsed, "--wait", 0, &wait)) {
    return 1;
  }
  Result<NodeFiles> files = TargetNode(parsed);
  if (!files.ok()) return Fail(files.status().message());
  long pid = RunningNodePid(*files);
  if (wait > 0 && pid != 0) {
    // Kong's -w: time for a load balancer to take the node out before it stops accepting.
    Log(CliLevel::kVerbose, "waiting " + std::to_string(wait) + " seconds before quitting");
    WaitForExit(pid, std::chrono::milliseconds(static_cast<long long>(wait * 1000)));
  }
  Status sent = SignalNode(*files, SIGQUIT, &pid);
  if (!sent.ok()) return Fail(sent.message());
  Log(CliLevel::kVerbose, "waiting for Kong to finish processing requests");
  const double grace = timeout < 1 ? 1 : timeout;  // Kong's minimum
  if (WaitForExit(pid, std::chrono::milliseconds(static_cast<long long>(grace * 1000)))) {
    Log(CliLevel::kInfo, "Kong stopped (gracefully)");
    return 0;
  }
  Log(CliLevel::kVerbose, "would not quit gracefully, stopping");
  if (::kill(static_cast<pid_t>(pid), SIGTERM) == 0) WaitForExit(pid, kStopWait);
  Log(CliLevel::kInfo, "Timeout, Kong stopped forcefully");
  return 0;
}

int RunReload(const std::vector<std::string>& args) {
  ParsedArgs parsed;
  int rc = ParseCommand(args, {{"-c", "--conf", true}, {"-p", "--prefix", true},
                               {"", "--nginx-conf", true}, {"", "--nginx-conf-flags", true}},
                        kReloadUsage, &parsed);
  if (rc >= 0) return rc;
  std::string conf_path;
  Result<Conf> conf = NodeConf(parsed, /*use_recorded=*/true, &conf_path);
  if (!conf.ok()) return Fail(conf.status().message());  // the node keeps running untouched
  const NodeFiles files = NodeFilesInPrefix(conf->GetString("prefix"));
  Result<std::string> running_path = ReadKongEnvConfPath(files.kong_env);
  // kongd re-reads the file it was started with: another one needs a restart.
  if (running_path.ok() && !running_path->empty() && *running_path != conf_path) {
    return Fail("the node in " + files.prefix + " runs with " + *running_path +
                "; use `kong restart -c " + conf_path + "` to switch files");
  }
  long pid = 0;
  Status sent = SignalNode(files, SIGHUP, &pid);
  if (!sent.ok()) return Fail(sent.message());
  Log(CliLevel::kInfo, "Kong reloaded");
  return 0;
}

int RunHealth(const std::vector<std::string>& args) {
  ParsedArgs parsed;
  int rc = ParseCommand(args, {{"-p", "--prefix", true}}, kHealthUsage, &parsed);
  if (rc >= 0) return rc;
  Result<NodeFiles> files = TargetNode(parsed);
  if (!files.ok()) return Fail(files.status().message());
  if (!ReadKongEnvConfPath(files->kong_env).ok()) {
    return Fail("Kong is not running at " + files->prefix);
  }
  // Kong pads the service name with dots to 12 characters.
  if (RunningNodePid(*files) == 0) {
    Log(CliLevel::kWarn, "nginx.......not running");
    Log(CliLevel::kInfo, "");
    return Fail("some services are not running");
  }
  Log(CliLevel::kInfo, "nginx.......running");
  Log(CliLevel::kInfo, "");
  Log(CliLevel::kInfo, "Kong is healthy at " + files->prefix);
  return 0;
}

}  // namespace kong::cli
