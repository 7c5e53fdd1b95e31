// What `kong start|stop|quit|reload|restart|health` share: finding the node of a prefix,
// signalling it, and spawning kongd.
#ifndef KONG_DAEMONS_KONG_NODE_CONTROL_H_
#define KONG_DAEMONS_KONG_NODE_CONTROL_H_

#include <string>
#include <vector>

#include "common/cli_args.h"
#include "kong/conf.h"
#include "kong/node_files.h"
#include "kong/status.h"

namespace kong::cli {

// The prefix files named by -p/--prefix, else by the prefix of the default kong.conf and the
// KONG_* environment (as Kong's stop and health find them). Fails with Kong's
// "no such prefix: <prefix>" when the folder does not exist.
Result<NodeFiles> TargetNode(const ParsedArgs& parsed);

// The kong.conf for start, restart and reload: -c/--conf when given, else (with
// `use_recorded`: restart, reload) the one the node in the -p prefix was started with
// (recorded in .kong_env), else Kong's default paths; with the KONG_* environment and -p.
// `conf_path` receives the file chosen ("" for none).
Result<Conf> NodeConf(const ParsedArgs& parsed, bool use_recorded, std::string* conf_path);

// Sends `signum` to the node in `files.prefix`; Kong's "nginx not running in prefix: <p>"
// when it does not run. `pid` receives its process id.
Status SignalNode(const NodeFiles& files, int signum, long* pid);

// Starts kongd in the background (its own session, stdin and stdout on /dev/null, stderr on
// the error log) with `args`, and waits until it listens (Ok) or fails (its error line).
Status SpawnKongd(const std::vector<std::string>& args, const NodeFiles& files);

}  // namespace kong::cli

#endif  // KONG_DAEMONS_KONG_NODE_CONTROL_H_
