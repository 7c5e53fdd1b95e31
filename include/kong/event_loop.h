// kong::EventLoop: one event loop, run by one thread, that the library's objects live on.
#ifndef KONG_EVENT_LOOP_H_
#define KONG_EVENT_LOOP_H_

#include <functional>
#include <memory>

#include "kong/export.h"
#include "kong/status.h"

namespace kong {

// An event loop (libuv underneath; see kong/uv.h to bring your own). Objects created on a loop
// (ControlPlane, DataPlane, ...) must be used from the thread that runs it; the only call that
// is safe from any thread is Post().
// The library never changes signal dispositions. Sockets are written with writev(2), so a
// process using it should ignore SIGPIPE (signal(SIGPIPE, SIG_IGN), as kongd and nginx do);
// otherwise a peer that disconnects during a write ends the process.
class KONG_EXPORT EventLoop {
 public:
  // A new loop owned by the returned object.
  static Result<std::unique_ptr<EventLoop>> Create();

  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  // REQUIRES: every object created on this loop has been stopped and destroyed.
  ~EventLoop();

  // Runs the loop on the calling thread until no object keeps it alive (every listener and
  // connection closed) or Quit() is called. The calling thread becomes the loop's thread.
  Status Run();

  // Runs one iteration without blocking; returns true if more work remains. For tests and for
  // programs that poll.
  bool RunOnce();

  // Thread-safe. Queues `fn` to run on the loop's thread, in posting order. Wakeups coalesce.
  // A closure posted after the loop's last run is destroyed without running.
  void Post(std::function<void()> fn);

  // Thread-safe. Makes Run() return after the current iteration.
  void Quit();

  // True when called on the thread that runs (or, before the first Run, created) the loop.
  bool IsCurrentThread() const;

  // For the library's internals: Impl is not part of the public API.
  class Impl;
  explicit EventLoop(std::unique_ptr<Impl> impl);
  Impl* impl() const { return impl_.get(); }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kong

#endif  // KONG_EVENT_LOOP_H_
