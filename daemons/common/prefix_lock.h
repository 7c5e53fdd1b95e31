// The lock that makes a kongd the only node of its prefix, so that two `kong start` racing on
// one prefix leave one node running (both would pass the pid-file check before either wrote
// the pid file).
#ifndef KONG_DAEMONS_COMMON_PREFIX_LOCK_H_
#define KONG_DAEMONS_COMMON_PREFIX_LOCK_H_

#include "kong/node_files.h"
#include "kong/status.h"

namespace kong::cli {

// flock(2) on <prefix>/pids/kongd.lock (beside the pid file), held while the object lives. The
// kernel releases it when the process exits however it exits, so a crash leaves no stale lock.
class PrefixLock {
 public:
  PrefixLock() = default;
  ~PrefixLock();  // releases the lock
  PrefixLock(const PrefixLock&) = delete;
  PrefixLock& operator=(const PrefixLock&) = delete;

  // Takes the lock of `files.prefix` without waiting (its folder must exist: PrepareNodeFiles).
  // kConflict with Kong's "Kong is already running in <prefix>" when another process holds it;
  // kIo naming the file when it cannot be opened.
  Status Acquire(const NodeFiles& files);

 private:
  int fd_ = -1;
};

}  // namespace kong::cli

#endif  // KONG_DAEMONS_COMMON_PREFIX_LOCK_H_
