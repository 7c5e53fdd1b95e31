// Backend factories for the store tests.
#include "store_fixture.h"

#include <cstdlib>
#include <random>

#include "store/sql_connection.h"

namespace kong::store::test {
namespace {

class SqliteTestDatabase final : public TestDatabase {
 public:
  const char* name() const override { return "sqlite"; }
  StoreOptions options() const override {
    StoreOptions o;
    o.backend = Backend::kSqlite;
    o.sqlite.path = dir_.File("kong.db");
    return o;
  }

 private:
  kong::test::TempDir dir_;
};

class PostgresTestDatabase final : public TestDatabase {
 public:
  explicit PostgresTestDatabase(PostgresOptions pg) : pg_(std::move(pg)) {
    pg_.schema = "kong_test_" + RandomHex(6);
  }
  ~PostgresTestDatabase() override {
    // Leaves an empty schema in the throwaway server, nothing else.
    auto store = Store::Open(options());
    if (store.ok()) (void)(*store)->Reset();
  }
  const char* name() const override { return "postgres"; }
  StoreOptions options() const override {
    StoreOptions o;
    o.backend = Backend::kPostgres;
    o.postgres = pg_;
    return o;
  }

 private:
  PostgresOptions pg_;
};

}  // namespace

std::unique_ptr<Store> TestDatabase::Open(bool bootstrap) const {
  auto store = Store::Open(options());
  REQUIRE_OK(store.status());
  if (bootstrap) REQUIRE_OK((*store)->Bootstrap());
  return std::move(store).value();
}

bool PostgresTestOptions(PostgresOptions* out) {
  const char* host = std::getenv("KONG_TEST_PG_HOST");
  const char* port = std::getenv("KONG_TEST_PG_PORT");
  const char* user = std::getenv("KONG_TEST_PG_USER");
  const char* database = std::getenv("KONG_TEST_PG_DATABASE");
  if (!host || !port || !user || !database || !PostgresSupported()) return false;
  out->host = host;
  out->port = std::atoi(port);
  out->user = user;
  out->database = database;
  if (const char* pw = std::getenv("KONG_TEST_PG_PASSWORD")) out->password = pw;
  out->application_name = "kong_store_test";
  return true;
}

void ForEachBackend(const std::function<void(TestDatabase& db)>& body) {
  {
    SqliteTestDatabase db;
    INFO("backend: sqlite");
    body(db);
  }
  PostgresOptions pg;
  if (!PostgresTestOptions(&pg)) {
    std::string why = PostgresSupported()
                          ? "postgres variant skipped: set KONG_TEST_PG_HOST/PORT/USER/DATABASE "
                            "(eval \"$(scripts/pg-throwaway start)\")"
                          : "postgres variant skipped: built without libpq";
    MESSAGE(why);
    return;
  }
  PostgresTestDatabase db(pg);
  INFO("backend: postgres");
  body(db);
}

Row MakeRow(const std::string& id, const std::string& name, std::vector<std::string> tags,
            std::vector<Ref> refs) {
  Row row;
  row.id = id;
  row.body = json::Value::EmptyObject();
  row.body.Set("id", id);
  if (!name.empty()) {
    row.body.Set("name", name);
    row.unique_keys.emplace_back("name", name);
  }
  row.created_at = 1700000000;
  row.updated_at = 1700000000;
  row.tags = std::move(tags);
  row.refs = std::move(refs);
  return row;
}

std::vector<std::string> Ids(const std::vector<Row>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.id);
  return out;
}

std::string RandomHex(size_t bytes) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes; ++i) {
    unsigned v = static_cast<unsigned>(rng() & 0xff);
    out += kHex[v >> 4];
    out += kHex[v & 15];
  }
  return out;
}

}  // namespace kong::store::test
