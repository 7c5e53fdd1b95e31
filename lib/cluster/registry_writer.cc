// RegistryWriter: upserts join the queued, not yet started store job.
#include "cluster/registry_writer.h"

#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace kong::cluster {

// Shared by the loop thread (adding records) and the store thread (taking them when the job
// starts); the mutex covers both.
struct RegistryWriter::Batch {
  struct Entry {
    store::DataPlaneRecord record;
    std::string log_suffix;
  };
  std::mutex mu;
  bool started = false;
  std::map<std::string, Entry> entries;  // by DP id: a newer record replaces an older one
};

RegistryWriter::RegistryWriter(store::AsyncStore& store, LogSink log)
    : store_(store), log_(std::move(log)) {}

void RegistryWriter::Upsert(store::DataPlaneRecord record, std::string log_suffix) {
  std::string id = record.id;
  if (queued_) {
    std::lock_guard<std::mutex> lock(queued_->mu);
    if (!queued_->started) {
      queued_->entries[id] = Batch::Entry{std::move(record), std::move(log_suffix)};
      return;
    }
  }
  auto batch = std::make_shared<Batch>();
  batch->entries[id] = Batch::Entry{std::move(record), std::move(log_suffix)};
  queued_ = batch;
  jobs_++;
  auto suffixes = std::make_shared<std::vector<std::string>>();
  std::weak_ptr<bool> alive = alive_;
  store_.Submit(
      [batch, suffixes](store::Store& s) {
        std::vector<store::DataPlaneRecord> records;
        {
          std::lock_guard<std::mutex> lock(batch->mu);
          batch->started = true;
          for (auto& [dp_id, entry] : batch->entries) {
            records.push_back(std::move(entry.record));
            suffixes->push_back(std::move(entry.log_suffix));
          }
          batch->entries.clear();
        }
        return s.UpsertDataPlanes(records);
      },
      [this, alive, suffixes](Status status) {
        if (alive.expired() || status.ok() || !log_) return;
        for (const std::string& suffix : *suffixes) {
          log_(LogLevel::kError, "[clustering] unable to update clustering data plane status: " +
                                     status.message() + suffix);
        }
      });
}

uint64_t RegistryWriter::jobs() const { return jobs_; }

}  // namespace kong::cluster
