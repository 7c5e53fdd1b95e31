// A Dao over a fresh store of one backend (via the store tests' ForEachBackend), with a test
// plugin registered, plus JSON helpers for the dao tests.
#ifndef KONG_TESTS_UNIT_DAO_DAO_FIXTURE_H_
#define KONG_TESTS_UNIT_DAO_DAO_FIXTURE_H_

#include <memory>
#include <string>

#include "dao/dao.h"
#include "json/value.h"
#include "schema/catalog.h"
#include "schema/plugin_registry.h"
#include "store/store.h"
#include "support/json_test_support.h"
#include "unit/store/store_fixture.h"

namespace kong::dao::test {

// The plugin the tests attach to services, routes and consumers: "test-plugin", config
// {"level": integer, default 1}.
struct DaoFixture {
  explicit DaoFixture(store::test::TestDatabase& db);

  std::unique_ptr<store::Store> store;
  schema::PluginSchemaRegistry plugins;
  std::unique_ptr<schema::Catalog> catalog;
  std::unique_ptr<Dao> dao;

  // The committed config_version; REQUIREs success.
  int64_t Version();
  // Inserts and REQUIREs success; returns the entity.
  json::Value MustInsert(const std::string& entity, const std::string& input_json);
};

using kong::test::J;
using kong::test::S;
using kong::test::Str;

}  // namespace kong::dao::test

#endif  // KONG_TESTS_UNIT_DAO_DAO_FIXTURE_H_
