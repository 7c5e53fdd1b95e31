// RedisTestServer: a throwaway redis-server child on a free loopback port, for the
// rate-limiting `redis` policy tests. Ready once it logged "Ready to accept connections" (read
// from its stdout by a thread, so nothing polls); Kill() ends it by PID (SIGKILL), as an
// outage. Tests skip (with a message) only when the redis-server binary is absent.
#ifndef KONG_TESTS_UNIT_PLUGINS_REDIS_TEST_SERVER_H_
#define KONG_TESTS_UNIT_PLUGINS_REDIS_TEST_SERVER_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "plugins/redis_client.h"
#include "support/test_support.h"

extern char** environ;

namespace kong::plugins::testing {

// A port nothing listens on right now (bound to 0, then closed).
inline uint16_t FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

class RedisTestServer {
 public:
  static std::string Binary() {
    for (const char* dir : {"/usr/bin", "/usr/local/bin", "/usr/sbin"}) {
      std::string path = std::string(dir) + "/redis-server";
      if (::access(path.c_str(), X_OK) == 0) return path;
    }
    return "";
  }
  static bool Available() { return !Binary().empty(); }

  // Starts the server (extra arguments such as {"--requirepass", "pw"}) on `port` (0: a free
  // one); ok() tells whether it became ready within 10 s.
  explicit RedisTestServer(std::vector<std::string> extra = {}, uint16_t port = 0) {
    port_ = port != 0 ? port : FreeLoopbackPort();
    std::vector<std::string> args = {Binary(), "--port", std::to_string(port_), "--bind",
                                     "127.0.0.1", "--save", "", "--appendonly", "no",
                                     "--dir", "/tmp"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (::pipe(out) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, out[1], 2);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      pid_ = -1;
      return;
    }
    reader_ = std::thread([this, fd = out[0]] {
      char buf[4096];
      ssize_t n;
      while ((n = ::read(fd, buf, sizeof buf)) > 0) {
        std::lock_guard lock(mu_);
        log_.append(buf, static_cast<size_t>(n));
        if (log_.find("Ready to accept connections") != std::string::npos) ready_ = true;
        cv_.notify_all();
      }
      ::close(fd);
      std::lock_guard lock(mu_);
      exited_ = true;
      cv_.notify_all();
    });
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [this] { return ready_ || exited_; });
  }
  ~RedisTestServer() {
    Kill();
    if (reader_.joinable()) reader_.join();
  }
  RedisTestServer(const RedisTestServer&) = delete;
  RedisTestServer& operator=(const RedisTestServer&) = delete;

  bool ok() {
    std::lock_guard lock(mu_);
    return ready_ && !exited_;
  }
  uint16_t port() const { return port_; }
  std::string log() {
    std::lock_guard lock(mu_);
    return log_;
  }

  // SIGKILL by PID and reap: the server is gone, as in an outage.
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string log_;
  bool ready_ = false;
  bool exited_ = false;
};

// Sends `cmds` in one pipeline and runs `loop` until the replies came (the test fails past
// `timeout_ms`).
inline Result<std::vector<redis::Reply>> RunPipeline(EventLoop& loop, redis::RedisConnection& c,
                                                     std::vector<redis::Command> cmds,
                                                     int timeout_ms = 10000) {
  std::optional<Result<std::vector<redis::Reply>>> got;
  c.Pipeline(std::move(cmds), [&got](Result<std::vector<redis::Reply>> r) { got = std::move(r); });
  REQUIRE(test::WaitUntil(loop, [&] { return got.has_value(); }, timeout_ms));
  return std::move(*got);
}

}  // namespace kong::plugins::testing

#endif  // KONG_TESTS_UNIT_PLUGINS_REDIS_TEST_SERVER_H_
