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

json::Value J(const std::string& text) {
  auto v = json::Parse(text);
  REQUIRE_OK(v.status());
  return std::move(v).value();
}

std::string S(const json::Value& value) {
  json::SerializeOptions o;
  o.sort_keys = true;
  return json::Serialize(value, o);
}

std::string Str(const json::Value& object, const std::string& key) {
  const json::Value* v = object.Find(key);
  return v && v->is_string() ? v->as_string() : "";
}

}  // namespace kong::dao::test
