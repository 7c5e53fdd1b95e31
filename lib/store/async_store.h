// AsyncStore: a Store on its own thread, fed by a job queue, answering on an EventLoop, so
// database I/O never blocks the loop.
#ifndef KONG_STORE_ASYNC_STORE_H_
#define KONG_STORE_ASYNC_STORE_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "kong/event_loop.h"
#include "kong/status.h"
#include "store/store.h"

namespace kong::store {

// Start, Add/RemoveChangeListener and the destructor: on the loop's thread. Submit, Write
// and Read: any thread. Shutdown: any thread, never twice at the same time. Jobs run one at a time on the store thread in
// submission order; each on_done runs on the loop's thread, in the same order, exactly once
// while the loop keeps running (a closure posted after the loop's last run is dropped, as
// EventLoop::Post says).
class AsyncStore {
 public:
  using ChangeListener = std::function<void(int64_t version)>;

  // Takes the store and starts its thread. From now on only that thread touches `store`.
  static std::unique_ptr<AsyncStore> Start(EventLoop& loop, std::unique_ptr<Store> store);
  // Shutdown().
  ~AsyncStore();
  AsyncStore(const AsyncStore&) = delete;
  AsyncStore& operator=(const AsyncStore&) = delete;

  // Runs job(store) on the store thread and then on_done(result) on the loop thread. `job`
  // returns a Status or a Result<T>; on_done takes the same type. A job not yet started at
  // Shutdown, or submitted after it, is not run: on_done gets kUnavailable
  // "store is shut down".
  template <typename Job, typename Done>
  void Submit(Job job, Done on_done) {
    using R = std::invoke_result_t<Job&, Store&>;
    auto slot = std::make_shared<std::optional<R>>();
    Enqueue(
        [job = std::move(job), slot](Store* store) mutable {
          if (store) {
            slot->emplace(job(*store));
          } else {
            slot->emplace(ShutDownStatus());
          }
        },
        [on_done = std::move(on_done), slot]() mutable { on_done(std::move(**slot)); });
  }

  // Store::Write / Store::Read as jobs.
  void Write(std::function<Status(Txn&)> fn, std::function<void(Result<int64_t>)> on_done);
  void Read(std::function<Status(Txn&)> fn, std::function<void(Status)> on_done);

  // After each committed write that raised config_version, every listener is called on the
  // loop thread with the new version, once per version in commit order, after that job's
  // on_done. Returns an id for RemoveChangeListener.
  int AddChangeListener(ChangeListener listener);
  void RemoveChangeListener(int id);

  // Fails queued jobs (kUnavailable), lets the running job finish, joins the store thread
  // and closes the store. Idempotent.
  void Shutdown();

 private:
  struct Listeners {
    std::map<int, ChangeListener> by_id;
    int next_id = 1;
  };
  struct QueuedJob {
    std::function<void(Store*)> run;  // null Store: cancelled
    std::function<void()> deliver;    // on the loop thread
  };

  AsyncStore(EventLoop& loop, std::unique_ptr<Store> store);
  static Status ShutDownStatus();
  void Enqueue(std::function<void(Store*)> run, std::function<void()> deliver);
  void WorkerMain();
  void Deliver(QueuedJob job, std::vector<int64_t> versions);

  EventLoop& loop_;
  std::unique_ptr<Store> store_;  // touched only by the store thread until it is joined
  // Shared with closures posted to the loop, which may run after this object is gone.
  std::shared_ptr<Listeners> listeners_;
  std::vector<int64_t> committed_versions_;  // store thread only

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<QueuedJob> queue_;  // guarded by mu_
  bool closing_ = false;         // guarded by mu_
  std::thread worker_;
};

}  // namespace kong::store

#endif  // KONG_STORE_ASYNC_STORE_H_
