// The PostgreSQL SqlConnection over libpq (built only when libpq is found).
#ifndef KONG_STORE_POSTGRES_CONNECTION_H_
#define KONG_STORE_POSTGRES_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/sql_connection.h"

namespace kong::store {

// pg_advisory_xact_lock keys. Every config write transaction, in every CP process sharing
// the database, takes kConfigWriteLockKey first, so writes (and config_version bumps) are
// totally ordered. Migrations take their own key. The values spell "kongconf"/"kongmigr".
inline constexpr int64_t kConfigWriteLockKey = 0x6b6f6e67636f6e66;
inline constexpr int64_t kMigrationLockKey = 0x6b6f6e676d696772;

// libpq connection keywords and values for `options` (the password only when set), shared by
// the store's connection and the change feed's, as PQconnectdbParams' NULL-terminated arrays.
class PostgresConnectParams {
 public:
  explicit PostgresConnectParams(const PostgresOptions& options);
  void Add(std::string key, std::string value);
  // Valid until the next Add.
  const char* const* keys();
  const char* const* values();

 private:
  std::vector<std::string> keys_, values_;
  std::vector<const char*> key_ptrs_, value_ptrs_;
};

// The search_path setting for pg_schema (already quoted), or the server default's when empty.
std::string PostgresSearchPath(const std::string& quoted_schema);

// The first line of a libpq error text, trimmed ("unknown error" when empty).
std::string PostgresFirstLine(const char* text);

// Connects with libpq. kUnavailable "connect to postgres at <host>:<port>: <reason>" when the
// server cannot be reached or refuses us; the password never appears in messages.
Result<std::unique_ptr<SqlConnection>> ConnectPostgres(const PostgresOptions& options);

}  // namespace kong::store

#endif  // KONG_STORE_POSTGRES_CONNECTION_H_
