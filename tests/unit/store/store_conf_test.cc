// StoreOptionsFromConf: kong.conf's database settings reach the store options unchanged.
#include <doctest/doctest.h>

#include "kong/conf.h"
#include "store/store_conf.h"
#include "support/test_support.h"

namespace kong::store {
namespace {

Conf LoadConf(std::map<std::string, std::string> overrides) {
  ConfSources sources;
  sources.overrides = std::move(overrides);
  Result<Conf> conf = Conf::Load(sources);
  REQUIRE_OK(conf.status());
  return *conf;
}

TEST_SUITE("store") {
  TEST_CASE("the embedded default is a SQLite file under the prefix") {
    test::TempDir dir;
    Conf conf = LoadConf({{"prefix", dir.path()}});
    Result<StoreOptions> options = StoreOptionsFromConf(conf);
    REQUIRE_OK(options.status());
    CHECK(options->backend == Backend::kSqlite);
    CHECK(options->sqlite.path == dir.path() + "/kong.db");
    CHECK_FALSE(options->auto_bootstrap);
  }

  TEST_CASE("postgres takes every pg_* property") {
    Conf conf = LoadConf({{"database", "postgres"},
                          {"pg_host", "db.internal"},
                          {"pg_port", "6543"},
                          {"pg_user", "gateway"},
                          {"pg_password", "s3cret"},
                          {"pg_database", "gw"},
                          {"pg_schema", "edge"},
                          {"pg_ssl", "on"},
                          {"pg_timeout", "1500"}});
    Result<StoreOptions> options = StoreOptionsFromConf(conf);
    REQUIRE_OK(options.status());
    CHECK(options->backend == Backend::kPostgres);
    CHECK(options->postgres.host == "db.internal");
    CHECK(options->postgres.port == 6543);
    CHECK(options->postgres.user == "gateway");
    CHECK(options->postgres.password == "s3cret");
    CHECK(options->postgres.database == "gw");
    CHECK(options->postgres.schema == "edge");
    CHECK(options->postgres.ssl);
    CHECK_FALSE(options->postgres.ssl_verify);
    CHECK(options->postgres.timeout_ms == 1500);
  }

  TEST_CASE("postgres defaults are Kong's, with no password and the default schema") {
    Result<StoreOptions> options = StoreOptionsFromConf(LoadConf({{"database", "postgres"}}));
    REQUIRE_OK(options.status());
    CHECK(options->postgres.host == "127.0.0.1");
    CHECK(options->postgres.port == 5432);
    CHECK(options->postgres.user == "kong");
    CHECK(options->postgres.password.empty());
    CHECK(options->postgres.database == "kong");
    CHECK(options->postgres.schema.empty());
    CHECK(options->postgres.timeout_ms == 5000);
  }

  TEST_CASE("database = off has no store") {
    Result<StoreOptions> options = StoreOptionsFromConf(LoadConf({{"database", "off"}}));
    CHECK(options.status().code() == StatusCode::kInvalidArgument);
    CHECK(options.status().message() == "database is off: this node has no database");
  }
}

}  // namespace
}  // namespace kong::store
