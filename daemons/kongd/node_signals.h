// kongd's signal handling on its loop: nginx's meanings for Kong's CLI (kong stop, quit,
// reload) and log rotation.
#ifndef KONG_DAEMONS_KONGD_NODE_SIGNALS_H_
#define KONG_DAEMONS_KONGD_NODE_SIGNALS_H_

#include <uv.h>

#include <functional>

namespace kong::cli {

struct SignalActions {
  std::function<void()> fast_stop;      // SIGTERM, SIGINT
  std::function<void()> graceful_stop;  // SIGQUIT
  std::function<void()> reload;         // SIGHUP
  std::function<void()> reopen_logs;    // SIGUSR1
};

// Loop thread only. The handles are closed by Close() (needed before the loop can end) and
// must not be destroyed before their close callbacks ran, so keep the object alive until the
// loop returns.
class NodeSignals {
 public:
  NodeSignals(uv_loop_t* loop, SignalActions actions);
  NodeSignals(const NodeSignals&) = delete;
  NodeSignals& operator=(const NodeSignals&) = delete;

  void Close();

 private:
  static constexpr int kCount = 5;
  static void OnSignal(uv_signal_t* handle, int signum) noexcept;

  SignalActions actions_;
  uv_signal_t handles_[kCount];
  bool closed_ = false;
};

}  // namespace kong::cli

#endif  // KONG_DAEMONS_KONGD_NODE_SIGNALS_H_
