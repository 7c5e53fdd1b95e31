// PostgresChangeFeed: a thread with its own non-blocking libpq connection that LISTENs on
// kConfigChannel, reads the current version after each (re)connection, and posts versions to
// the node's loop.
#include "store/postgres_change_feed.h"

#ifdef KONG_STORE_HAVE_POSTGRES
#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/macros.h"
#include "store/postgres_connection.h"

namespace kong::store {

// What the loop thread sees; posted closures hold it, so they may outlive the feed.
struct PostgresChangeFeed::LoopSide {
  LoopSide(EventLoop& l, std::function<void(int64_t)> v, LogSink g)
      : loop(l), on_version(std::move(v)), log(std::move(g)) {}
  EventLoop& loop;
  std::function<void(int64_t)> on_version;
  LogSink log;
  bool stopped = false;  // set by Stop: later closures do nothing
  bool listening = false;
  uint64_t connections = 0;
};

std::string ConfigNotifyPayload(int64_t version, const std::string& schema) {
  return schema.empty() ? std::to_string(version) : std::to_string(version) + " " + schema;
}

std::optional<int64_t> ParseConfigNotifyPayload(std::string_view payload,
                                                const std::string& schema) {
  int64_t version = 0;
  auto [end, ec] = std::from_chars(payload.data(), payload.data() + payload.size(), version);
  if (ec != std::errc() || end == payload.data()) return std::nullopt;
  std::string_view rest(end, static_cast<size_t>(payload.data() + payload.size() - end));
  if (schema.empty() ? !rest.empty() : rest != " " + schema) return std::nullopt;
  return version;
}

std::chrono::milliseconds PostgresRetryDelay(uint32_t failures) {
  const uint32_t doublings = std::min<uint32_t>(failures > 0 ? failures - 1 : 0, 5);
  return std::chrono::milliseconds(100) * (1 << doublings);
}

#ifdef KONG_STORE_HAVE_POSTGRES
namespace {

using Clock = std::chrono::steady_clock;

enum class Wait { kReady, kWoken, kTimedOut, kFailed };

void IgnoreNotice(void* /*arg*/, const char* /*message*/) noexcept {}

}  // namespace

class PostgresChangeFeed::Worker {
 public:
  Worker(std::shared_ptr<LoopSide> side, PostgresOptions options)
      : side_(std::move(side)),
        options_(std::move(options)),
        where_(options_.host + ":" + std::to_string(options_.port)) {}

  ~Worker() {
    Stop();
    for (int fd : wake_) {
      if (fd >= 0) ::close(fd);
    }
  }

  Status Init() {
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
      return Status::Io(std::string("config change feed: wake-up pipe: ") + std::strerror(errno));
    }
    thread_ = std::thread([this] { Run(); });
    return Status::Ok();
  }

  void Stop() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    const char byte = 1;
    (void)!::write(wake_[1], &byte, 1);
    thread_.join();
  }

 private:
  void Run() {
    uint32_t failures = 0;
    bool ever_listened = false;
    while (!stopping_) {
      int64_t version = 0;
      Status s = Connect();
      if (s.ok()) s = ListenAndCatchUp(&version);
      if (s.ok()) {
        PostListening(version, ever_listened ? (failures > 0 ? LogLevel::kNotice : LogLevel::kInfo)
                                             : LogLevel::kInfo);
        ever_listened = true;
        failures = 0;
        s = Pump();
      }
      Disconnect();
      if (stopping_) break;
      ++failures;
      const std::chrono::milliseconds delay = PostgresRetryDelay(failures);
      // One error line per outage; the retries after it are debug noise.
      PostLost("config change feed: " + s.message() + "; retrying in " +
                   std::to_string(delay.count()) + " ms",
               failures == 1 ? LogLevel::kError : LogLevel::kDebug);
      if (WaitFor(-1, 0, Clock::now() + delay) == Wait::kWoken) break;
    }
    Disconnect();
  }

  // A non-blocking connection: every wait also watches the wake-up pipe.
  Status Connect() {
    PostgresConnectParams params(options_);
    // A server that vanishes without closing the socket (a cut network) is noticed within
    // about 11 s instead of the kernel's two hours.
    params.Add("keepalives", "1");
    params.Add("keepalives_idle", "5");
    params.Add("keepalives_interval", "2");
    params.Add("keepalives_count", "3");
    conn_ = PQconnectStartParams(params.keys(), params.values(), 0);
    if (conn_ == nullptr) {
      return Status::Unavailable("connect to postgres at " + where_ + ": out of memory");
    }
    if (PQstatus(conn_) == CONNECTION_BAD) return Failure("connect to postgres at " + where_);
    const Clock::time_point deadline = Clock::now() + Timeout();
    PostgresPollingStatusType polling = PGRES_POLLING_WRITING;
    while (polling != PGRES_POLLING_OK) {
      if (polling == PGRES_POLLING_FAILED) return Failure("connect to postgres at " + where_);
      Wait w = WaitFor(PQsocket(conn_), polling == PGRES_POLLING_READING ? POLLIN : POLLOUT,
                       deadline);
      if (w == Wait::kWoken) return Status::Unavailable("stopped");
      if (w == Wait::kTimedOut) {
        return Status::Unavailable("connect to postgres at " + where_ + ": timeout");
      }
      polling = PQconnectPoll(conn_);
    }
    PQsetNoticeProcessor(conn_, &IgnoreNotice, nullptr);
    if (PQsetnonblocking(conn_, 1) != 0) return Failure("connect to postgres at " + where_);
    return Status::Ok();
  }

  // LISTEN first, then read the version: a commit after LISTEN is notified, one before it is
  // in the version read, so none falls in between.
  Status ListenAndCatchUp(int64_t* version) {
    KONG_RETURN_IF_ERROR(
        Query(std::string("LISTEN ") + kConfigChannel, "listen on " + where_).status());
    std::string meta = "meta";
    if (!options_.schema.empty()) {
      char* quoted = PQescapeIdentifier(conn_, options_.schema.c_str(), options_.schema.size());
      if (quoted == nullptr) return Failure("quote pg_schema " + options_.schema);
      meta = std::string(quoted) + ".meta";
      PQfreemem(quoted);
    }
    Result<std::optional<std::string>> value =
        Query("SELECT value FROM " + meta + " WHERE key = 'config_version'",
              "read config_version on " + where_);
    if (!value.ok()) return value.status();
    if (!value.value()) return Status::Internal("read config_version on " + where_ + ": no meta row");
    *version = std::strtoll(value.value()->c_str(), nullptr, 10);
    return Status::Ok();
  }

  // Waits for notifications until the connection fails (its Status) or Stop (OK).
  Status Pump() {
    for (;;) {
      Wait w = WaitFor(PQsocket(conn_), POLLIN, Clock::time_point::max());
      if (w == Wait::kWoken) return Status::Ok();
      if (w != Wait::kReady || !PQconsumeInput(conn_)) return Failure("connection to " + where_);
      int64_t newest = -1;
      while (PGnotify* n = PQnotifies(conn_)) {
        if (std::strcmp(n->relname, kConfigChannel) == 0) {
          if (auto v = ParseConfigNotifyPayload(n->extra ? n->extra : "", options_.schema)) {
            newest = std::max(newest, *v);
          }
        }
        PQfreemem(n);
      }
      if (newest >= 0) PostVersion(newest);
      if (PQstatus(conn_) != CONNECTION_OK) return Failure("connection to " + where_);
    }
  }

  // Runs `sql` (one statement) and returns its first row's first column, if any.
  Result<std::optional<std::string>> Query(const std::string& sql, const std::string& what) {
    const Clock::time_point deadline = Clock::now() + Timeout();
    if (!PQsendQuery(conn_, sql.c_str())) return Failure(what);
    for (;;) {
      const int flushed = PQflush(conn_);
      if (flushed == 0) break;
      if (flushed < 0) return Failure(what);
      KONG_RETURN_IF_ERROR(Await(POLLIN | POLLOUT, deadline, what));
    }
    std::optional<std::string> value;
    Status status;
    for (;;) {
      while (PQisBusy(conn_)) KONG_RETURN_IF_ERROR(Await(POLLIN, deadline, what));
      PGresult* result = PQgetResult(conn_);
      if (result == nullptr) break;
      const ExecStatusType st = PQresultStatus(result);
      if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        status = Status::Unavailable(what + ": " + PostgresFirstLine(PQresultErrorMessage(result)));
      } else if (PQntuples(result) > 0 && !PQgetisnull(result, 0, 0)) {
        value = std::string(PQgetvalue(result, 0, 0));
      }
      PQclear(result);
    }
    if (!status.ok()) return status;
    return value;
  }

  // Waits until the socket is ready for `events`, then reads what arrived.
  Status Await(short events, Clock::time_point deadline, const std::string& what) {
    Wait w = WaitFor(PQsocket(conn_), events, deadline);
    if (w == Wait::kWoken) return Status::Unavailable("stopped");
    if (w == Wait::kTimedOut) return Status::Unavailable(what + ": timeout");
    if (w == Wait::kFailed || !PQconsumeInput(conn_)) return Failure(what);
    return Status::Ok();
  }

  // poll() on `fd` (none when < 0) and the wake-up pipe until `deadline`.
  Wait WaitFor(int fd, short events, Clock::time_point deadline) {
    for (;;) {
      if (stopping_) return Wait::kWoken;
      int timeout_ms = -1;
      if (deadline != Clock::time_point::max()) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return Wait::kTimedOut;
        timeout_ms = static_cast<int>(std::min<int64_t>(left.count(), 60000));
      }
      pollfd fds[2] = {{wake_[0], POLLIN, 0}, {fd, events, 0}};
      const int rc = ::poll(fds, fd >= 0 ? 2 : 1, timeout_ms);
      if (rc < 0 && errno == EINTR) continue;
      if (rc < 0) return Wait::kFailed;
      if (fds[0].revents != 0 || stopping_) return Wait::kWoken;
      if (fd >= 0 && fds[1].revents != 0) return Wait::kReady;
    }
  }

  std::chrono::milliseconds Timeout() const {
    return std::chrono::milliseconds(std::max(options_.timeout_ms, 2000));
  }

  Status Failure(const std::string& what) const {
    return Status::Unavailable(what + ": " +
                               PostgresFirstLine(conn_ ? PQerrorMessage(conn_) : nullptr));
  }

  void Disconnect() {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
  }

  void PostVersion(int64_t version) {
    side_->loop.Post([side = side_, version] {
      if (!side->stopped && side->on_version) side->on_version(version);
    });
  }

  void PostListening(int64_t version, LogLevel level) {
    std::string line = "config change feed: listening on postgres at " + where_ + " (" +
                       kConfigChannel + "), config version " + std::to_string(version);
    side_->loop.Post([side = side_, version, level, line = std::move(line)] {
      if (side->stopped) return;
      side->listening = true;
      ++side->connections;
      if (side->log) side->log(level, line);
      if (side->on_version) side->on_version(version);
    });
  }

  void PostLost(std::string line, LogLevel level) {
    side_->loop.Post([side = side_, level, line = std::move(line)] {
      if (side->stopped) return;
      side->listening = false;
      if (side->log) side->log(level, line);
    });
  }

  std::shared_ptr<LoopSide> side_;
  PostgresOptions options_;
  std::string where_;  // host:port for messages
  PGconn* conn_ = nullptr;  // the worker thread's only
  int wake_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

#else   // built without libpq: no postgres store can open, so no feed either

class PostgresChangeFeed::Worker {
 public:
  void Stop() {}
};

Result<std::unique_ptr<PostgresChangeFeed>> PostgresChangeFeed::Start(EventLoop&,
                                                                      ChangeFeedOptions) {
  return Status::InvalidArgument("config change feed: this build has no postgres support");
}

#endif  // KONG_STORE_HAVE_POSTGRES

#ifdef KONG_STORE_HAVE_POSTGRES
Result<std::unique_ptr<PostgresChangeFeed>> PostgresChangeFeed::Start(EventLoop& loop,
                                                                      ChangeFeedOptions options) {
  auto side = std::make_shared<LoopSide>(loop, std::move(options.on_version),
                                         std::move(options.log));
  auto worker = std::make_unique<Worker>(side, std::move(options.postgres));
  Status started = worker->Init();
  if (!started.ok()) return started;
  return std::unique_ptr<PostgresChangeFeed>(
      new PostgresChangeFeed(std::move(side), std::move(worker)));
}

#endif

PostgresChangeFeed::PostgresChangeFeed(std::shared_ptr<LoopSide> loop_side,
                                       std::unique_ptr<Worker> worker)
    : loop_side_(std::move(loop_side)), worker_(std::move(worker)) {}

PostgresChangeFeed::~PostgresChangeFeed() { Stop(); }

void PostgresChangeFeed::Stop() {
  KONG_DCHECK(loop_side_->loop.IsCurrentThread());
  loop_side_->stopped = true;
  loop_side_->listening = false;
  worker_->Stop();
}

bool PostgresChangeFeed::listening() const { return loop_side_->listening; }
uint64_t PostgresChangeFeed::connections() const { return loop_side_->connections; }

}  // namespace kong::store
