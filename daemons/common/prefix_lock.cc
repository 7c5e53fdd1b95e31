// PrefixLock over flock(2).
#include "common/prefix_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace kong::cli {
namespace {

// Beside the pid file.
std::string LockPath(const std::string& pid_file) {
  size_t slash = pid_file.rfind('/');
  return (slash == std::string::npos ? std::string(".") : pid_file.substr(0, slash)) +
         "/kongd.lock";
}

}  // namespace

PrefixLock::~PrefixLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the only descriptor releases the lock
}

Status PrefixLock::Acquire(const NodeFiles& files) {
  const std::string path = LockPath(files.pid_file);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Io("could not open " + path + ": " + std::strerror(errno));
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return Status::Conflict("Kong is already running in " + files.prefix);
    return Status::Io("could not lock " + path + ": " + std::strerror(err));
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  return Status::Ok();
}

}  // namespace kong::cli
