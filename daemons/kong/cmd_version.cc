// `kong version [-a|--all]`: the Kong release this build follows and the libkonghybrid version.
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "common/cli_args.h"
#include "common/cli_log.h"
#include "kong/version.h"

namespace kong::cli {

const char kVersionUsage[] =
    "Usage: kong version [OPTIONS]\n"
    "\n"
    "Print Kong's version. With the -a option, will print\n"
    "the version of all underlying dependencies.\n"
    "\n"
    "Options:\n"
    " -a,--all         get version of all dependencies\n";

int RunVersion(const std::vector<std::string>& args) {
  if (WantsHelp(args)) {
    std::fputs(kVersionUsage, stdout);
    std::fputs(kGlobalOptionsUsage, stdout);
    return 0;
  }
  Result<ParsedArgs> parsed = ParseArgs(args, {{"-a", "--all", /*takes_value=*/false}});
  if (!parsed.ok()) {
    PrintError(parsed.status().message());
    return 1;
  }
  if (!parsed->positionals.empty()) {
    PrintError("unexpected argument: " + parsed->positionals[0]);
    return 1;
  }
  if (parsed->Has("--all")) {
    std::printf("Kong: %s\nlibkonghybrid: %s\nlibkonghybrid headers: %s\n", kKongCompatibleVersion,
                LinkedVersion(), KONG_VERSION_STRING);
  } else {
    std::printf("Kong %s (libkonghybrid %s)\n", kKongCompatibleVersion, LinkedVersion());
  }
  return 0;
}

}  // namespace kong::cli
