// Whether the node of a prefix runs, from its pid file (kong start|stop|quit|reload|health
// and kongd's own double-start check).
#ifndef KONG_DAEMONS_COMMON_NODE_PROCESS_H_
#define KONG_DAEMONS_COMMON_NODE_PROCESS_H_

#include <chrono>

#include "kong/node_files.h"

namespace kong::cli {

// True when `pid` names a live process (a zombie counts as gone).
bool ProcessAlive(long pid);

// The pid of the node running in `files.prefix`, or 0 when the pid file is missing, unreadable
// or names a process that is gone (a stale pid file does not count).
long RunningNodePid(const NodeFiles& files);

// Waits until `pid` is gone or `timeout` passed; true when it is gone.
bool WaitForExit(long pid, std::chrono::milliseconds timeout);

}  // namespace kong::cli

#endif  // KONG_DAEMONS_COMMON_NODE_PROCESS_H_
