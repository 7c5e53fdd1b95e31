// `kong check [<conf>]`: loads a kong.conf with the process environment and reports every error.
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "common/cli_args.h"
#include "common/cli_log.h"
#include "kong/conf.h"

namespace kong::cli {

const char kCheckUsage[] =
    "Usage: kong check <conf>\n"
    "\n"
    "Check the validity of a given Kong configuration file.\n"
    "\n"
    "<conf> (default /etc/kong/kong.conf) configuration file\n"
    "\n"
    "Options:\n";

int RunCheck(const std::vector<std::string>& args) {
  if (WantsHelp(args)) {
    std::fputs(kCheckUsage, stdout);
    std::fputs(kGlobalOptionsUsage, stdout);
    return 0;
  }
  Result<ParsedArgs> parsed = ParseArgs(args, {});
  if (!parsed.ok()) {
    PrintError(parsed.status().message());
    return 1;
  }
  if (parsed->positionals.size() > 1) {
    PrintError("unexpected argument: " + parsed->positionals[1]);
    return 1;
  }
  ConfSources sources;
  sources.path = parsed->positionals.empty() ? "/etc/kong/kong.conf" : parsed->positionals[0];
  sources.env = ProcessEnvironment();
  Log(CliLevel::kVerbose, "reading config file at " + sources.path);

  std::vector<std::string> errors;
  Result<Conf> conf = Conf::Load(sources, &errors);
  if (!conf.ok()) {
    // Kong's check.lua logs each error at error level; a load that fails before validation
    // (no file) has only the one message.
    if (errors.empty()) errors.push_back(conf.status().message());
    for (const std::string& error : errors) Log(CliLevel::kError, error);
    return 1;
  }
  Log(CliLevel::kInfo, "configuration at " + sources.path + " is valid");
  return 0;
}

}  // namespace kong::cli
