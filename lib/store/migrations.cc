// Migration steps for SQLite and PostgreSQL and the Migrator that applies them.
#include "store/migrations.h"

#include <algorithm>
#include <ctime>

#include "base/macros.h"

namespace kong::store {

const char kNeedsBootstrapMessage[] =
    "Database needs bootstrapping or is older than Kong 1.0.\n\n"
    "To start a new installation from scratch, run 'kong migrations bootstrap'.\n\n"
    "To migrate from a version older than 1.0, migrated to Kong 1.5.0 first. \n"
    "If you still have 'apis' entities, you can convert them to Routes and Services\n"
    "using the 'kong migrations migrate-apis' command in Kong 1.5.0.\n\n";
const char kNewMigrationsMessage[] =
    "New migrations available; run 'kong migrations up' to proceed";

namespace {

// Side tables (unique_keys, refs, tags) cascade from their row, so deleting a row cleans
// its index entries; references between rows carry no foreign key on purpose: restrict and
// cascade between entities are Kong's rules, applied by the DAO inside the transaction.
const std::vector<MigrationStep>& SqliteSteps() {
  static const std::vector<MigrationStep> steps = {
      {"000_base", R"(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta (key, value) VALUES ('config_version', '0');
CREATE TABLE entities (
  entity TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY (entity, id)) WITHOUT ROWID;
CREATE TABLE unique_keys (
  entity TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, id TEXT NOT NULL,
  PRIMARY KEY (entity, field, value),
  FOREIGN KEY (entity, id) REFERENCES entities (entity, id) ON DELETE CASCADE) WITHOUT ROWID;
CREATE INDEX unique_keys_row_idx ON unique_keys (entity, id);
CREATE TABLE refs (
  entity TEXT NOT NULL, id TEXT NOT NULL, field TEXT NOT NULL,
  parent_entity TEXT NOT NULL, parent_id TEXT NOT NULL,
  PRIMARY KEY (entity, id, field),
  FOREIGN KEY (entity, id) REFERENCES entities (entity, id) ON DELETE CASCADE) WITHOUT ROWID;
CREATE INDEX refs_parent_idx ON refs (parent_entity, parent_id);
CREATE TABLE tags (
  entity TEXT NOT NULL, id TEXT NOT NULL, tag TEXT NOT NULL, pos INTEGER NOT NULL,
  PRIMARY KEY (entity, id, tag),
  FOREIGN KEY (entity, id) REFERENCES entities (entity, id) ON DELETE CASCADE) WITHOUT ROWID;
CREATE INDEX tags_tag_idx ON tags (entity, tag, id);
)"},
      {"001_changes", R"(
CREATE TABLE changes (
  version INTEGER NOT NULL, entity TEXT NOT NULL, id TEXT NOT NULL, op TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (version, entity, id)) WITHOUT ROWID;
)"},
      {"002_clustering_data_planes", R"(
CREATE TABLE clustering_data_planes (
  id TEXT PRIMARY KEY, hostname TEXT NOT NULL, ip TEXT NOT NULL,
  last_seen INTEGER NOT NULL, config_hash TEXT NOT NULL,
  version TEXT NOT NULL DEFAULT '', sync_status TEXT NOT NULL DEFAULT 'unknown',
  labels TEXT NOT NULL DEFAULT '{}', cert_details TEXT NOT NULL DEFAULT '{}',
  updated_at INTEGER NOT NULL, expires_at INTEGER);
CREATE INDEX clustering_data_planes_expires_idx ON clustering_data_planes (expires_at);
)"},
      // Lists of one parent's children (GET /services/{s}/routes) page through this index.
      {"003_refs_children_idx", R"(
CREATE INDEX refs_children_idx ON refs (entity, field, parent_id, id);
)"},
  };
  return steps;
}

// Keys that are ordered or paged on use COLLATE "C" so that PostgreSQL orders ids by bytes,
// exactly as SQLite does; the database's locale collation would make pages differ.
const std::vector<MigrationStep>& PostgresSteps() {
  static const std::vector<MigrationStep> steps = {
      {"000_base", R"(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta (key, value) VALUES ('config_version', '0');
CREATE TABLE entities (
  entity TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, body TEXT NOT NULL,
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  PRIMARY KEY (entity, id));
CREATE TABLE unique_keys (
  entity TEXT COLLATE "C" NOT NULL, field TEXT COLLATE "C" NOT NULL,
  value TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (entity, field, value),
  FOREIGN KEY (entity, id) REFERENCES entities (entity, id) ON DELETE CASCADE);
CREATE INDEX unique_keys_row_idx ON unique_keys (entity, id);
CREATE TABLE refs (
  entity TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, field TEXT COLLATE "C" NOT NULL,
  parent_entity TEXT COLLATE "C" NOT NULL, parent_id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (entity, id, field),
  FOREIGN KEY (entity, id) REFERENCES entities (entity, id) ON DELETE CASCADE);
CREATE INDEX refs_parent_idx ON refs (parent_entity, parent_id);
CREATE TABLE tags (
  entity TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, tag TEXT COLLATE "C" NOT NULL,
  pos INTEGER NOT NULL,
  PRIMARY KEY (entity, id, tag),
  FOREIGN KEY (entity, id) REFERENCES entities (entity, id) ON DELETE CASCADE);
CREATE INDEX tags_tag_idx ON tags (entity, tag, id);
)"},
      {"001_changes", R"(
CREATE TABLE changes (
  version BIGINT NOT NULL, entity TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL,
  op TEXT NOT NULL, at BIGINT NOT NULL,
  PRIMARY KEY (version, entity, id));
)"},
      {"002_clustering_data_planes", R"(
CREATE TABLE clustering_data_planes (
  id TEXT COLLATE "C" PRIMARY KEY, hostname TEXT NOT NULL, ip TEXT NOT NULL,
  last_seen BIGINT NOT NULL, config_hash TEXT NOT NULL,
  version TEXT NOT NULL DEFAULT '', sync_status TEXT NOT NULL DEFAULT 'unknown',
  labels TEXT NOT NULL DEFAULT '{}', cert_details TEXT NOT NULL DEFAULT '{}',
  updated_at BIGINT NOT NULL, expires_at BIGINT);
CREATE INDEX clustering_data_planes_expires_idx ON clustering_data_planes (expires_at);
)"},
      // Lists of one parent's children (GET /services/{s}/routes) page through this index.
      {"003_refs_children_idx", R"(
CREATE INDEX refs_children_idx ON refs (entity, field, parent_id, id);
)"},
  };
  return steps;
}

constexpr char kCreateMigrationsTable[] =
    "CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, executed_at BIGINT NOT NULL)";

}  // namespace

const std::vector<MigrationStep>& MigrationSteps(Backend backend) {
  return backend == Backend::kPostgres ? PostgresSteps() : SqliteSteps();
}

Result<MigrationState> Migrator::State() { return StateInTxn(); }

Result<MigrationState> Migrator::StateInTxn() {
  MigrationState state;
  KONG_ASSIGN_OR_RETURN(state.bootstrapped, conn_.TableExists("schema_migrations"));
  std::vector<std::string> done;
  if (state.bootstrapped) {
    KONG_ASSIGN_OR_RETURN(SqlResult r, conn_.Exec("SELECT name FROM schema_migrations", {},
                                                  "list executed migrations"));
    for (const auto& row : r.rows) done.push_back(SqlText(row, 0));
  }
  auto was_done = [&](const std::string& name) {
    return std::find(done.begin(), done.end(), name) != done.end();
  };
  for (const auto& step : steps_) {
    (was_done(step.name) ? state.executed : state.pending).push_back(step.name);
  }
  // Names we do not know were run by a newer version; list them, never undo them.
  std::sort(done.begin(), done.end());
  for (const auto& name : done) {
    if (std::none_of(steps_.begin(), steps_.end(),
                     [&](const MigrationStep& s) { return s.name == name; })) {
      state.executed.push_back(name);
    }
  }
  return state;
}

Status Migrator::Apply(const std::vector<std::string>& names) {
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (const auto& name : names) {
    auto step = std::find_if(steps_.begin(), steps_.end(),
                             [&](const MigrationStep& s) { return s.name == name; });
    if (step == steps_.end()) return Status::Internal("unknown migration " + name);
    KONG_RETURN_IF_ERROR(conn_.ExecScript(step->sql, "run migration " + name));
    KONG_ASSIGN_OR_RETURN(
        SqlResult r,
        conn_.Exec("INSERT INTO schema_migrations (name, executed_at) VALUES ($1, $2)",
                   {name, now}, "record migration " + name));
    (void)r;
  }
  return Status::Ok();
}

Status Migrator::Bootstrap() {
  KONG_RETURN_IF_ERROR(conn_.Begin(TxnKind::kMigration));
  // Every step in one transaction (both backends have transactional DDL): a failure leaves
  // the database as it was, never half-bootstrapped.
  Status s = [&]() -> Status {
    KONG_RETURN_IF_ERROR(conn_.EnsureSchema());
    KONG_ASSIGN_OR_RETURN(MigrationState state, StateInTxn());
    if (state.bootstrapped) return Status::Ok();  // another node won the race, or a re-run
    KONG_RETURN_IF_ERROR(conn_.ExecScript(kCreateMigrationsTable, "create schema_migrations"));
    return Apply(state.pending);
  }();
  if (!s.ok()) {
    conn_.Rollback();
    return s;
  }
  return conn_.Commit();
}

Status Migrator::Up() {
  KONG_RETURN_IF_ERROR(conn_.Begin(TxnKind::kMigration));
  Status s = [&]() -> Status {
    KONG_ASSIGN_OR_RETURN(MigrationState state, StateInTxn());
    if (!state.bootstrapped) {
      return Status::Unavailable(std::string("Cannot run migrations: ") + kNeedsBootstrapMessage);
    }
    return Apply(state.pending);
  }();
  if (!s.ok()) {
    conn_.Rollback();
    return s;
  }
  return conn_.Commit();
}

Status Migrator::Reset() { return conn_.DropEverything(); }

Status Migrator::CheckUpToDate() {
  KONG_ASSIGN_OR_RETURN(MigrationState state, State());
  if (!state.bootstrapped) return Status::Unavailable(kNeedsBootstrapMessage);
  if (!state.pending.empty()) return Status::Unavailable(kNewMigrationsMessage);
  return Status::Ok();
}

}  // namespace kong::store
