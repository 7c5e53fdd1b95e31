// Terminal output of kong and kongd, in the shape of Kong's kong/cmd/utils/log.lua.
#ifndef KONG_DAEMONS_COMMON_CLI_LOG_H_
#define KONG_DAEMONS_COMMON_CLI_LOG_H_

#include <string_view>

namespace kong::cli {

// Kong's CLI levels, most verbose first.
enum class CliLevel { kDebug = 1, kVerbose, kInfo, kWarn, kError };

// 0 = info (the default), 1 = --v (verbose), 2 = --vv (debug).
void SetVerbosity(int verbosity);

// Kong's rules: messages below the current level are dropped; debug, verbose and info go to
// stdout, warn and error to stderr; a message gets a "YYYY/MM/DD hh:mm:ss [level] " prefix
// when it is a warning or an error, or when --v/--vv is on.
void Log(CliLevel level, std::string_view message);

// "Error: <message>" on stderr: how Kong's dispatcher reports a failed command.
void PrintError(std::string_view message);

}  // namespace kong::cli

#endif  // KONG_DAEMONS_COMMON_CLI_LOG_H_
