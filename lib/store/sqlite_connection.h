// The SQLite SqlConnection (embedded default backend).
#ifndef KONG_STORE_SQLITE_CONNECTION_H_
#define KONG_STORE_SQLITE_CONNECTION_H_

#include <memory>

#include "store/sql_connection.h"

namespace kong::store {

// Opens (creating with mode 0600 when missing) the file in WAL mode with synchronous=FULL,
// foreign keys on and the busy timeout set. See sqlite_connection.cc for why FULL.
Result<std::unique_ptr<SqlConnection>> ConnectSqlite(const SqliteOptions& options);

}  // namespace kong::store

#endif  // KONG_STORE_SQLITE_CONNECTION_H_
