// The PostgreSQL SqlConnection over libpq (built only when libpq is found).
#ifndef KONG_STORE_POSTGRES_CONNECTION_H_
#define KONG_STORE_POSTGRES_CONNECTION_H_

#include <cstdint>
#include <memory>

#include "store/sql_connection.h"

namespace kong::store {

// pg_advisory_xact_lock keys. Every config write transaction, in every CP process sharing
// the database, takes kConfigWriteLockKey first, so writes (and config_version bumps) are
// totally ordered. Migrations take their own key. The values spell "kongconf"/"kongmigr".
inline constexpr int64_t kConfigWriteLockKey = 0x6b6f6e67636f6e66;
inline constexpr int64_t kMigrationLockKey = 0x6b6f6e676d696772;

// Connects with libpq. kUnavailable "connect to postgres at <host>:<port>: <reason>" when the
// server cannot be reached or refuses us; the password never appears in messages.
Result<std::unique_ptr<SqlConnection>> ConnectPostgres(const PostgresOptions& options);

}  // namespace kong::store

#endif  // KONG_STORE_POSTGRES_CONNECTION_H_
