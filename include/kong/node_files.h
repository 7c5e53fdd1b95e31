// The files a node process keeps in its prefix, in Kong's layout: the pid file, .kong_env and
// the logs. kongd writes them and `kong start|stop|quit|reload|health` read them; embedders
// that run a node their own way may ignore them.
#ifndef KONG_NODE_FILES_H_
#define KONG_NODE_FILES_H_

#include <string>

#include "kong/conf.h"
#include "kong/export.h"
#include "kong/status.h"

namespace kong {

struct NodeFiles {
  std::string prefix;      // absolute
  std::string pid_file;    // <prefix>/pids/nginx.pid (Kong's name, so Kong's tooling finds it)
  std::string kong_env;    // <prefix>/.kong_env
  // proxy_error_log and proxy_access_log resolved against the prefix. "/dev/stdout" and
  // "/dev/stderr" are kept as written (the process's own streams); an access log set to
  // "off" is "".
  std::string error_log;
  std::string access_log;
};

// The files of a node running with `conf` (its prefix and log settings).
KONG_EXPORT NodeFiles NodeFilesOf(const Conf& conf);

// The pid file and .kong_env of the node in `prefix` (made absolute), for commands that only
// have a prefix; the log paths are left empty.
KONG_EXPORT NodeFiles NodeFilesInPrefix(const std::string& prefix);

// Creates the prefix and the folders of the pid file and of the log files (mode 0755).
// kIo naming the path that could not be created.
KONG_EXPORT Status PrepareNodeFiles(const NodeFiles& files);

// Writes `conf` as `key = value` lines, sorted, to `path` (mode 0600): a temporary file,
// fsync, rename. Secret properties (pg_password, cluster_cert_key, ...) are left out; the
// first line is a comment naming the kong.conf that was read ("# conf_path = <path>").
KONG_EXPORT Status WriteKongEnv(const Conf& conf, const std::string& path);

// The kong.conf path recorded by WriteKongEnv in `path`; "" when none was read. kNotFound
// when `path` does not exist.
KONG_EXPORT Result<std::string> ReadKongEnvConfPath(const std::string& path);

// Writes `pid` and a newline to `path` (mode 0644), atomically as above.
KONG_EXPORT Status WritePidFile(const std::string& path, long pid);

// The pid in `path`: kNotFound when the file is missing, kInvalidArgument when it does not
// hold a positive number.
KONG_EXPORT Result<long> ReadPidFile(const std::string& path);

}  // namespace kong

#endif  // KONG_NODE_FILES_H_
