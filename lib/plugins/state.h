// SharedState: what plugins keep across configuration snapshots and share between worker
// threads (local rate-limit counters, Prometheus metrics). WorkerState: what one worker
// thread's plugins share on its loop (Redis connections). Both are owned by the gateway and
// outlive every snapshot. Each holds at most one object per type, created on first use, so a
// plugin owns its state type and nothing here names it.
#ifndef KONG_PLUGINS_STATE_H_
#define KONG_PLUGINS_STATE_H_

#include <functional>
#include <memory>
#include <mutex>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include "kong/event_loop.h"

namespace kong::plugins {

// Thread-safe. Resolve objects once (in a PluginFactory) rather than per request: Get takes a
// lock. T must be default-constructible and thread-safe itself.
class SharedState {
 public:
  SharedState() = default;
  ~SharedState() = default;
  SharedState(const SharedState&) = delete;
  SharedState& operator=(const SharedState&) = delete;

  template <typename T>
  T& Get() {
    std::lock_guard lock(mu_);
    std::shared_ptr<void>& slot = objects_[std::type_index(typeid(T))];
    if (!slot) slot = std::make_shared<T>();
    return *static_cast<T*>(slot.get());
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::type_index, std::shared_ptr<void>> objects_;
};

// One per worker thread; its loop thread only. T is constructed from the worker's EventLoop&.
// Objects are destroyed in reverse creation order when the worker stops.
class WorkerState {
 public:
  explicit WorkerState(EventLoop& loop) : loop_(loop) {}
  ~WorkerState() {
    while (!order_.empty()) {
      objects_.erase(order_.back());
      order_.pop_back();
    }
  }
  WorkerState(const WorkerState&) = delete;
  WorkerState& operator=(const WorkerState&) = delete;

  EventLoop& loop() { return loop_; }

  template <typename T>
  T& Get() {
    std::type_index key(typeid(T));
    auto it = objects_.find(key);
    if (it == objects_.end()) {
      it = objects_.emplace(key, std::make_shared<T>(loop_)).first;
      order_.push_back(key);
    }
    return *static_cast<T*>(it->second.get());
  }

 private:
  EventLoop& loop_;
  std::unordered_map<std::type_index, std::shared_ptr<void>> objects_;
  std::vector<std::type_index> order_;
};

}  // namespace kong::plugins

#endif  // KONG_PLUGINS_STATE_H_
