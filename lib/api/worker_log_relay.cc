// WorkerLogRelay: an atomic level read on the worker threads, delivery on the loop thread.
#include "api/worker_log_relay.h"

#include <atomic>
#include <string>
#include <utility>

namespace kong::api {

// Shared with the closures posted from worker threads: `open` is read and cleared on the loop
// thread only.
struct WorkerLogRelay::Shared {
  EventLoop* loop = nullptr;
  LogSink sink;
  std::atomic<LogLevel> min_level{LogLevel::kNotice};
  bool open = true;
};

WorkerLogRelay::WorkerLogRelay(EventLoop& loop, LogSink sink, LogLevel min_level)
    : shared_(std::make_shared<Shared>()) {
  shared_->loop = &loop;
  shared_->sink = std::move(sink);
  shared_->min_level.store(min_level, std::memory_order_relaxed);
}

WorkerLogRelay::~WorkerLogRelay() { Close(); }

LogSink WorkerLogRelay::WorkerSink() const {
  return [shared = shared_](LogLevel level, std::string_view line) {
    if (!shared->sink || level < shared->min_level.load(std::memory_order_relaxed)) return;
    shared->loop->Post([shared, level, text = std::string(line)] {
      if (shared->open) shared->sink(level, text);
    });
  };
}

void WorkerLogRelay::SetMinLevel(LogLevel level) {
  shared_->min_level.store(level, std::memory_order_relaxed);
}

LogLevel WorkerLogRelay::min_level() const {
  return shared_->min_level.load(std::memory_order_relaxed);
}

void WorkerLogRelay::Close() { shared_->open = false; }

}  // namespace kong::api
