// `kong`: Kong's command line over libkonghybrid (check, config, health, hybrid, migrations,
// quit, reload, restart, start, stop, version).
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "common/cli_log.h"
#include "kong/version.h"

namespace kong::cli {
const char kGlobalOptionsUsage[] =
    " --v              verbose\n"
    " --vv             debug\n";
}  // namespace kong::cli

namespace {

using kong::cli::CliLevel;

struct Command {
  const char* name;
  int (*run)(const std::vector<std::string>& args);
  const char* usage;
};

const Command kCommands[] = {
    {"check", kong::cli::RunCheck, kong::cli::kCheckUsage},
    {"config", kong::cli::RunConfig, kong::cli::kConfigUsage},
    {"health", kong::cli::RunHealth, kong::cli::kHealthUsage},
    {"hybrid", kong::cli::RunHybrid, kong::cli::kHybridUsage},
    {"migrations", kong::cli::RunMigrations, kong::cli::kMigrationsUsage},
    {"quit", kong::cli::RunQuit, kong::cli::kQuitUsage},
    {"reload", kong::cli::RunReload, kong::cli::kReloadUsage},
    {"restart", kong::cli::RunRestart, kong::cli::kRestartUsage},
    {"start", kong::cli::RunStart, kong::cli::kStartUsage},
    {"stop", kong::cli::RunStop, kong::cli::kStopUsage},
    {"version", kong::cli::RunVersion, kong::cli::kVersionUsage},
};

void PrintUsage(std::FILE* out) {
  std::string text = "Usage: kong COMMAND [OPTIONS]\n\nThe available commands are:\n";
  for (const Command& c : kCommands) text += std::string(" ") + c.name + "\n";
  text += "\nRun `kong COMMAND --help` for the options of a command.\n\nOptions:\n";
  text += kong::cli::kGlobalOptionsUsage;
  std::fputs(text.c_str(), out);
}

const Command* FindCommand(const std::string& name) {
  for (const Command& c : kCommands) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  // Writes to a vanished peer (the Admin API, a database) fail with EPIPE instead of ending the
  // process, as in kongd.
  std::signal(SIGPIPE, SIG_IGN);
  // --v and --vv are global, as in Kong; they are taken out wherever they appear (before "--").
  std::vector<std::string> args;
  int verbosity = 0;
  bool after_separator = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (!after_separator && arg == "--v") {
      if (verbosity < 1) verbosity = 1;
      continue;
    }
    if (!after_separator && arg == "--vv") {
      verbosity = 2;
      continue;
    }
    if (arg == "--") after_separator = true;
    args.push_back(std::move(arg));
  }
  kong::cli::SetVerbosity(verbosity);

  if (args.empty()) {
    PrintUsage(stderr);
    return 1;
  }
  std::string name = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (name == "-h" || name == "--help" || name == "help") {
    // `kong help <command>` is `kong <command> --help`.
    const Command* target = rest.empty() ? nullptr : FindCommand(rest[0]);
    if (target != nullptr) {
      std::fputs(target->usage, stdout);
      std::fputs(kong::cli::kGlobalOptionsUsage, stdout);
      return 0;
    }
    if (!rest.empty()) {
      std::fprintf(stderr, "No such command: %s\n", rest[0].c_str());
      return 1;
    }
    PrintUsage(stdout);
    return 0;
  }
  const Command* command = FindCommand(name);
  if (command == nullptr) {
    // Kong's dispatcher prints this bare (no "Error: "), then exits 1.
    std::fprintf(stderr, "No such command: %s\n", name.c_str());
    return 1;
  }
  kong::cli::Log(CliLevel::kVerbose, std::string("Kong: ") + kong::cli::kKongCompatibleVersion +
                                         " (libkonghybrid " + kong::LinkedVersion() + ")");
  return command->run(rest);
}
