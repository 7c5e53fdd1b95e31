// RedisConnection: one asynchronous hiredis connection driven by a worker's libuv loop, for
// the rate-limiting plugin's `redis` policy. RedisConnections: a worker's connections, one
// per server and credentials (WorkerState::Get<RedisConnections>()). Loop thread only.
//
// hiredis 0.14 (Debian 12) has no TLS, resolves host names with a blocking getaddrinfo while
// connecting and has no connect timeout of its own: the timeout here covers connecting, AUTH,
// SELECT and the replies.
#ifndef KONG_PLUGINS_REDIS_CLIENT_H_
#define KONG_PLUGINS_REDIS_CLIENT_H_

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kong/event_loop.h"
#include "kong/status.h"
#include "net/timer.h"

struct redisAsyncContext;

namespace kong::plugins::redis {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  int timeout_ms = 2000;
  std::optional<std::string> username;  // AUTH username password (Redis 6 ACLs)
  std::optional<std::string> password;  // AUTH password
  int64_t database = 0;                 // SELECT when not 0
};

struct Reply {
  enum class Kind { kNil, kInteger, kString, kError, kArray };
  Kind kind = Kind::kNil;
  int64_t integer = 0;
  std::string str;  // bulk or status string, or the error message
};

using Command = std::vector<std::string>;
// Every reply of the pipeline in order, or kUnavailable when the connection failed or timed
// out before all of them arrived. An error reply (-ERR) is a reply, not a failure.
using PipelineCallback = std::function<void(Result<std::vector<Reply>>)>;

class RedisConnection {
 public:
  RedisConnection(EventLoop& loop, RedisOptions options);
  // Frees the hiredis context; pending pipelines are dropped without their callback.
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends `commands` in one write (connecting first when needed); `done` runs once, later, on
  // the loop. A timeout drops the connection (the next pipeline reconnects).
  void Pipeline(std::vector<Command> commands, PipelineCallback done);

  bool connected() const { return context_ != nullptr; }

 private:
  struct Batch;
  struct Adapter;
  static void OnConnect(const redisAsyncContext* ac, int status) noexcept;
  static void OnDisconnect(const redisAsyncContext* ac, int status) noexcept;
  static void OnReply(redisAsyncContext* ac, void* reply, void* privdata) noexcept;
  static void OnSetupReply(redisAsyncContext* ac, void* reply, void* privdata) noexcept;

  Status Connect();
  // Drops the context: every pending pipeline completes with `why`.
  void Fail(const std::string& why);
  void Complete(Batch* batch);
  void ArmTimer();
  uint64_t Now() const;

  EventLoop& loop_;
  RedisOptions options_;
  redisAsyncContext* context_ = nullptr;
  std::string failure_;                 // why the last context went away
  std::list<Batch*> in_flight_;         // oldest first (replies come in order)
  net::Timer timer_;
  bool setup_failed_ = false;            // AUTH or SELECT answered an error
  bool destroying_ = false;
};

class RedisConnections {
 public:
  explicit RedisConnections(EventLoop& loop) : loop_(loop) {}
  RedisConnections(const RedisConnections&) = delete;
  RedisConnections& operator=(const RedisConnections&) = delete;

  // The connection for `options` (created on first use, kept for the worker's life); `key`
  // is ConnectionKey(options), computed once by the caller.
  RedisConnection& Get(const std::string& key, const RedisOptions& options);
  static std::string ConnectionKey(const RedisOptions& options);

 private:
  EventLoop& loop_;
  std::map<std::string, std::unique_ptr<RedisConnection>> connections_;
};

}  // namespace kong::plugins::redis

#endif  // KONG_PLUGINS_REDIS_CLIENT_H_
