// Process checks over the pid file.
#include "common/node_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>
#include <thread>

namespace kong::cli {
namespace {

// The state letter of /proc/<pid>/stat ("Z" for a zombie); 0 when unknown.
char ProcessState(long pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return 0;
  size_t paren = text.rfind(')');  // the command name may hold spaces and parentheses
  if (paren == std::string::npos || paren + 2 >= text.size()) return 0;
  return text[paren + 2];
}

}  // namespace

bool ProcessAlive(long pid) {
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
  return ProcessState(pid) != 'Z';
}

long RunningNodePid(const NodeFiles& files) {
  Result<long> pid = ReadPidFile(files.pid_file);
  if (!pid.ok() || !ProcessAlive(*pid)) return 0;
  return *pid;
}

bool WaitForExit(long pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
#ifdef SYS_pidfd_open
  // A pidfd becomes readable when the process exits: no polling interval to tune.
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
  if (pidfd >= 0) {
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() < 0) left = std::chrono::milliseconds(0);
      struct pollfd p = {pidfd, POLLIN, 0};
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n < 0 && errno == EINTR) continue;
      ::close(pidfd);
      return n > 0 || !ProcessAlive(pid);
    }
  }
#endif
  // Kernels before 5.3: look every 50 ms.
  while (ProcessAlive(pid)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace kong::cli
