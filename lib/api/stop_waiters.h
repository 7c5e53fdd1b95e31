// StopWaiters: the on_stopped callbacks of every Stop() call on a node, each run once.
#ifndef KONG_API_STOP_WAITERS_H_
#define KONG_API_STOP_WAITERS_H_

#include <functional>
#include <utility>
#include <vector>

#include "kong/event_loop.h"

namespace kong::api {

class StopWaiters {
 public:
  using Callback = std::function<void()>;

  void Add(Callback callback) {
    if (callback) waiters_.push_back(std::move(callback));
  }

  // Nothing was open: the callbacks run on a later loop iteration (never inside Stop) and
  // touch nothing of the node then, which may be gone.
  void PostAll(EventLoop& loop) {
    auto callbacks = Take();
    if (callbacks.empty()) return;
    loop.Post([callbacks = std::move(callbacks)] {
      for (const auto& cb : callbacks) cb();
    });
  }

  // Hands the callbacks over, so the caller can run them after it released the node (a
  // callback may destroy the public object).
  std::vector<Callback> Take() {
    std::vector<Callback> callbacks = std::move(waiters_);
    waiters_.clear();
    return callbacks;
  }

 private:
  std::vector<Callback> waiters_;
};

}  // namespace kong::api

#endif  // KONG_API_STOP_WAITERS_H_
