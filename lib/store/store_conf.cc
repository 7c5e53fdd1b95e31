#include "store/store_conf.h"

#include <string>

namespace kong::store {

Result<StoreOptions> StoreOptionsFromConf(const Conf& conf) {
  StoreOptions options;
  const std::string database = conf.GetString("database");
  if (database == "sqlite") {
    options.backend = Backend::kSqlite;
    options.sqlite.path = conf.GetString("sqlite_path");  // absolute, resolved by Conf
    return options;
  }
  if (database != "postgres") {
    return Status::InvalidArgument("database is " + database + ": this node has no database");
  }
  options.backend = Backend::kPostgres;
  PostgresOptions& pg = options.postgres;
  pg.host = conf.GetString("pg_host");
  pg.port = static_cast<int>(conf.GetNumber("pg_port"));
  pg.user = conf.GetString("pg_user");
  if (conf.Has("pg_password")) pg.password = conf.GetString("pg_password");
  pg.database = conf.GetString("pg_database");
  if (conf.Has("pg_schema")) pg.schema = conf.GetString("pg_schema");
  pg.ssl = conf.GetBool("pg_ssl");
  pg.ssl_verify = conf.GetBool("pg_ssl_verify");
  pg.timeout_ms = static_cast<int>(conf.GetNumber("pg_timeout"));
  return options;
}

}  // namespace kong::store
