// kongd's side of the startup pipe.
#include "common/startup_pipe.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

namespace kong::cli {

StartupNotifier::StartupNotifier() {
  const char* value = std::getenv(kNotifyFdVariable);
  if (value == nullptr) return;
  char* end = nullptr;
  long fd = std::strtol(value, &end, 10);
  ::unsetenv(kNotifyFdVariable);
  if (end == value || *end != '\0' || fd < 3 || ::fcntl(static_cast<int>(fd), F_GETFD) < 0) return;
  fd_ = static_cast<int>(fd);
  ::fcntl(fd_, F_SETFD, FD_CLOEXEC);
}

StartupNotifier::~StartupNotifier() {
  if (fd_ >= 0) ::close(fd_);
}

void StartupNotifier::Ready() { Send(kReadyLine); }

bool StartupNotifier::Failed(std::string_view line) {
  if (fd_ < 0) return false;
  Send(line);
  return true;
}

void StartupNotifier::Send(std::string_view line) {
  if (fd_ < 0) return;
  std::string text(line);
  text += '\n';
  const char* data = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data += n;
    left -= static_cast<size_t>(n);
  }
  ::close(fd_);
  fd_ = -1;
}

}  // namespace kong::cli
