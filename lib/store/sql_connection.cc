// Backend selection and the column accessors shared by both backends.
#include "store/sql_connection.h"

#include <cstdlib>

#include "store/sqlite_connection.h"
#ifdef KONG_STORE_HAVE_POSTGRES
#include "store/postgres_connection.h"
#endif

namespace kong::store {

const char* BackendName(Backend backend) {
  return backend == Backend::kPostgres ? "postgres" : "sqlite";
}

std::string SqlText(const SqlRow& row, size_t col) {
  return col < row.size() && row[col] ? *row[col] : std::string();
}

int64_t SqlInt(const SqlRow& row, size_t col) {
  if (col >= row.size() || !row[col]) return 0;
  return std::strtoll(row[col]->c_str(), nullptr, 10);
}

Result<std::unique_ptr<SqlConnection>> ConnectSql(const StoreOptions& options) {
  switch (options.backend) {
    case Backend::kSqlite: return ConnectSqlite(options.sqlite);
    case Backend::kPostgres:
#ifdef KONG_STORE_HAVE_POSTGRES
      return ConnectPostgres(options.postgres);
#else
      return Status::InvalidArgument(
          "database 'postgres': this build has no postgres support (built without libpq)");
#endif
  }
  return Status::InvalidArgument("unknown store backend");
}

bool PostgresSupported() {
#ifdef KONG_STORE_HAVE_POSTGRES
  return true;
#else
  return false;
#endif
}

}  // namespace kong::store
