// A one-shot libuv timer that its owner may destroy at any time (the handle closes itself).
#ifndef KONG_NET_TIMER_H_
#define KONG_NET_TIMER_H_

#include <cstdint>
#include <functional>

#include "kong/event_loop.h"

namespace kong::net {

// The uv_timer_t lives in a heap core that is freed only in its close callback, so a Timer
// member never forces its owner to wait for a close callback (uvw's leak_if idea).
// All methods: loop thread only.
class Timer {
 public:
  explicit Timer(EventLoop& loop);
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  // Closes the handle if still open; no callback runs afterwards.
  ~Timer();

  // (Re)starts the timer: `fn` runs once after `ms` milliseconds unless stopped first.
  void Start(uint64_t ms, std::function<void()> fn);
  void Stop();
  bool active() const;

  // Closes the handle; `on_closed` (may be empty) runs after libuv's close callback, unless the
  // Timer is destroyed first. Idempotent: later calls do nothing.
  void Close(std::function<void()> on_closed);

 private:
  struct Core;
  Core* core_;
};

}  // namespace kong::net

#endif  // KONG_NET_TIMER_H_
