// StoreOptions: which database the control plane keeps its configuration in, with Kong's
// `database` / `pg_*` settings and their defaults.
#ifndef KONG_STORE_STORE_OPTIONS_H_
#define KONG_STORE_STORE_OPTIONS_H_

#include <string>

namespace kong::store {

enum class Backend { kSqlite, kPostgres };

// "sqlite" or "postgres".
const char* BackendName(Backend backend);

struct SqliteOptions {
  // The database file; created when missing (its folder must exist).
  std::string path;
  // How long a writer waits for another process's write lock before kUnavailable.
  int busy_timeout_ms = 5000;
};

struct PostgresOptions {
  std::string host = "127.0.0.1";  // pg_host
  int port = 5432;                 // pg_port
  std::string user = "kong";       // pg_user
  std::string password;            // pg_password; empty means none. Never logged.
  std::string database = "kong";   // pg_database
  // pg_schema: the schema every table lives in (search_path); empty means the server's
  // default (public). Bootstrap creates it when missing.
  std::string schema;
  bool ssl = false;         // pg_ssl: TLS to the server (sslmode=require)
  bool ssl_verify = false;  // pg_ssl_verify: also verify the certificate and host name
  // pg_timeout in milliseconds: bounds connecting, each statement and lock waits.
  int timeout_ms = 5000;
  // Shown in pg_stat_activity; lets operators (and tests) tell our sessions apart.
  std::string application_name = "libkonghybrid";
};

struct StoreOptions {
  Backend backend = Backend::kSqlite;
  SqliteOptions sqlite;
  PostgresOptions postgres;
  // When the database has never been bootstrapped (a brand-new SQLite file, an empty
  // schema), bootstrap it during Open instead of failing later with Kong's
  // "Database needs bootstrapping" hint. Pending migrations of an existing database are
  // never applied implicitly: that stays an explicit `kong migrations up`.
  bool auto_bootstrap = false;
};

}  // namespace kong::store

#endif  // KONG_STORE_STORE_OPTIONS_H_
