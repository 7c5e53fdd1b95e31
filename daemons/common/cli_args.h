// Argument parsing shared by kong and kongd, following Kong's lapp conventions.
#ifndef KONG_DAEMONS_COMMON_CLI_ARGS_H_
#define KONG_DAEMONS_COMMON_CLI_ARGS_H_

#include <map>
#include <string>
#include <vector>

#include "kong/status.h"

namespace kong::cli {

// One option of a command: "-d" / "--days", taking a value or not. Either name may be empty.
struct OptionSpec {
  std::string short_name;  // "-d"
  std::string long_name;   // "--days"
  bool takes_value = false;
};

struct ParsedArgs {
  std::vector<std::string> positionals;
  // Options that were given, by long name (short name if it has none), e.g. "--days" -> "30".
  // Flags map to "".
  std::map<std::string, std::string> options;
  bool help = false;  // -h or --help was given

  bool Has(const std::string& long_name) const { return options.count(long_name) != 0; }
};

// Parses `args` (without the program and command names). Options may appear anywhere; "--"
// makes every later argument positional; values are given as "--days 30", "--days=30" or
// "-d 30". kInvalidArgument with a one-line message for an unknown option
// ("unrecognized parameter: --foo") or a missing value ("--days needs a value").
Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                             const std::vector<OptionSpec>& specs);

// True if -h or --help appears before any "--".
bool WantsHelp(const std::vector<std::string>& args);

// The process environment (environ) as name -> value, for ConfSources::env.
std::map<std::string, std::string> ProcessEnvironment();

}  // namespace kong::cli

#endif  // KONG_DAEMONS_COMMON_CLI_ARGS_H_
