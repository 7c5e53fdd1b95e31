// Files kongd appends log lines to: the error log (nginx's line format) and the access log.
#ifndef KONG_DAEMONS_COMMON_LOG_FILE_H_
#define KONG_DAEMONS_COMMON_LOG_FILE_H_

#include <mutex>
#include <string>
#include <string_view>

#include "kong/logger.h"
#include "kong/status.h"

namespace kong::cli {

// One log destination. Write may be called from any thread (the proxy's workers write the
// access log); each line is one write(2) on an O_APPEND descriptor, so lines never interleave.
class LogFile {
 public:
  LogFile() = default;
  ~LogFile();
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  // "/dev/stdout" and "/dev/stderr" write to the process's own streams (Kong's Docker images
  // set the logs so); any other path is created (0644) or appended to. kIo naming the path.
  Status Open(const std::string& path);
  // Opens the path again, for log rotation (SIGUSR1, SIGHUP); on failure the old descriptor
  // stays in use.
  Status Reopen();
  // Appends `line` and a newline; does nothing before Open.
  void Write(std::string_view line);

  bool is_open() const;
  const std::string& path() const { return path_; }

 private:
  mutable std::mutex mu_;
  std::string path_;
  int fd_ = -1;
  bool owned_ = false;  // false for the process's stdout/stderr
};

// nginx's error.log line: "2026/01/31 12:00:00 [notice] 1234#0: message" (local time).
std::string ErrorLogLine(LogLevel level, std::string_view message);

}  // namespace kong::cli

#endif  // KONG_DAEMONS_COMMON_LOG_FILE_H_
