// SqlConnection: the few SQL operations the store needs, implemented once per backend
// (SQLite, PostgreSQL) so that every query above it is written once.
#ifndef KONG_STORE_SQL_CONNECTION_H_
#define KONG_STORE_SQL_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "kong/status.h"
#include "store/store_options.h"

namespace kong::store {

// A bound parameter: NULL, an integer or text. Values only ever travel as parameters.
using SqlParam = std::variant<std::nullptr_t, int64_t, std::string>;
using SqlParams = std::vector<SqlParam>;

// Every column comes back as text (integers in decimal); nullopt is SQL NULL.
using SqlRow = std::vector<std::optional<std::string>>;

struct SqlResult {
  std::vector<SqlRow> rows;
  int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE
};

// The text of column `col` ("" for NULL) and the same as an integer (0 for NULL or junk).
std::string SqlText(const SqlRow& row, size_t col);
int64_t SqlInt(const SqlRow& row, size_t col);

enum class TxnKind {
  kConfigWrite,  // serialized across every process sharing the database
  kRead,         // read-only, one consistent snapshot
  kStatusWrite,  // small writes that need no cross-process ordering (data-plane status)
  kMigration,    // schema changes, serialized across processes by their own lock
};

// One database connection. Not thread-safe: used by one thread at a time (the store thread).
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;

  // Runs one statement whose parameters are written $1, $2, ... in the text. `what` names
  // the operation in error messages ("insert services"). Errors: kConflict for a constraint
  // violation, kUnavailable for a lost connection or a lock wait that timed out, kIo else.
  virtual Result<SqlResult> Exec(std::string_view sql, const SqlParams& params,
                                 std::string_view what) = 0;
  // Runs several parameterless statements (migration DDL).
  virtual Status ExecScript(std::string_view sql, std::string_view what) = 0;

  // Starts a transaction of `kind`; reconnects first if the connection was lost.
  virtual Status Begin(TxnKind kind) = 0;
  virtual Status Commit() = 0;
  // Never fails from the caller's point of view: a failed rollback drops the connection,
  // which the server rolls back, and the next Begin reconnects.
  virtual void Rollback() = 0;

  // Whether `table` exists in the store's schema.
  virtual Result<bool> TableExists(const std::string& table) = 0;
  // Creates the configured schema if the backend has schemas (PostgreSQL pg_schema).
  virtual Status EnsureSchema() = 0;
  // Drops every object of the store (`kong migrations reset`).
  virtual Status DropEverything() = 0;
  // Inside a config write transaction: tells the other control-plane nodes sharing the
  // database that `version` is committed, once the transaction commits (PostgreSQL NOTIFY on
  // kConfigChannel). SQLite has no other nodes to tell: nothing to do.
  virtual Status NotifyConfigVersion(int64_t /*version*/) { return Status::Ok(); }

  virtual Backend backend() const = 0;
};

// Connects as `options` say: kUnavailable naming host:port (never the password) when the
// server cannot be reached, kIo naming the path when the SQLite file cannot be opened,
// kInvalidArgument for the postgres backend in a build without libpq.
Result<std::unique_ptr<SqlConnection>> ConnectSql(const StoreOptions& options);

// Whether this build includes the postgres backend (libpq was found).
bool PostgresSupported();

}  // namespace kong::store

#endif  // KONG_STORE_SQL_CONNECTION_H_
