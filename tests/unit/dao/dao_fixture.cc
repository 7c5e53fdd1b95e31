// DaoFixture and JSON helpers for the dao tests.
#include "dao_fixture.h"

#include "schema/field.h"

namespace kong::dao::test {

DaoFixture::DaoFixture(store::test::TestDatabase& db) : store(db.Open()) {
  schema::PluginSchema p;
  p.name = "test-plugin";
  schema::Field level = schema::IntegerField();
  level.default_value = json::Value(1);
  p.config = {{"level", level}};
  REQUIRE_OK(plugins.Register(std::move(p)));
  catalog = std::make_unique<schema::Catalog>(&plugins);
  dao = std::make_unique<Dao>(*store, *catalog);
}

int64_t DaoFixture::Version() {
  auto v = store->ConfigVersion();
  REQUIRE_OK(v.status());
  return v.value();
}

json::Value DaoFixture::MustInsert(const std::string& entity, const std::string& input_json) {
  DaoResult<json::Value> r = dao->Insert(entity, J(input_json));
  REQUIRE_MESSAGE(r.ok(), entity << " " << input_json << ": " << (r.ok() ? "" : S(r.error().body)));
  return r.value();
}

}  // namespace kong::dao::test
