// ConfigPublisher: the CP's push policy. Turns committed config versions into gzipped
// reconfigure payloads, built once per version and shared by every DP connection.
#ifndef KONG_CLUSTER_CONFIG_PUBLISHER_H_
#define KONG_CLUSTER_CONFIG_PUBLISHER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "cluster/config_hash.h"
#include "json/value.h"
#include "kong/event_loop.h"
#include "kong/logger.h"
#include "kong/status.h"
#include "schema/catalog.h"
#include "store/async_store.h"

namespace kong::cluster {

// One published configuration: immutable, shared by every connection that sends it.
struct ConfigSnapshot {
  int64_t config_version = 0;  // the store's config_version the export was read at
  std::string config_hash;     // 32 hex, equals hashes.config
  ConfigHashes hashes;
  std::string payload;         // the gzipped reconfigure message, sent as is
  double timestamp = 0;        // seconds since the epoch, the message's `timestamp`
  // The plugin names configured in this export (the sync_status check before each push).
  std::set<std::string> configured_plugins;
  // The export the payload carries (Kong's declarative form); kept only with
  // ConfigPublisherOptions::keep_config_table (a traditional node proxies it), else null.
  std::shared_ptr<const json::Value> config_table;
};

struct ConfigPublisherOptions {
  // cluster_push_coalesce_ms: changes arriving while an export runs or within this window after
  // the last export started are folded into one export at the end of the window. Kong instead
  // sleeps db_update_frequency (5 s) after every push.
  uint64_t coalesce_ms = 50;
  // cluster_max_payload: a payload (compressed, as on the wire) larger than this is not
  // published; the previous snapshot stays current. Kong 3.4+'s default.
  size_t max_payload = 16777216;
  // Keep each snapshot's export in ConfigSnapshot::config_table.
  bool keep_config_table = false;
  // Receives export failures and refused payloads; called on the loop thread. May be empty.
  LogSink log;
};

// Loop thread only. `store` and `catalog` must outlive the publisher; `catalog` must also
// outlive `store`'s shutdown, since an export job queued before Close may still run.
class ConfigPublisher {
 public:
  using SnapshotListener = std::function<void(const std::shared_ptr<const ConfigSnapshot>&)>;

  ConfigPublisher(EventLoop& loop, store::AsyncStore& store, const schema::Catalog& catalog,
                  ConfigPublisherOptions options);
  // Close().
  ~ConfigPublisher();
  ConfigPublisher(const ConfigPublisher&) = delete;
  ConfigPublisher& operator=(const ConfigPublisher&) = delete;

  // Subscribes to the store's change events and exports the current configuration at once,
  // so a DP connecting before the first change still gets it. Call once.
  void Start();

  // A config version committed by another node sharing the database (the PostgreSQL change
  // feed); the node's own commits arrive through the store's change listeners. Exports unless
  // `version` is already published; repeated or late versions are harmless. Ignored before
  // Start and after Close.
  void NotifyVersion(int64_t version);

  // The latest published snapshot; null before the first export completed.
  std::shared_ptr<const ConfigSnapshot> current() const;

  // `listener` runs on the loop thread for every newly published snapshot (the same pointer
  // for every listener). Returns an id for Unsubscribe.
  int Subscribe(SnapshotListener listener);
  void Unsubscribe(int id);

  // Stops listening for changes, stops the coalescing timer and drops the result of an export
  // still in flight. No listener runs afterwards. Idempotent.
  void Close();

  // Exports started so far (the initial one included): how well bursts coalesce.
  int exports_started() const;
  // The last export failure or refused payload; OK when the last export was published.
  Status last_error() const;

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with in-flight store jobs' answers
};

}  // namespace kong::cluster

#endif  // KONG_CLUSTER_CONFIG_PUBLISHER_H_
