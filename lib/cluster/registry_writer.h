// RegistryWriter: the CP's writes to clustering_data_planes, batched. An upsert joins the
// batch of a job that is queued on the store thread but has not started yet (the newest record
// per data plane wins), else it submits a new job; each job is one transaction. After a push
// every DP pings at once: with 100 DPs that is a couple of transactions (fsyncs on SQLite)
// instead of 100. Store order is kept: a read submitted after an upsert sees it.
#ifndef KONG_CLUSTER_REGISTRY_WRITER_H_
#define KONG_CLUSTER_REGISTRY_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "kong/logger.h"
#include "store/async_store.h"
#include "store/row.h"

namespace kong::cluster {

// Loop thread only. `store` must outlive the writer; answers arriving after the writer is
// destroyed are ignored.
class RegistryWriter {
 public:
  // `log` receives failed writes (error level), one line per data plane.
  RegistryWriter(store::AsyncStore& store, LogSink log);

  // Queues `record` (replacing one for the same id not yet written). `log_suffix` ends the
  // error line if the write fails (" [id: ..., host: ...]").
  void Upsert(store::DataPlaneRecord record, std::string log_suffix);

  // Store jobs submitted so far (how well pings coalesce).
  uint64_t jobs() const;

 private:
  struct Batch;
  store::AsyncStore& store_;
  LogSink log_;
  std::shared_ptr<Batch> queued_;  // the last submitted batch; joinable until its job starts
  uint64_t jobs_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace kong::cluster

#endif  // KONG_CLUSTER_REGISTRY_WRITER_H_
