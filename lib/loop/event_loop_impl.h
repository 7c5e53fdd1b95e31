// EventLoop::Impl: a libuv loop plus the uv_async mailbox that is the only cross-thread door.
#ifndef KONG_LOOP_EVENT_LOOP_IMPL_H_
#define KONG_LOOP_EVENT_LOOP_IMPL_H_

#include <uv.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "kong/event_loop.h"

namespace kong {

class EventLoop::Impl {
 public:
  // Owns a fresh loop when `external` is null; otherwise borrows it.
  static Result<std::unique_ptr<Impl>> Create(uv_loop_t* external);
  ~Impl();

  uv_loop_t* uv() { return loop_; }
  void Post(std::function<void()> fn);
  void Quit();
  Status Run();
  bool RunOnce();
  bool IsCurrentThread() const { return std::this_thread::get_id() == owner_.load(); }

 private:
  Impl() = default;
  static void OnAsync(uv_async_t* handle) noexcept;
  void Drain();

  uv_loop_t own_loop_{};
  uv_loop_t* loop_ = nullptr;
  bool owns_loop_ = false;
  uv_async_t async_{};
  std::mutex mu_;
  std::vector<std::function<void()>> queue_;  // guarded by mu_
  std::atomic<std::thread::id> owner_;
  bool quit_ = false;  // Quit() was called; loop thread only
};

}  // namespace kong

#endif  // KONG_LOOP_EVENT_LOOP_IMPL_H_
