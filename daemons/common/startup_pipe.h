// How `kong start` learns that the kongd it spawned is listening, or why it failed: kongd
// finds a pipe's write end in KONGD_NOTIFY_FD and writes one line to it, "ready" or
// "Error: <why>", then closes it.
#ifndef KONG_DAEMONS_COMMON_STARTUP_PIPE_H_
#define KONG_DAEMONS_COMMON_STARTUP_PIPE_H_

#include <string>
#include <string_view>

namespace kong::cli {

inline constexpr char kNotifyFdVariable[] = "KONGD_NOTIFY_FD";
inline constexpr char kReadyLine[] = "ready";

// kongd's end. Takes the descriptor from the environment (and removes the variable).
class StartupNotifier {
 public:
  StartupNotifier();
  ~StartupNotifier();
  StartupNotifier(const StartupNotifier&) = delete;
  StartupNotifier& operator=(const StartupNotifier&) = delete;

  // True when kongd was spawned by `kong start`.
  bool active() const { return fd_ >= 0; }
  void Ready();
  // `line` is the whole error line ("Error: ..."); false when no one listens (not spawned,
  // or the pipe is gone) so the caller prints it itself.
  bool Failed(std::string_view line);

 private:
  void Send(std::string_view line);
  int fd_ = -1;
};

}  // namespace kong::cli

#endif  // KONG_DAEMONS_COMMON_STARTUP_PIPE_H_
