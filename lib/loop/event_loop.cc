// EventLoop over libuv. Posted closures are drained in order on the loop thread.
#include "kong/event_loop.h"

#include "kong/uv.h"
#include "loop/event_loop_impl.h"
#include "loop/uv_error.h"

namespace kong {

Result<std::unique_ptr<EventLoop::Impl>> EventLoop::Impl::Create(uv_loop_t* external) {
  std::unique_ptr<Impl> impl(new Impl());
  impl->owner_ = std::this_thread::get_id();
  if (external) {
    impl->loop_ = external;
  } else {
    int rc = uv_loop_init(&impl->own_loop_);
    if (rc != 0) return loop::UvError(rc, "uv_loop_init");
    impl->loop_ = &impl->own_loop_;
    impl->owns_loop_ = true;
  }
  int rc = uv_async_init(impl->loop_, &impl->async_, &Impl::OnAsync);
  if (rc != 0) {
    if (impl->owns_loop_) uv_loop_close(impl->loop_);
    impl->owns_loop_ = false;
    return loop::UvError(rc, "uv_async_init");
  }
  impl->async_.data = impl.get();
  // The mailbox alone must not keep uv_run alive: the loop ends when its real work ends.
  uv_unref(reinterpret_cast<uv_handle_t*>(&impl->async_));
  return impl;
}

EventLoop::Impl::~Impl() {
  uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
  // Let the close callback run so the loop (ours or the caller's) holds no pointer into us.
  uv_run(loop_, UV_RUN_NOWAIT);
  if (owns_loop_) {
    // Anything still open here belongs to an object destroyed without Stop(); close it so the
    // loop can be closed rather than leaked.
    uv_walk(
        loop_,
        [](uv_handle_t* h, void*) {
          if (!uv_is_closing(h)) uv_close(h, nullptr);
        },
        nullptr);
    uv_run(loop_, UV_RUN_DEFAULT);
    uv_loop_close(loop_);
  }
}

void EventLoop::Impl::OnAsync(uv_async_t* handle) noexcept {
  static_cast<Impl*>(handle->data)->Drain();
}

void EventLoop::Impl::Drain() {
  // A posted closure may post again; take batches until the queue stays empty.
  for (;;) {
    std::vector<std::function<void()>> batch;
    {
      std::lock_guard<std::mutex> lock(mu_);
      batch.swap(queue_);
    }
    if (batch.empty()) return;
    for (auto& fn : batch) fn();
  }
}

void EventLoop::Impl::Post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(fn));
  }
  uv_async_send(&async_);
}

void EventLoop::Impl::Quit() {
  Post([this] {
    quit_ = true;
    uv_stop(loop_);
  });
}

Status EventLoop::Impl::Run() {
  owner_ = std::this_thread::get_id();
  quit_ = false;
  // Closures posted before Run (e.g. "create and start a node") start the work that keeps the
  // loop alive, so they run first; closures posted by the last callbacks may start new work
  // too, so the loop ends only when a drain leaves nothing alive (or Quit was called).
  Drain();
  for (;;) {
    uv_run(loop_, UV_RUN_DEFAULT);
    Drain();
    if (quit_ || uv_loop_alive(loop_) == 0) break;
  }
  return Status();
}

bool EventLoop::Impl::RunOnce() {
  owner_ = std::this_thread::get_id();
  return uv_run(loop_, UV_RUN_NOWAIT) != 0;
}

EventLoop::EventLoop(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EventLoop::~EventLoop() = default;

Result<std::unique_ptr<EventLoop>> EventLoop::Create() {
  auto impl = Impl::Create(nullptr);
  if (!impl.ok()) return impl.status();
  return std::make_unique<EventLoop>(std::move(impl).value());
}

Status EventLoop::Run() { return impl_->Run(); }
bool EventLoop::RunOnce() { return impl_->RunOnce(); }
void EventLoop::Post(std::function<void()> fn) { impl_->Post(std::move(fn)); }
void EventLoop::Quit() { impl_->Quit(); }
bool EventLoop::IsCurrentThread() const { return impl_->IsCurrentThread(); }

Result<std::unique_ptr<EventLoop>> WrapUvLoop(uv_loop_t* loop) {
  if (loop == nullptr) return Status::InvalidArgument("WrapUvLoop: loop is null");
  auto impl = EventLoop::Impl::Create(loop);
  if (!impl.ok()) return impl.status();
  return std::make_unique<EventLoop>(std::move(impl).value());
}

uv_loop_t* NativeHandle(EventLoop& loop) { return loop.impl()->uv(); }

}  // namespace kong
