// Atomic file writes (temp + fsync + rename) and small file utilities.
#include "base/files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

namespace kong::base {
namespace {

std::string DirName(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write " + path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open " + dir);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus(err, "fsync " + dir);
  return Status();
}

}  // namespace

Status ErrnoStatus(int err, const std::string& what) {
  std::string msg = what + ": " + ::strerror(err);
  switch (err) {
    case ENOENT: return Status::NotFound(msg);
    case EEXIST: return Status::Conflict(msg);
    case EACCES:
    case EPERM:
    case EROFS: return Status::PermissionDenied(msg);
    default: return Status::Io(msg);
  }
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

std::string AbsolutePath(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char buf[PATH_MAX];
  if (::getcwd(buf, sizeof buf) == nullptr) return path;
  std::string cwd(buf);
  std::string rel = path;
  while (rel.rfind("./", 0) == 0) rel.erase(0, 2);
  if (rel == ".") return cwd;
  return cwd == "/" ? "/" + rel : cwd + "/" + rel;
}

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open " + path);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return ErrnoStatus(err, "read " + path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status AtomicWriteFile(const std::string& path, std::string_view data, unsigned mode,
                       bool exclusive) {
  if (exclusive && PathExists(path)) {
    return Status::Conflict(path + " already exists.\nWill not overwrite it.");
  }
  std::string dir = DirName(path);
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return ErrnoStatus(errno, "create " + tmp);
  Status st;
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) st = ErrnoStatus(errno, "chmod " + tmp);
  if (st.ok()) st = WriteAll(fd, data, tmp);
  if (st.ok() && ::fsync(fd) != 0) st = ErrnoStatus(errno, "fsync " + tmp);
  if (::close(fd) != 0 && st.ok()) st = ErrnoStatus(errno, "close " + tmp);
  if (st.ok()) {
    if (exclusive) {
      // link(2) fails with EEXIST instead of replacing, closing the check-then-rename race.
      if (::link(tmp.c_str(), path.c_str()) != 0) {
        st = errno == EEXIST
                 ? Status::Conflict(path + " already exists.\nWill not overwrite it.")
                 : ErrnoStatus(errno, "link " + path);
      }
      ::unlink(tmp.c_str());
    } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
      st = ErrnoStatus(errno, "rename " + tmp + " to " + path);
    }
  }
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return SyncDir(dir);
}

}  // namespace kong::base
