// NodeLifecycle: the created -> running -> stopping -> stopped states every node kind
// (ControlPlane, DataPlane) goes through, with the on_stopped callbacks of every Stop() call.
#ifndef KONG_API_NODE_LIFECYCLE_H_
#define KONG_API_NODE_LIFECYCLE_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "kong/event_loop.h"
#include "kong/status.h"

namespace kong::api {

class NodeLifecycle {
 public:
  using Callback = std::function<void()>;

  // Start's first step: kConflict `already_started` unless the node was never started. From
  // here a failed Start leaves the node stopped for good (nothing to stop, no retry).
  Status BeginStart(const char* already_started) {
    if (state_ != State::kCreated) return Status::Conflict(already_started);
    state_ = State::kStopped;
    return Status::Ok();
  }
  void Started() { state_ = State::kRunning; }

  // Stop's first step: records `on_stopped` (may be empty). True when the node was running and
  // is now stopping: the caller closes its handles and calls Finish() at the end. Otherwise
  // nothing is to be done: a stop in progress answers every waiter when it finishes, and a node
  // with nothing open answers them on a later loop iteration (never inside Stop), touching
  // nothing of the node then, which may be gone.
  bool BeginStop(EventLoop& loop, Callback on_stopped) {
    if (on_stopped) waiters_.push_back(std::move(on_stopped));
    switch (state_) {
      case State::kStopping:
        return false;
      case State::kCreated:
      case State::kStopped:
        state_ = State::kStopped;
        PostWaiters(loop);
        return false;
      case State::kRunning:
        break;
    }
    state_ = State::kStopping;
    return true;
  }

  // Called by the public object's destructor while handles are open: the node frees itself
  // when stopped. True when the caller must begin a Stop now.
  bool DestroyWhenStopped() {
    self_owned_ = true;
    return state_ == State::kRunning;
  }

  // The stop finished: the node is stopped; returns the waiters for the caller to run once it
  // no longer touches itself (a callback may destroy the public object).
  std::vector<Callback> Finish() {
    state_ = State::kStopped;
    std::vector<Callback> callbacks = std::move(waiters_);
    waiters_.clear();
    return callbacks;
  }

  bool open() const { return state_ == State::kRunning || state_ == State::kStopping; }
  bool running() const { return state_ == State::kRunning; }
  // The node belongs to itself (its public object is gone) and must delete itself at Finish.
  bool self_owned() const { return self_owned_; }

 private:
  enum class State { kCreated, kRunning, kStopping, kStopped };

  void PostWaiters(EventLoop& loop) {
    std::vector<Callback> callbacks = std::move(waiters_);
    waiters_.clear();
    if (callbacks.empty()) return;
    loop.Post([callbacks = std::move(callbacks)] {
      for (const auto& cb : callbacks) cb();
    });
  }

  State state_ = State::kCreated;
  std::vector<Callback> waiters_;
  bool self_owned_ = false;
};

}  // namespace kong::api

#endif  // KONG_API_NODE_LIFECYCLE_H_
