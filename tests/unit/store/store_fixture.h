// Runs one store test body against every backend: SQLite always, PostgreSQL when
// KONG_TEST_PG_HOST/PORT/USER/DATABASE name a server (scripts/pg-throwaway start).
#ifndef KONG_TESTS_UNIT_STORE_STORE_FIXTURE_H_
#define KONG_TESTS_UNIT_STORE_STORE_FIXTURE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/store.h"
#include "support/test_support.h"

namespace kong::store::test {

// A fresh, empty database of one backend, private to one test case: a temp SQLite file, or
// a PostgreSQL schema with a random name (reset afterwards).
class TestDatabase {
 public:
  virtual ~TestDatabase() = default;
  virtual const char* name() const = 0;
  // Options reaching this database; auto_bootstrap off.
  virtual StoreOptions options() const = 0;

  // A store on this database, bootstrapped unless told otherwise; REQUIREs success.
  std::unique_ptr<Store> Open(bool bootstrap = true) const;
};

// PostgreSQL options from KONG_TEST_PG_*, or false when not set (or libpq not built in).
bool PostgresTestOptions(PostgresOptions* out);

// Calls body for each available backend, with INFO naming it; reports a skipped PostgreSQL
// variant with MESSAGE.
void ForEachBackend(const std::function<void(TestDatabase& db)>& body);

// A row of `entity` with a body {"id": id, "name": name}; unique key name when non-empty.
Row MakeRow(const std::string& id, const std::string& name = "",
            std::vector<std::string> tags = {}, std::vector<Ref> refs = {});

// The ids of `rows`, in order.
std::vector<std::string> Ids(const std::vector<Row>& rows);

// A random lowercase hex string (schema names, application names).
std::string RandomHex(size_t bytes);

}  // namespace kong::store::test

#endif  // KONG_TESTS_UNIT_STORE_STORE_FIXTURE_H_
