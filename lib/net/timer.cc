// Timer: the uv_timer_t core outlives the front object until libuv's close callback.
#include "net/timer.h"

#include <uv.h>

#include "kong/uv.h"

namespace kong::net {

// Deadlines are kept lazily: Stop() only forgets the deadline (and unrefs the handle so that it
// keeps no loop alive), and Start() re-arms libuv only when the new deadline is earlier than
// the one libuv already holds. A libuv timer that fires before the current deadline re-arms
// for the rest. A connection that stops and restarts its timeout on every request thus leaves
// libuv's timer heap alone, as nginx's lazily deleted timers do.
struct Timer::Core {
  uv_timer_t handle;
  Timer* owner = nullptr;
  bool closing = false;
  bool pending = false;   // started and not stopped nor fired: `fn` runs at `deadline`
  uint64_t deadline = 0;  // loop time (ms) at which `fn` runs, while pending
  uint64_t armed = 0;     // loop time (ms) at which libuv fires, while its handle is active
  std::function<void()> fn;
  std::function<void()> on_closed;

  uv_handle_t* uv() { return reinterpret_cast<uv_handle_t*>(&handle); }

  void Arm(uint64_t now, uint64_t at) {
    armed = at;
    uv_timer_start(&handle, &Core::OnFire, at - now, 0);
  }

  static void OnFire(uv_timer_t* t) noexcept {
    auto* core = static_cast<Core*>(t->data);
    if (!core->pending) return;  // stopped since it was armed
    const uint64_t now = uv_now(t->loop);
    if (now < core->deadline) {  // restarted with a later deadline: sleep until then
      core->Arm(now, core->deadline);
      return;
    }
    core->pending = false;
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
    pending = false;
    fn = nullptr;
    uv_close(uv(), &Core::OnClose);
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
  Core& c = *core_;
  c.fn = std::move(fn);
  const uint64_t now = uv_now(c.handle.loop);
  uint64_t deadline = now + ms;
  if (deadline < now) deadline = UINT64_MAX;  // libuv clamps the same way
  c.deadline = deadline;
  c.pending = true;
  uv_ref(c.uv());
  if (uv_is_active(c.uv()) && c.armed <= deadline) return;  // fires early, then re-arms
  c.Arm(now, deadline);
}

void Timer::Stop() {
  if (core_ == nullptr || core_->closing || !core_->pending) return;
  core_->pending = false;
  core_->fn = nullptr;
  uv_unref(core_->uv());  // still armed, but keeps no loop alive
}

bool Timer::active() const { return core_ != nullptr && !core_->closing && core_->pending; }

void Timer::Close(std::function<void()> on_closed) {
  if (core_ == nullptr || core_->closing) return;
  core_->on_closed = std::move(on_closed);
  core_->BeginClose();
}

}  // namespace kong::net
