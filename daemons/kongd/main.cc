// kongd: the node process. Loads kong.conf (+ KONG_* environment, -p prefix) and runs the
// configured role; the roles arrive in later issues, so for now a valid config is refused.
#include <cstdio>
#include <string>
#include <vector>

#include "common/cli_args.h"
#include "common/cli_log.h"
#include "kong/conf.h"

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

// Roles run with exit code 0 until stopped; 1 is a bad configuration or bad arguments.
constexpr int kExitRoleUnavailable = 2;

}  // namespace

int main(int argc, char** argv) {
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
    // What `kong start` prints: the first error only.
    kong::cli::PrintError(conf.status().message());
    return 1;
  }
  kong::cli::Log(kong::cli::CliLevel::kVerbose,
                 "loaded configuration" +
                     (conf->path().empty() ? std::string(" (no file)") : " from " + conf->path()));
  std::string role = conf->GetString("role");
  std::fprintf(stderr, "kongd: role %s is not available in this build yet\n", role.c_str());
  return kExitRoleUnavailable;
}
