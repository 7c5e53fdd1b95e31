// kongd's signal handlers.
#include "node_signals.h"

#include <csignal>
#include <utility>

namespace kong::cli {
namespace {

constexpr int kSignals[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1};

}  // namespace

NodeSignals::NodeSignals(uv_loop_t* loop, SignalActions actions) : actions_(std::move(actions)) {
  for (int i = 0; i < kCount; ++i) {
    uv_signal_init(loop, &handles_[i]);
    handles_[i].data = this;
    uv_signal_start(&handles_[i], &NodeSignals::OnSignal, kSignals[i]);
  }
}

void NodeSignals::Close() {
  if (closed_) return;
  closed_ = true;
  for (uv_signal_t& handle : handles_) uv_close(reinterpret_cast<uv_handle_t*>(&handle), nullptr);
}

void NodeSignals::OnSignal(uv_signal_t* handle, int signum) noexcept {
  auto* self = static_cast<NodeSignals*>(handle->data);
  if (self->closed_) return;
  const std::function<void()>* action = nullptr;
  switch (signum) {
    case SIGTERM:
    case SIGINT: action = &self->actions_.fast_stop; break;
    case SIGQUIT: action = &self->actions_.graceful_stop; break;
    case SIGHUP: action = &self->actions_.reload; break;
    case SIGUSR1: action = &self->actions_.reopen_logs; break;
    default: break;
  }
  if (action != nullptr && *action) (*action)();
}

}  // namespace kong::cli
