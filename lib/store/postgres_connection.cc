// SqlConnection over libpq: PQexecParams with text parameters, advisory-locked writers,
// NOTIFY of committed config versions, reconnection (with a growing delay) at the start of
// the next transaction after a lost connection.
#include "store/postgres_connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "base/macros.h"
#include "store/postgres_change_feed.h"

namespace kong::store {
namespace {

// libpq prints server NOTICEs ("schema already exists, skipping") to stderr by default; a
// library must not.
void IgnoreNotice(void* /*arg*/, const char* /*message*/) noexcept {}

std::string FirstLine(const char* text) { return PostgresFirstLine(text); }

class PostgresConnection final : public SqlConnection {
 public:
  PostgresConnection(PGconn* conn, const PostgresOptions& options)
      : conn_(conn),
        options_(options),
        where_(options.host + ":" + std::to_string(options.port)) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  // Session settings, bound as parameters. Run after every (re)connection.
  Status SetUpSession() {
    PQsetNoticeProcessor(conn_, &IgnoreNotice, nullptr);
    if (!options_.schema.empty()) {
      KONG_ASSIGN_OR_RETURN(schema_ident_, QuoteIdent(options_.schema));
    }
    std::string timeout = std::to_string(std::max(options_.timeout_ms, 0));
    KONG_ASSIGN_OR_RETURN(
        SqlResult r,
        Exec("SELECT set_config('search_path', $1, false), "
             "set_config('statement_timeout', $2, false)",
             {PostgresSearchPath(schema_ident_), timeout},
             "set up session on postgres at " + where_));
    (void)r;
    session_ready_ = true;
    return Status::Ok();
  }

  Result<SqlResult> Exec(std::string_view sql, const SqlParams& params,
                         std::string_view what) override {
    std::string text(sql);
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      if (const auto* v = std::get_if<int64_t>(&params[i])) {
        storage[i] = std::to_string(*v);
        values[i] = storage[i].c_str();
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        values[i] = s->c_str();
      }
    }
    PGresult* res = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0);
    struct Clear {
      PGresult* r;
      ~Clear() { PQclear(r); }
    } clear{res};
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return PgError(res, what);
    SqlResult out;
    int rows = PQntuples(res), cols = PQnfields(res);
    out.rows.reserve(static_cast<size_t>(rows));
    for (int r = 0; r < rows; ++r) {
      SqlRow row(static_cast<size_t>(cols));
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(res, r, c)) continue;
        row[static_cast<size_t>(c)].emplace(PQgetvalue(res, r, c),
                                            static_cast<size_t>(PQgetlength(res, r, c)));
      }
      out.rows.push_back(std::move(row));
    }
    const char* tuples = PQcmdTuples(res);
    if (tuples && *tuples) out.affected = std::strtoll(tuples, nullptr, 10);
    last_command_ = PQcmdStatus(res) ? PQcmdStatus(res) : "";
    return out;
  }

  Status ExecScript(std::string_view sql, std::string_view what) override {
    std::string text(sql);
    PGresult* res = PQexec(conn_, text.c_str());
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    Status s = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? Status::Ok()
                                                                 : PgError(res, what);
    last_command_ = res && PQcmdStatus(res) ? PQcmdStatus(res) : "";
    PQclear(res);
    return s;
  }

  Status Begin(TxnKind kind) override {
    Status begun = BeginOnce(kind);
    // A connection that died while idle (the server restarted) fails at BEGIN, before anything
    // ran: reconnect and try once more instead of failing the caller.
    if (!begun.ok() && PQstatus(conn_) != CONNECTION_OK) begun = BeginOnce(kind);
    return begun;
  }

  Status BeginOnce(TxnKind kind) {
    KONG_RETURN_IF_ERROR(EnsureConnected());
    // A transaction left open by a failure we never saw (should not happen) is not reused.
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) Rollback();
    switch (kind) {
      case TxnKind::kRead:
        // Kong's export runs in the same kind of transaction: one snapshot, no writes.
        return ExecScript("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                          "begin read transaction on postgres at " + where_);
      case TxnKind::kStatusWrite:
        return ExecScript("BEGIN", "begin transaction on postgres at " + where_);
      case TxnKind::kConfigWrite:
      case TxnKind::kMigration: {
        KONG_RETURN_IF_ERROR(ExecScript("BEGIN", "begin transaction on postgres at " + where_));
        // READ COMMITTED plus this lock: every statement after it sees every write committed
        // by the writer that held the lock before us.
        int64_t key = kind == TxnKind::kConfigWrite ? kConfigWriteLockKey : kMigrationLockKey;
        auto r = Exec("SELECT pg_advisory_xact_lock($1)", {key},
                      "take the write lock on postgres at " + where_);
        if (!r.ok()) {
          Rollback();
          return r.status();
        }
        return Status::Ok();
      }
    }
    return Status::Internal("unknown transaction kind");
  }

  Status Commit() override {
    Status s = ExecScript("COMMIT", "commit on postgres at " + where_);
    if (!s.ok()) {
      Rollback();
      return s;
    }
    // COMMIT of a transaction in which a statement failed reports success but rolls back.
    if (last_command_ == "ROLLBACK") {
      return Status::Io("commit on postgres at " + where_ + ": the transaction was rolled back");
    }
    return Status::Ok();
  }

  void Rollback() override {
    if (PQstatus(conn_) != CONNECTION_OK) return;  // the server rolled it back already
    PGresult* res = PQexec(conn_, "ROLLBACK");
    PQclear(res);
  }

  Result<bool> TableExists(const std::string& table) override {
    // current_schema() is NULL while the configured schema does not exist yet.
    KONG_ASSIGN_OR_RETURN(SqlResult r,
                          Exec("SELECT 1 FROM pg_catalog.pg_tables "
                               "WHERE schemaname = current_schema() AND tablename = $1",
                               {table}, "look up table " + table));
    return !r.rows.empty();
  }

  Status EnsureSchema() override {
    if (schema_ident_.empty()) return Status::Ok();
    // DDL cannot bind identifiers; the name is quoted by libpq.
    return ExecScript("CREATE SCHEMA IF NOT EXISTS " + schema_ident_,
                      "create schema " + options_.schema);
  }

  Status DropEverything() override {
    std::string ident = schema_ident_;
    if (ident.empty()) {
      KONG_ASSIGN_OR_RETURN(SqlResult r, Exec("SELECT current_schema()", {}, "find schema"));
      if (r.rows.empty() || !r.rows[0][0]) return Status::Ok();
      KONG_ASSIGN_OR_RETURN(ident, QuoteIdent(*r.rows[0][0]));
    }
    // Kong's `migrations reset`: drop the schema with everything in it, recreate it empty.
    return ExecScript("DROP SCHEMA IF EXISTS " + ident + " CASCADE; CREATE SCHEMA " + ident,
                      "reset schema " + ident);
  }

  Status NotifyConfigVersion(int64_t version) override {
    return Exec("SELECT pg_notify($1, $2)",
                {std::string(kConfigChannel), ConfigNotifyPayload(version, options_.schema)},
                "notify config version " + std::to_string(version))
        .status();
  }

  Backend backend() const override { return Backend::kPostgres; }

 private:
  // Reconnects a lost connection, at most once per PostgresRetryDelay: in between, fails at
  // once with the last attempt's error.
  Status EnsureConnected() {
    if (PQstatus(conn_) == CONNECTION_OK && session_ready_) return Status::Ok();
    if (PQstatus(conn_) != CONNECTION_OK) {
      session_ready_ = false;
      const auto now = std::chrono::steady_clock::now();
      if (failures_ > 0 && now < retry_at_) {
        const auto wait =
            std::chrono::ceil<std::chrono::milliseconds>(retry_at_ - now).count();
        return Status::Unavailable(last_failure_ + " (next attempt in " +
                                   std::to_string(wait) + " ms)");
      }
      PQreset(conn_);
      if (PQstatus(conn_) != CONNECTION_OK) {
        ++failures_;
        last_failure_ = "connect to postgres at " + where_ + ": " +
                        FirstLine(PQerrorMessage(conn_));
        retry_at_ = std::chrono::steady_clock::now() + PostgresRetryDelay(failures_);
        return Status::Unavailable(last_failure_);
      }
      failures_ = 0;
    }
    return SetUpSession();
  }

  Result<std::string> QuoteIdent(const std::string& name) {
    char* quoted = PQescapeIdentifier(conn_, name.c_str(), name.size());
    if (!quoted) {
      return Status::InvalidArgument("invalid postgres schema name '" + name +
                                     "': " + FirstLine(PQerrorMessage(conn_)));
    }
    std::string out(quoted);
    PQfreemem(quoted);
    return out;
  }

  // libpq's errors as Status, converted here only.
  Status PgError(PGresult* res, std::string_view what) {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string msg = std::string(what) + ": " +
                      (primary ? std::string(primary) : FirstLine(PQerrorMessage(conn_)));
    std::string code = state ? state : "";
    if (PQstatus(conn_) != CONNECTION_OK || code.rfind("08", 0) == 0 || code == "57P01") {
      return Status::Unavailable(msg + " (connection to postgres at " + where_ + " lost)");
    }
    if (code.rfind("23", 0) == 0) return Status::Conflict(msg);
    // Serialization failures, deadlocks, lock and statement timeouts: retry later.
    if (code == "40001" || code == "40P01" || code == "55P03" || code == "57014") {
      return Status::Unavailable(msg);
    }
    if (code == "42501") return Status::PermissionDenied(msg);
    return Status::Io(msg);
  }

  PGconn* conn_;
  PostgresOptions options_;
  std::string where_;         // host:port for messages
  std::string schema_ident_;  // quoted pg_schema, "" for the server default
  std::string last_command_;  // PQcmdStatus of the last statement
  bool session_ready_ = false;  // SetUpSession succeeded on the current connection
  uint32_t failures_ = 0;       // failed reconnections in a row
  std::chrono::steady_clock::time_point retry_at_;  // no reconnection before this
  std::string last_failure_;
};

}  // namespace

std::string PostgresFirstLine(const char* text) {
  std::string s = text ? text : "";
  s = s.substr(0, s.find('\n'));
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s.empty() ? "unknown error" : s;
}

std::string PostgresSearchPath(const std::string& quoted_schema) {
  return quoted_schema.empty() ? std::string("\"$user\", public") : quoted_schema;
}

PostgresConnectParams::PostgresConnectParams(const PostgresOptions& options) {
  // libpq counts connect_timeout in whole seconds and treats values below 2 as 2.
  std::string connect_timeout = std::to_string(std::max(2, (options.timeout_ms + 999) / 1000));
  const char* sslmode = !options.ssl ? "disable" : options.ssl_verify ? "verify-full" : "require";
  keys_ = {"host", "port", "user", "dbname", "sslmode",
           "connect_timeout", "application_name", "client_encoding"};
  values_ = {options.host, std::to_string(options.port), options.user, options.database,
             sslmode, connect_timeout, options.application_name, "UTF8"};
  if (!options.password.empty()) Add("password", options.password);
}

void PostgresConnectParams::Add(std::string key, std::string value) {
  keys_.push_back(std::move(key));
  values_.push_back(std::move(value));
}

const char* const* PostgresConnectParams::keys() {
  key_ptrs_.clear();
  for (const auto& k : keys_) key_ptrs_.push_back(k.c_str());
  key_ptrs_.push_back(nullptr);
  return key_ptrs_.data();
}

const char* const* PostgresConnectParams::values() {
  value_ptrs_.clear();
  for (const auto& v : values_) value_ptrs_.push_back(v.c_str());
  value_ptrs_.push_back(nullptr);
  return value_ptrs_.data();
}

Result<std::unique_ptr<SqlConnection>> ConnectPostgres(const PostgresOptions& options) {
  std::string where = options.host + ":" + std::to_string(options.port);
  PostgresConnectParams params(options);
  PGconn* conn = PQconnectdbParams(params.keys(), params.values(), 0);
  if (conn == nullptr) return Status::Unavailable("connect to postgres at " + where + ": out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    Status s = Status::Unavailable("connect to postgres at " + where + ": " +
                                   FirstLine(PQerrorMessage(conn)));
    PQfinish(conn);
    return s;
  }
  auto pg = std::make_unique<PostgresConnection>(conn, options);
  KONG_RETURN_IF_ERROR(pg->SetUpSession());
  return std::unique_ptr<SqlConnection>(std::move(pg));
}

}  // namespace kong::store
