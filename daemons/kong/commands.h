// The subcommands of `kong`; each takes the arguments after its name and returns the exit code.
#ifndef KONG_DAEMONS_KONG_COMMANDS_H_
#define KONG_DAEMONS_KONG_COMMANDS_H_

#include <string>
#include <vector>

#include "common/cli_args.h"
#include "kong/conf.h"

namespace kong::cli {

// The Kong release whose CLI, configuration and clustering behaviour this build follows
// (docs/differences-from-kong.md).
inline constexpr char kKongCompatibleVersion[] = "3.10.0";

int RunCheck(const std::vector<std::string>& args);
int RunConfig(const std::vector<std::string>& args);
int RunHealth(const std::vector<std::string>& args);
int RunHybrid(const std::vector<std::string>& args);
int RunMigrations(const std::vector<std::string>& args);
int RunQuit(const std::vector<std::string>& args);
int RunReload(const std::vector<std::string>& args);
int RunRestart(const std::vector<std::string>& args);
int RunStart(const std::vector<std::string>& args);
int RunStop(const std::vector<std::string>& args);
int RunVersion(const std::vector<std::string>& args);

// Usage texts, printed for --help (stdout) and usage errors (stderr).
extern const char kCheckUsage[];
extern const char kConfigUsage[];
extern const char kHealthUsage[];
extern const char kHybridUsage[];
extern const char kMigrationsUsage[];
extern const char kQuitUsage[];
extern const char kReloadUsage[];
extern const char kRestartUsage[];
extern const char kStartUsage[];
extern const char kStopUsage[];
extern const char kVersionUsage[];

// kong.conf for a command's -c/--conf and -p/--prefix, with the process environment, as kongd
// loads it (so both open the same database).
Result<Conf> LoadCommandConf(const ParsedArgs& parsed);

// `kong config init`'s example kong.yml.
extern const char kKongYmlTemplate[];

// The options every command accepts (Kong appends them to each command's usage).
extern const char kGlobalOptionsUsage[];

}  // namespace kong::cli

#endif  // KONG_DAEMONS_KONG_COMMANDS_H_
