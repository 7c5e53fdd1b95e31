// Dao inserts, updates, upserts and their Kong errors, on every store backend.
#include "dao_fixture.h"

namespace kong::dao::test {
namespace {

using store::test::ForEachBackend;
using store::test::TestDatabase;

TEST_SUITE("dao") {
  TEST_CASE("dao: service url shorthand is stored as protocol/host/port/path") {
    ForEachBackend([](TestDatabase& db) {
      DaoFixture f(db);
      json::Value s = f.MustInsert("services", R"({"name":"svc","url":"https://example.com:8443/v1"})");
      CHECK(Str(s, "protocol") == "https");
      CHECK(Str(s, "host") == "example.com");
      CHECK(s.Find("port")->as_int() == 8443);
      CHECK(Str(s, "path") == "/v1");
      CHECK(s.Find("url") == nullptr);
      CHECK(s.Find("created_at")->is_int());
      CHECK(f.Version() == 1);

      DaoResult<json::Value> by_name = f.dao->Get("services", "svc");
      REQUIRE(by_name.ok());
      CHECK(by_name.value() == s);
      DaoResult<json::Value> by_id = f.dao->Get("services", Str(s, "id"));
      REQUIRE(by_id.ok());
      CHECK(Str(by_id.value(), "host") == "example.com");

      DaoResult<json::Value> missing = f.dao->Get("services", "nope");
      REQUIRE(!missing.ok());
      CHECK(missing.error().http_status == 404);
      CHECK(S(missing.error().body) == R"({"message":"Not found"})");
    });
  }

  TEST_CASE("dao: schema violations are 400 with Kong's fields and change nothing") {
    ForEachBackend([](TestDatabase& db) {
      DaoFixture f(db);
      DaoResult<json::Value> r = f.dao->Insert("routes", J(R"({"protocols":["http"]})"));
      REQUIRE(!r.ok());
      CHECK(r.error().http_status == 400);
      CHECK(r.error().body.Find("code")->as_int() == 2);
      CHECK(Str(r.error().body, "name") == "schema violation");
      const json::Value* fields = r.error().body.Find("fields");
      REQUIRE(fields != nullptr);
      REQUIRE(fields->Find("@entity") != nullptr);
      CHECK(fields->Find("@entity")->is_array());
      CHECK(f.Version() == 0);
    });
  }

  TEST_CASE("dao: duplicate names are 409 with Kong's unique violation body") {
    ForEachBackend([](TestDatabase& db) {
      DaoFixture f(db);
      f.MustInsert("services", R"({"name":"svc","host":"a.test"})");
      const int64_t before = f.Version();
      DaoResult<json::Value> r = f.dao->Insert("services", J(R"({"name":"svc","host":"b.test"})"));
      REQUIRE(!r.ok());
      CHECK(r.error().http_status == 409);
      CHECK(S(r.error().body) ==
            R"({"code":5,"fields":{"name":"svc"},"message":"UNIQUE violation detected on '{name=\"svc\"}'","name":"unique constraint violation"})");
      CHECK(f.Version() == before);

      f.MustInsert("consumers", R"({"username":"bob","custom_id":"c1"})");
      DaoResult<json::Value> c = f.dao->Insert("consumers", J(R"({"username":"eve","custom_id":"c1"})"));
      REQUIRE(!c.ok());
      CHECK(c.error().http_status == 409);
      CHECK(S(*c.error().body.Find("fields")) == R"({"custom_id":"c1"})");
      DaoResult<json::Value> by_custom = f.dao->GetByField("consumers", "custom_id", "c1");
      REQUIRE(by_custom.ok());
      CHECK(Str(by_custom.value(), "username") == "bob");
      CHECK(f.dao->Get("consumers", "bob").ok());
    });
  }

  TEST_CASE("dao: foreign keys must exist; endpoint keys are resolved to ids") {
    ForEachBackend([](TestDatabase& db) {
      DaoFixture f(db);
      const std::string ghost = "8a3a0d4e-2f5b-4c6d-9e7f-0a1b2c3d4e5f";
      DaoResult<json::Value> r = f.dao->Insert(
          "routes", J(R"({"paths":["/a"],"service":{"id":")" + ghost + R"("}})"));
      REQUIRE(!r.ok());
      CHECK(r.error().http_status == 400);
      CHECK(S(r.error().body) ==
            R"({"code":4,"fields":{"service":{"id":")" + ghost +
                R"("}},"message":"the foreign key '{id=\")" + ghost +
                R"(\"}' does not reference an existing 'services' entity.","name":"foreign key violation"})");

      DaoResult<json::Value> unresolved =
          f.dao->Insert("routes", J(R"({"paths":["/a"],"service":{"name":"nope"}})"));
      REQUIRE(!unresolved.ok());
      CHECK(unresolved.error().http_status == 400);
      CHECK(unresolved.error().body.Find("code")->as_int() == 13);
      CHECK(f.Version() == 0);

      json::Value s = f.MustInsert("services", R"({"name":"svc","host":"a.test"})");
      json::Value route = f.MustInsert("routes", R"({"paths":["/a"],"service":{"name":"svc"}})");
      CHECK(S(*route.Find("service")) == R"({"id":")" + Str(s, "id") + R"("})");
    });
  }

  TEST_CASE("dao: PATCH merges, keeps created_at and bumps updated_at") {
    ForEachBackend([](TestDatabase& db) {
      DaoFixture f(db);
      schema::ValidateOptions then;
      then.now = 1000;
      DaoResult<json::Value> created =
          f.dao->Insert("services", J(R"({"name":"svc","host":"a.test","retries":3})"), then);
      REQUIRE(created.ok());
      schema::ValidateOptions later;
      later.now = 2000;
      DaoResult<json::Value> patched =
          f.dao->Update("services", "svc", J(R"({"host":"b.test"})"), later);
      REQUIRE_MESSAGE(patched.ok(), S(patched.error().body));
      const json::Value& p = patched.value();
      CHECK(Str(p, "host") == "b.test");
      CHECK(p.Find("retries")->as_int() == 3);
      CHECK(Str(p, "id") == Str(created.value(), "id"));
      CHECK(p.Find("created_at")->as_int() == 1000);
      CHECK(p.Find("updated_at")->as_int() == 2000);
      DaoResult<json::Value> stored = f.dao->Get("services", "svc");
      REQUIRE(stored.ok());
      CHECK(stored.value() == p);

      DaoResult<json::Value> missing = f.dao->Update("services", "nope", J(R"({"host":"x"})"));
      REQUIRE(!missing.ok());
      CHECK(missing.error().http_status == 404);
      CHECK(Str(missing.error().body, "message") ==
            "could not find the entity with '{name=\"nope\"}'");

      const int64_t before = f.Version();
      DaoResult<json::Value> bad = f.dao->Update("services", "svc", J(R"({"port":70000})"));
      REQUIRE(!bad.ok());
      CHECK(bad.error().body.Find("code")->as_int() == 2);
      CHECK(f.Version() == before);
      CHECK(Str(f.dao->Get("services", "svc").value(), "host") == "b.test");
    });
  }

  TEST_CASE("dao: PUT creates, then fully replaces keeping id and created_at") {
    ForEachBackend([](TestDatabase& db) {
      DaoFixture f(db);
      schema::ValidateOptions then;
      then.now = 1000;
      DaoResult<json::Value> created =
          f.dao->Upsert("services", "svc", J(R"({"host":"a.test","retries":3})"), then);
      REQUIRE_MESSAGE(created.ok(), S(created.error().body));
      CHECK(Str(created.value(), "name") == "svc");
      schema::ValidateOptions later;
      later.now = 2000;
      DaoResult<json::Value> replaced =
          f.dao->Upsert("services", "svc", J(R"({"host":"b.test"})"), later);
      REQUIRE(replaced.ok());
      const json::Value& r = replaced.value();
      CHECK(Str(r, "id") == Str(created.value(), "id"));
      CHECK(r.Find("retries")->as_int() == 5);  // the default again: full replacement
      CHECK(r.Find("created_at")->as_int() == 1000);
      CHECK(r.Find("updated_at")->as_int() == 2000);

      const std::string id = "0b7c1f52-5a8e-4b3a-9c1d-2e3f4a5b6c7d";
      DaoResult<json::Value> by_id = f.dao->Upsert("consumers", id, J(R"({"username":"bob"})"));
      REQUIRE(by_id.ok());
      CHECK(Str(by_id.value(), "id") == id);
      CHECK(f.dao->Get("consumers", "bob").ok());

      const int64_t before = f.Version();
      DaoResult<json::Value> clash = f.dao->Upsert(
          "consumers", "8a3a0d4e-2f5b-4c6d-9e7f-0a1b2c3d4e5f", J(R"({"username":"bob"})"));
      REQUIRE(!clash.ok());
      CHECK(clash.error().http_status == 409);
      CHECK(f.Version() == before);
    });
  }
}

}  // namespace
}  // namespace kong::dao::test
