// WorkerLogRelay: the proxy workers' log lines brought to the node's loop thread, filtered by a
// level the node may change while the workers run (a reload's log_level).
#ifndef KONG_API_WORKER_LOG_RELAY_H_
#define KONG_API_WORKER_LOG_RELAY_H_

#include <memory>

#include "kong/event_loop.h"
#include "kong/logger.h"

namespace kong::api {

class WorkerLogRelay {
 public:
  // `sink` runs on `loop`'s thread; `loop` must outlive every line posted to it (the workers
  // are joined before the node's loop ends).
  WorkerLogRelay(EventLoop& loop, LogSink sink, LogLevel min_level);
  ~WorkerLogRelay();  // Close()
  WorkerLogRelay(const WorkerLogRelay&) = delete;
  WorkerLogRelay& operator=(const WorkerLogRelay&) = delete;

  // The sink for GatewayOptions::log_sink: thread-safe. A line below the current level is
  // dropped on the worker's thread (nothing is posted); the others are posted to the loop and
  // reach `sink` unless Close() ran first. Stays valid after the relay is destroyed.
  LogSink WorkerSink() const;

  // Any thread; applies to the lines logged from now on.
  void SetMinLevel(LogLevel level);
  LogLevel min_level() const;

  // Loop thread. Lines not delivered yet are dropped, and every later one. Idempotent.
  void Close();

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
};

}  // namespace kong::api

#endif  // KONG_API_WORKER_LOG_RELAY_H_
