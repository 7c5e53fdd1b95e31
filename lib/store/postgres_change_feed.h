// PostgresChangeFeed: how a control-plane node hears of config versions committed by the
// other nodes sharing its PostgreSQL database (LISTEN on kConfigChannel).
#ifndef KONG_STORE_POSTGRES_CHANGE_FEED_H_
#define KONG_STORE_POSTGRES_CHANGE_FEED_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kong/event_loop.h"
#include "kong/logger.h"
#include "kong/status.h"
#include "store/store_options.h"

namespace kong::store {

// The LISTEN/NOTIFY channel of config commits: every config write NOTIFYs it inside its
// transaction, so the notification goes out only if, and once, it commits. The payload is
// the new config_version, followed by " <pg_schema>" when pg_schema is set, so that nodes
// using another schema of the same database ignore it.
inline constexpr char kConfigChannel[] = "kong_config";
std::string ConfigNotifyPayload(int64_t version, const std::string& schema);
// The version a payload announces for `schema`; nullopt for another schema or junk.
std::optional<int64_t> ParseConfigNotifyPayload(std::string_view payload,
                                                const std::string& schema);

// How long a connection that failed `failures` times in a row (>= 1) waits before the next
// attempt: 100 ms doubling up to 3.2 s. Without it, every job queued while the server is
// down would retry the connection (each one blocking up to pg_timeout when the server does
// not answer at all); with it, they fail at once with kUnavailable.
std::chrono::milliseconds PostgresRetryDelay(uint32_t failures);

struct ChangeFeedOptions {
  // The database the node's store uses (its pg_schema selects the notifications).
  PostgresOptions postgres;
  // Called on the loop thread with a committed config_version: for each NOTIFY, and after
  // every (re)connection with the version read right after LISTEN took effect (the catch-up),
  // so a commit made while the feed was not listening is never missed. A version may repeat
  // (the node's own commits, the catch-up) or come after a higher one: callers keep the
  // highest.
  std::function<void(int64_t version)> on_version;
  // The lost and restored connection, on the loop thread. May be empty.
  LogSink log;
};

// Why a thread and not a uv_poll on PQsocket: libpq resolves host names and (with pg_ssl)
// runs its TLS handshake inside connect calls that may block, and the socket may change
// between PQconnectPoll calls; a thread keeps all of that off the node's loop for the price
// of one mostly idle thread per node. It waits in poll() on the connection's socket and a
// wake-up pipe, so Stop returns at once whatever the connection is doing.
//
// Start, Stop and the destructor: on the loop's thread.
class PostgresChangeFeed {
 public:
  // Starts the thread, which connects, LISTENs, reads the current version (on_version), then
  // waits for notifications; after a lost connection it reconnects with PostgresRetryDelay.
  // kIo when the wake-up pipe cannot be made.
  static Result<std::unique_ptr<PostgresChangeFeed>> Start(EventLoop& loop,
                                                           ChangeFeedOptions options);
  // Stop().
  ~PostgresChangeFeed();
  PostgresChangeFeed(const PostgresChangeFeed&) = delete;
  PostgresChangeFeed& operator=(const PostgresChangeFeed&) = delete;

  // Wakes and joins the thread and closes the connection; no callback runs afterwards.
  // Idempotent.
  void Stop();

  // Whether the feed is listening now, and how many times it started listening (loop thread;
  // updated when the thread's news reaches the loop).
  bool listening() const;
  uint64_t connections() const;

  class Worker;
  struct LoopSide;

 private:
  PostgresChangeFeed(std::shared_ptr<LoopSide> loop_side, std::unique_ptr<Worker> worker);
  std::shared_ptr<LoopSide> loop_side_;
  std::unique_ptr<Worker> worker_;
};

}  // namespace kong::store

#endif  // KONG_STORE_POSTGRES_CHANGE_FEED_H_
