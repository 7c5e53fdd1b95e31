// Timer: the uv_timer_t core outlives the front object until libuv's close callback.
#include "net/timer.h"

#include <uv.h>

#include "kong/uv.h"

namespace kong::net {

struct Timer::Core {
  uv_timer_t handle;
  Timer* owner = nullptr;
  bool closing = false;
  std::function<void()> fn;
  std::function<void()> on_closed;

  static void OnFire(uv_timer_t* t) noexcept {
    auto* core = static_cast<Core*>(t->data);
    // Move out first: fn may restart the timer (replacing core->fn) or destroy the owner.
    auto fn = std::move(core->fn);
    core->fn = nullptr;
    if (fn) fn();
  }
  static void OnClose(uv_handle_t* h) noexcept {
    auto* core = static_cast<Core*>(h->data);
    auto cb = std::move(core->on_closed);
    if (core->owner) core->owner->core_ = nullptr;
    delete core;
    if (cb) cb();
  }
  void BeginClose() {
    if (closing) return;
    closing = true;
    fn = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&handle), &Core::OnClose);
  }
};

Timer::Timer(EventLoop& loop) : core_(new Core()) {
  core_->owner = this;
  core_->handle.data = core_;
  uv_timer_init(NativeHandle(loop), &core_->handle);  // cannot fail on unix
}

Timer::~Timer() {
  if (core_ == nullptr) return;
  core_->owner = nullptr;
  core_->on_closed = nullptr;
  core_->BeginClose();
}

void Timer::Start(uint64_t ms, std::function<void()> fn) {
  if (core_ == nullptr || core_->closing) return;
  core_->fn = std::move(fn);
  uv_timer_start(&core_->handle, &Core::OnFire, ms, 0);
}

void Timer::Stop() {
  if (core_ == nullptr || core_->closing) return;
  core_->fn = nullptr;
  uv_timer_stop(&core_->handle);
}

bool Timer::active() const {
  return core_ != nullptr && !core_->closing &&
         uv_is_active(reinterpret_cast<const uv_handle_t*>(&core_->handle));
}

void Timer::Close(std::function<void()> on_closed) {
  if (core_ == nullptr || core_->closing) return;
  core_->on_closed = std::move(on_closed);
  core_->BeginClose();
}

}  // namespace kong::net
