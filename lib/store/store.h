// kong::store::Store: one control-plane node's connection to its configuration database,
// with versioned config writes, snapshot reads, migrations and data-plane status.
#ifndef KONG_STORE_STORE_H_
#define KONG_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kong/status.h"
#include "store/migrations.h"
#include "store/row.h"
#include "store/store_options.h"
#include "store/txn.h"

namespace kong::store {

// Blocking: every call does database I/O. Not thread-safe: use one Store from one thread
// at a time; on a control plane that is the AsyncStore's thread, never the event loop.
// Several Store objects (in one process or on several CP nodes) may share a database:
// config writes are serialized across all of them (SQLite's write lock, PostgreSQL's
// pg_advisory_xact_lock), so config versions are unique and consecutive. On PostgreSQL each
// committed version is also announced on kConfigChannel (see PostgresChangeFeed).
class Store {
 public:
  // Connects, and bootstraps a never-bootstrapped database when options.auto_bootstrap.
  // Errors: see ConnectSql; a failed bootstrap's Status.
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  // Same with a chosen list of migration steps (tests, and tools that migrate partway).
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options,
                                             std::vector<MigrationStep> steps);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Runs fn in one write transaction. When fn returns OK and inserted, updated or deleted
  // a row, config_version goes up by exactly 1 in the same transaction, one `changes` row
  // per touched row is appended, and the new version is returned; when it changed nothing
  // the current version is returned. Any error (fn's, or the database's, even one fn
  // ignored) rolls everything back and is returned. Before the schema is ready, fails with
  // kUnavailable and Kong's migration hint.
  Result<int64_t> Write(const std::function<Status(Txn&)>& fn);
  // Runs fn in a read-only transaction on one consistent snapshot; returns fn's Status or
  // the database's.
  Status Read(const std::function<Status(Txn&)>& fn);
  // The latest committed config_version (0 after bootstrap).
  Result<int64_t> ConfigVersion();

  // Migrations (`kong migrations bootstrap|up|list|reset`); see Migrator.
  Status Bootstrap();
  Status Up();
  Result<MigrationState> ListMigrations();
  // True when not bootstrapped or steps are pending.
  Result<bool> NeedsMigrations();
  // OK when the schema is current; else kUnavailable with Kong's text.
  Status CheckSchema();
  Status Reset();

  // Data-plane status (clustering_data_planes). Each call is its own short transaction and
  // never touches config_version or `changes`: a DP ping is not a config change.
  // Inserts or replaces the record with this id.
  Status UpsertDataPlane(const DataPlaneRecord& record);
  // The same for several records in one transaction (the CP batches the pings of many DPs).
  Status UpsertDataPlanes(const std::vector<DataPlaneRecord>& records);
  // nullopt when absent or expired at `now` (epoch seconds).
  Result<std::optional<DataPlaneRecord>> GetDataPlane(const std::string& id, int64_t now);
  // Unexpired records in id order, paged like Txn::List (size 1..1000, offset tokens).
  Result<DataPlanePage> ListDataPlanes(int size, const std::string& offset, int64_t now);
  // Deletes records expired at `now`; returns how many.
  Result<int64_t> PurgeExpiredDataPlanes(int64_t now);

  // Called on the calling thread right after each commit that raised config_version, with
  // the new version (the AsyncStore turns this into change notifications).
  void SetCommitObserver(std::function<void(int64_t version)> observer);

  Backend backend() const { return options_.backend; }
  const StoreOptions& options() const { return options_; }

 private:
  Store(StoreOptions options, std::unique_ptr<SqlConnection> conn,
        std::vector<MigrationStep> steps);
  Status EnsureSchemaReady();
  // Runs fn in a transaction of `kind`, rolling back on error.
  Status InTransaction(TxnKind kind, const std::function<Status()>& fn);

  StoreOptions options_;
  std::unique_ptr<SqlConnection> conn_;
  Migrator migrator_;
  bool schema_ready_ = false;
  std::function<void(int64_t)> commit_observer_;
};

}  // namespace kong::store

#endif  // KONG_STORE_STORE_H_
