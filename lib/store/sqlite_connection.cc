// SqlConnection over SQLite: cached prepared statements, bound parameters, WAL.
//
// Durability: WAL with synchronous=FULL. With synchronous=NORMAL a WAL commit survives a
// process crash (SIGKILL) but the last commits can be lost on power failure, because the WAL
// is only synced at checkpoints; FULL syncs the WAL at every commit, so a commit we
// acknowledged survives both. The cost is one fsync per config write, which is rare.
#include "store/sqlite_connection.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <unordered_map>

#include "base/files.h"
#include "base/macros.h"

namespace kong::store {
namespace {

// SQLite's result codes as Status, converted here only.
Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: return Status::Conflict(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Status::Unavailable(msg);
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_READONLY: return Status::PermissionDenied(msg);
    case SQLITE_MISUSE:
    case SQLITE_RANGE: return Status::Internal(msg);
    default: return Status::Io(msg);
  }
}

// Our SQL is written with PostgreSQL's $N placeholders; SQLite spells the same numbered
// parameter ?N. The statements are our own constants, with no '$' inside literals.
std::string ToSqlitePlaceholders(std::string_view sql) {
  std::string out(sql);
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '$' && std::isdigit(static_cast<unsigned char>(out[i + 1]))) out[i] = '?';
  }
  return out;
}

class SqliteConnection final : public SqlConnection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override {
    ClearCache();
    sqlite3_close_v2(db_);
  }

  Result<SqlResult> Exec(std::string_view sql, const SqlParams& params,
                         std::string_view what) override {
    KONG_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, what));
    // Reset even on early returns, so the statement never stays active (it would hold a
    // read lock and block DROP TABLE).
    struct Resetter {
      sqlite3_stmt* s;
      ~Resetter() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } resetter{stmt};
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      int rc = SQLITE_OK;
      if (const auto* v = std::get_if<int64_t>(&params[i])) {
        rc = sqlite3_bind_int64(stmt, idx, *v);
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        // SQLITE_STATIC: `params` outlives every step of this statement.
        rc = sqlite3_bind_text(stmt, idx, s->data(), static_cast<int>(s->size()), SQLITE_STATIC);
      } else {
        rc = sqlite3_bind_null(stmt, idx);
      }
      if (rc != SQLITE_OK) return SqliteError(db_, rc, what);
    }
    SqlResult result;
    int cols = sqlite3_column_count(stmt);
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return SqliteError(db_, rc, what);
      SqlRow row(static_cast<size_t>(cols));
      for (int c = 0; c < cols; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) continue;
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        row[static_cast<size_t>(c)].emplace(text, static_cast<size_t>(sqlite3_column_bytes(stmt, c)));
      }
      result.rows.push_back(std::move(row));
    }
    // sqlite3_changes() keeps the count of the last writing statement, so only ask after one.
    if (!sqlite3_stmt_readonly(stmt)) result.affected = sqlite3_changes(db_);
    return result;
  }

  Status ExecScript(std::string_view sql, std::string_view what) override {
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, what);
    return Status::Ok();
  }

  Status Begin(TxnKind kind) override {
    // Writers take the write lock up front (IMMEDIATE): a deferred transaction that reads
    // then writes can fail with SQLITE_BUSY without waiting when another process wrote in
    // between. Readers stay deferred; in WAL mode their snapshot is fixed by the first read.
    const char* sql = kind == TxnKind::kRead ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE";
    return ExecScript(sql, "begin transaction on " + path_);
  }

  Status Commit() override {
    int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return Status::Ok();
    Status s = SqliteError(db_, rc, "commit on " + path_);
    Rollback();
    return s;
  }

  void Rollback() override {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  Result<bool> TableExists(const std::string& table) override {
    KONG_ASSIGN_OR_RETURN(
        SqlResult r, Exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1",
                          {table}, "look up table " + table));
    return !r.rows.empty();
  }

  Status EnsureSchema() override { return Status::Ok(); }

  Status DropEverything() override {
    ClearCache();
    KONG_ASSIGN_OR_RETURN(
        SqlResult r, Exec("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                          "name NOT LIKE 'sqlite_%'",
                          {}, "list tables of " + path_));
    // foreign_keys cannot change inside a transaction, and with it on DROP TABLE runs an
    // implicit DELETE that the order of drops would have to respect.
    KONG_RETURN_IF_ERROR(ExecScript("PRAGMA foreign_keys = OFF", "reset " + path_));
    Status s = Begin(TxnKind::kMigration);
    for (size_t i = 0; s.ok() && i < r.rows.size(); ++i) {
      // Table names come from the database itself; quoted as identifiers.
      std::string name = SqlText(r.rows[i], 0), quoted = "\"";
      for (char c : name) quoted += (c == '"') ? std::string("\"\"") : std::string(1, c);
      quoted += '"';
      s = ExecScript("DROP TABLE " + quoted, "drop table " + name);
    }
    if (s.ok()) s = Commit(); else Rollback();
    Status fk = ExecScript("PRAGMA foreign_keys = ON", "reset " + path_);
    return s.ok() ? fk : s;
  }

  Backend backend() const override { return Backend::kSqlite; }

 private:
  Result<sqlite3_stmt*> Prepare(std::string_view sql, std::string_view what) {
    auto it = cache_.find(std::string(sql));
    if (it != cache_.end()) return it->second;
    // Statements with IN lists vary with the list length; bound the cache rather than grow.
    if (cache_.size() >= 512) ClearCache();
    std::string text = ToSqlitePlaceholders(sql);
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, what);
    cache_.emplace(std::string(sql), stmt);
    return stmt;
  }

  void ClearCache() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    cache_.clear();
  }

  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

Status RunPragma(sqlite3* db, const char* sql, const std::string& path) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db, rc, "configure sqlite database " + path);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SqlConnection>> ConnectSqlite(const SqliteOptions& options) {
  const std::string& path = options.path;
  if (path.empty()) return Status::InvalidArgument("sqlite database path must not be empty");
  bool in_memory = path == ":memory:";
  // The database holds certificates and credentials: create it private. SQLite gives its
  // -wal and -shm files the mode of the database file.
  if (!in_memory) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return base::ErrnoStatus(errno, "open sqlite database " + path);
    ::close(fd);
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                           nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteError(db, rc, "open sqlite database " + path);
    sqlite3_close_v2(db);
    return s;
  }
  auto conn = std::make_unique<SqliteConnection>(db, path);
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  KONG_ASSIGN_OR_RETURN(SqlResult mode,
                        conn->Exec("PRAGMA journal_mode = WAL", {}, "enable wal on " + path));
  std::string got = mode.rows.empty() ? "" : SqlText(mode.rows[0], 0);
  if (got != "wal" && !(in_memory && got == "memory")) {
    return Status::Io("enable wal on " + path + ": journal mode stayed '" + got + "'");
  }
  KONG_RETURN_IF_ERROR(RunPragma(db, "PRAGMA synchronous = FULL", path));
  KONG_RETURN_IF_ERROR(RunPragma(db, "PRAGMA foreign_keys = ON", path));
  return std::unique_ptr<SqlConnection>(std::move(conn));
}

}  // namespace kong::store
