// AsyncStore: the store thread, its FIFO job queue, and delivery of results and change
// notifications to the loop thread through EventLoop::Post.
#include "store/async_store.h"

#include "base/macros.h"

namespace kong::store {

std::unique_ptr<AsyncStore> AsyncStore::Start(EventLoop& loop, std::unique_ptr<Store> store) {
  KONG_DCHECK(store != nullptr);
  return std::unique_ptr<AsyncStore>(new AsyncStore(loop, std::move(store)));
}

AsyncStore::AsyncStore(EventLoop& loop, std::unique_ptr<Store> store)
    : loop_(loop), store_(std::move(store)), listeners_(std::make_shared<Listeners>()) {
  // The observer runs on the store thread, inside Store::Write, after the commit.
  store_->SetCommitObserver([this](int64_t v) { committed_versions_.push_back(v); });
  worker_ = std::thread([this] { WorkerMain(); });
}

AsyncStore::~AsyncStore() {
  Shutdown();
  // Notifications still queued on the loop find no listener.
  listeners_->by_id.clear();
}

Status AsyncStore::ShutDownStatus() { return Status::Unavailable("store is shut down"); }

void AsyncStore::Enqueue(std::function<void(Store*)> run, std::function<void()> deliver) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!closing_) {
      queue_.push_back({std::move(run), std::move(deliver)});
      cv_.notify_one();
      return;
    }
  }
  run(nullptr);
  loop_.Post(std::move(deliver));
}

void AsyncStore::WorkerMain() {
  for (;;) {
    QueuedJob job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, nothing left
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job.run(store_.get());
    std::vector<int64_t> versions;
    versions.swap(committed_versions_);
    Deliver(std::move(job), std::move(versions));
  }
}

void AsyncStore::Deliver(QueuedJob job, std::vector<int64_t> versions) {
  // One closure per job keeps on_done and its notifications in commit order.
  loop_.Post([deliver = std::move(job.deliver), versions = std::move(versions),
              listeners = listeners_]() mutable {
    deliver();
    for (int64_t v : versions) {
      // Copy: a listener may add or remove listeners while being called.
      auto snapshot = listeners->by_id;
      for (auto& [id, fn] : snapshot) {
        if (listeners->by_id.count(id)) fn(v);
      }
    }
  });
}

void AsyncStore::Write(std::function<Status(Txn&)> fn,
                       std::function<void(Result<int64_t>)> on_done) {
  Submit([fn = std::move(fn)](Store& s) { return s.Write(fn); }, std::move(on_done));
}

void AsyncStore::Read(std::function<Status(Txn&)> fn, std::function<void(Status)> on_done) {
  Submit([fn = std::move(fn)](Store& s) { return s.Read(fn); }, std::move(on_done));
}

int AsyncStore::AddChangeListener(ChangeListener listener) {
  KONG_DCHECK(loop_.IsCurrentThread());
  int id = listeners_->next_id++;
  listeners_->by_id.emplace(id, std::move(listener));
  return id;
}

void AsyncStore::RemoveChangeListener(int id) {
  KONG_DCHECK(loop_.IsCurrentThread());
  listeners_->by_id.erase(id);
}

void AsyncStore::Shutdown() {
  std::deque<QueuedJob> cancelled;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_ && !worker_.joinable()) return;
    closing_ = true;
    cancelled.swap(queue_);
    cv_.notify_all();
  }
  for (auto& job : cancelled) {
    job.run(nullptr);
    Deliver(std::move(job), {});
  }
  if (worker_.joinable()) worker_.join();
  store_.reset();
}

}  // namespace kong::store
