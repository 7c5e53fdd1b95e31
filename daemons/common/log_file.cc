// kongd's log files.
#include "common/log_file.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace kong::cli {
namespace {

// The descriptor for `path`: the process's stream, or a new O_APPEND one (owned).
Status OpenPath(const std::string& path, int* fd, bool* owned) {
  if (path == "/dev/stdout" || path == "/dev/stderr") {
    *fd = path == "/dev/stdout" ? STDOUT_FILENO : STDERR_FILENO;
    *owned = false;
    return Status::Ok();
  }
  int opened = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (opened < 0) {
    return Status::Io("could not open log file " + path + ": " + std::strerror(errno));
  }
  *fd = opened;
  *owned = true;
  return Status::Ok();
}

}  // namespace

LogFile::~LogFile() {
  if (owned_ && fd_ >= 0) ::close(fd_);
}

Status LogFile::Open(const std::string& path) {
  int fd = -1;
  bool owned = false;
  Status opened = OpenPath(path, &fd, &owned);
  if (!opened.ok()) return opened;
  std::lock_guard<std::mutex> lock(mu_);
  if (owned_ && fd_ >= 0) ::close(fd_);
  path_ = path;
  fd_ = fd;
  owned_ = owned;
  return Status::Ok();
}

Status LogFile::Reopen() {
  std::string path;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (fd_ < 0 || !owned_) return Status::Ok();
    path = path_;
  }
  return Open(path);
}

void LogFile::Write(std::string_view line) {
  std::string buffer;
  buffer.reserve(line.size() + 1);
  buffer.append(line);
  buffer += '\n';
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) return;
  const char* data = buffer.data();
  size_t left = buffer.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a full disk or a closed stream must not stop the node
    data += n;
    left -= static_cast<size_t>(n);
  }
}

bool LogFile::is_open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fd_ >= 0;
}

std::string ErrorLogLine(LogLevel level, std::string_view message) {
  time_t now = ::time(nullptr);
  struct tm tm;
  char stamp[32] = "";
  if (localtime_r(&now, &tm) != nullptr) std::strftime(stamp, sizeof stamp, "%Y/%m/%d %H:%M:%S", &tm);
  std::string line = std::string(stamp) + " [" + LogLevelName(level) + "] " +
                     std::to_string(::getpid()) + "#0: ";
  line.append(message);
  return line;
}

}  // namespace kong::cli
