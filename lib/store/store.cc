// Store: transactions around Txn, the config_version bump and the change log, migrations.
#include "store/store.h"

#include <ctime>

#include "base/macros.h"
#include "store/sql_connection.h"

namespace kong::store {

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  return Open(options, MigrationSteps(options.backend));
}

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options,
                                           std::vector<MigrationStep> steps) {
  KONG_ASSIGN_OR_RETURN(std::unique_ptr<SqlConnection> conn, ConnectSql(options));
  std::unique_ptr<Store> store(new Store(options, std::move(conn), std::move(steps)));
  if (options.auto_bootstrap) {
    KONG_ASSIGN_OR_RETURN(MigrationState state, store->migrator_.State());
    if (!state.bootstrapped) KONG_RETURN_IF_ERROR(store->Bootstrap());
  }
  return store;
}

Store::Store(StoreOptions options, std::unique_ptr<SqlConnection> conn,
             std::vector<MigrationStep> steps)
    : options_(std::move(options)), conn_(std::move(conn)), migrator_(*conn_, std::move(steps)) {}

Store::~Store() = default;

Status Store::EnsureSchemaReady() {
  // Checked until it first succeeds: another node may bootstrap or migrate meanwhile.
  if (schema_ready_) return Status::Ok();
  KONG_RETURN_IF_ERROR(migrator_.CheckUpToDate());
  schema_ready_ = true;
  return Status::Ok();
}

Status Store::InTransaction(TxnKind kind, const std::function<Status()>& fn) {
  KONG_RETURN_IF_ERROR(conn_->Begin(kind));
  // Rolls back if fn throws (bad_alloc), so the connection is never left inside a
  // transaction.
  struct Guard {
    SqlConnection* conn;
    bool done = false;
    ~Guard() {
      if (!done) conn->Rollback();
    }
  } guard{conn_.get()};
  Status s = fn();
  guard.done = true;
  if (!s.ok()) {
    conn_->Rollback();
    return s;
  }
  return conn_->Commit();
}

Result<int64_t> Store::Write(const std::function<Status(Txn&)>& fn) {
  KONG_RETURN_IF_ERROR(EnsureSchemaReady());
  int64_t version = 0;
  bool bumped = false;
  Status s = InTransaction(TxnKind::kConfigWrite, [&]() -> Status {
    Txn txn(*conn_, /*writable=*/true);
    KONG_RETURN_IF_ERROR(fn(txn));
    KONG_RETURN_IF_ERROR(txn.failure());
    // Read under the write lock, so no other writer can have taken the same number.
    KONG_ASSIGN_OR_RETURN(version, txn.ConfigVersion());
    if (!txn.changed()) return Status::Ok();
    ++version;
    bumped = true;
    KONG_ASSIGN_OR_RETURN(SqlResult r,
                          conn_->Exec("UPDATE meta SET value = $1 WHERE key = 'config_version'",
                                      {std::to_string(version)}, "bump config_version"));
    if (r.affected != 1) return Status::Internal("bump config_version: no meta row");
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    for (const auto& [key, op] : txn.changes()) {
      KONG_ASSIGN_OR_RETURN(
          SqlResult c, conn_->Exec("INSERT INTO changes (version, entity, id, op, at) "
                                   "VALUES ($1, $2, $3, $4, $5)",
                                   {version, key.first, key.second, op, now},
                                   "record change of " + key.first + " '" + key.second + "'"));
      (void)c;
    }
    // Sent by the server at commit only: other nodes never hear of a rolled-back version.
    return conn_->NotifyConfigVersion(version);
  });
  if (!s.ok()) return s;
  if (bumped && commit_observer_) commit_observer_(version);
  return version;
}

Status Store::Read(const std::function<Status(Txn&)>& fn) {
  KONG_RETURN_IF_ERROR(EnsureSchemaReady());
  return InTransaction(TxnKind::kRead, [&]() -> Status {
    Txn txn(*conn_, /*writable=*/false);
    KONG_RETURN_IF_ERROR(fn(txn));
    return txn.failure();
  });
}

Result<int64_t> Store::ConfigVersion() {
  int64_t version = 0;
  KONG_RETURN_IF_ERROR(Read([&](Txn& txn) -> Status {
    KONG_ASSIGN_OR_RETURN(version, txn.ConfigVersion());
    return Status::Ok();
  }));
  return version;
}

Status Store::Bootstrap() {
  schema_ready_ = false;
  return migrator_.Bootstrap();
}

Status Store::Up() {
  schema_ready_ = false;
  return migrator_.Up();
}

Result<MigrationState> Store::ListMigrations() { return migrator_.State(); }

Result<bool> Store::NeedsMigrations() {
  KONG_ASSIGN_OR_RETURN(MigrationState state, migrator_.State());
  return !state.bootstrapped || !state.pending.empty();
}

Status Store::CheckSchema() { return migrator_.CheckUpToDate(); }

Status Store::Reset() {
  schema_ready_ = false;
  return migrator_.Reset();
}

void Store::SetCommitObserver(std::function<void(int64_t)> observer) {
  commit_observer_ = std::move(observer);
}

}  // namespace kong::store
