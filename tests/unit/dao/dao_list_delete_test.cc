// Dao lists (paging, tags, nested), deletes (restrict, cascade) and declarative export/import.
#include <set>

#include "dao_fixture.h"

namespace kong::dao::test {
namespace {

using store::test::ForEachBackend;
using store::test::TestDatabase;

// An export with every entity's updated_at removed.
json::Value WithoutUpdatedAt(json::Value exported) {
  for (auto& [name, entities] : exported.as_object()) {
    if (!entities.is_array()) continue;
    for (json::Value& entity : entities.as_array()) {
      if (entity.is_object()) entity.Erase("updated_at");
    }
  }
  return exported;
}

TEST_SUITE("dao") {
  TEST_CASE("dao: 250 routes page 100/100/50 and the last page has no offset") {
    ForEachBackend([](TestDatabase& db) {
      DaoFixture f(db);
      f.MustInsert("services", R"({"name":"svc","host":"a.test"})");
      for (int i = 0; i < 250; ++i) {
        f.MustInsert("routes", R"({"paths":["/r)" + std::to_string(i) +
                                   R"("],"service":{"name":"svc"}})");
      }
      std::set<std::string> seen;
      ListOptions o;
      std::vector<size_t> sizes;
      for (int page = 0; page < 3; ++page) {
        DaoResult<ListPage> r = f.dao->List("routes", o);
        REQUIRE(r.ok());
        sizes.push_back(r.value().data.as_array().size());
        for (const json::Value& e : r.value().data.as_array()) seen.insert(Str(e, "id"));
        if (page < 2) {
          REQUIRE(r.value().offset.has_value());
          o.offset = *r.value().offset;
        } else {
          CHECK(!r.value().offset.has_value());
        }
      }
      CHECK(sizes == std::vector<size_t>{100, 100, 50});
      CHECK(seen.size() == 250);

      DaoResult<ListPage> nested =
          f.dao->List("routes", ListOptions{1000, "", std::nullopt},
                      ParentKey{"services", "service", "svc"});
      REQUIRE(nested.ok());
      CHECK(nested.value().data.as_array().size() == 250);
      DaoResult<ListPage> orphan =
          f.dao->List("routes", ListOptions{}, ParentKey{"services", "service", "nope"});
      REQUIRE(!orphan.ok());
      CHECK(orphan.error().http_status == 404);
    });
  }

  TEST_CASE("dao: list errors carry Kong's codes 9, 7 and 11") {
    ForEachBackend([](TestDatabase& db) {
      DaoFixture f(db);
      DaoResult<ListPage> size = f.dao->List("services", ListOptions{1001, "", std::nullopt});
      REQUIRE(!size.ok());
      CHECK(S(size.error().body) ==
            R"({"code":9,"message":"size must be an integer between 1 and 1000","name":"invalid size"})");
      DaoResult<ListPage> offset = f.dao->List("services", ListOptions{100, "x", std::nullopt});
      REQUIRE(!offset.ok());
      CHECK(offset.error().http_status == 400);
      CHECK(S(offset.error().body) ==
            R"({"code":7,"message":"'x' is not a valid offset: bad base64 encoding","name":"invalid offset"})");
      DaoResult<ListPage> tags = f.dao->List("services", ListOptions{100, "", "a,b/c"});
      REQUIRE(!tags.ok());
      CHECK(S(tags.error().body) ==
            R"J({"code":11,"message":"invalid option (tags: invalid filter syntax)","name":"invalid options","options":{"tags":"invalid filter syntax"}})J");
      CHECK(!f.dao->List("services", ListOptions{100, "", ""}).ok());
      CHECK(!f.dao->List("services", ListOptions{100, "", "a,b,c,d,e,f"}).ok());
    });
  }

  TEST_CASE("dao: tag filters select with and/or") {
    ForEachBackend([](TestDatabase& db) {
      DaoFixture f(db);
      f.MustInsert("services", R"({"name":"s1","host":"a.test","tags":["a","b"]})");
      f.MustInsert("services", R"({"name":"s2","host":"a.test","tags":["a"]})");
      f.MustInsert("services", R"({"name":"s3","host":"a.test","tags":["c"]})");
      auto count = [&](const std::string& tags) {
        DaoResult<ListPage> r = f.dao->List("services", ListOptions{100, "", tags});
        REQUIRE(r.ok());
        return r.value().data.as_array().size();
      };
      CHECK(count("a") == 2);
      CHECK(count("a,b") == 1);
      CHECK(count("b/c") == 2);
    });
  }

  TEST_CASE("dao: deleting a service with routes is refused as Kong does") {
    ForEachBackend([](TestDatabase& db) {
      DaoFixture f(db);
      f.MustInsert("services", R"({"name":"svc","host":"a.test"})");
      f.MustInsert("routes", R"({"name":"r","paths":["/a"],"service":{"name":"svc"}})");
      const int64_t before = f.Version();
      DaoResult<bool> r = f.dao->Delete("services", "svc");
      REQUIRE(!r.ok());
      CHECK(r.error().http_status == 400);
      CHECK(S(r.error().body) ==
            R"({"code":4,"fields":{"@referenced_by":"routes"},"message":"an existing 'routes' entity references this 'services' entity","name":"foreign key violation"})");
      CHECK(f.Version() == before);
      CHECK(f.dao->Get("services", "svc").ok());

      DaoResult<bool> route = f.dao->Delete("routes", "r");
      REQUIRE(route.ok());
      CHECK(route.value());
      DaoResult<bool> svc = f.dao->Delete("services", "svc");
      REQUIRE(svc.ok());
      CHECK(svc.value());
      DaoResult<bool> again = f.dao->Delete("services", "svc");
      REQUIRE(again.ok());  // Kong answers 204 for a missing entity too
      CHECK(!again.value());
      CHECK(f.Version() == before + 2);
    });
  }

  TEST_CASE("dao: deletes cascade to plugins and targets in one transaction") {
    ForEachBackend([](TestDatabase& db) {
      DaoFixture f(db);
      f.MustInsert("consumers", R"({"username":"bob"})");
      f.MustInsert("plugins", R"({"name":"test-plugin","consumer":{"username":"bob"}})");
      f.MustInsert("upstreams", R"({"name":"up"})");
      json::Value up = f.dao->Get("upstreams", "up").value();
      f.MustInsert("targets", R"({"target":"a.test:80","upstream":{"id":")" + Str(up, "id") + R"("}})");
      f.MustInsert("targets", R"({"target":"b.test:80","upstream":{"name":"up"}})");
      DaoResult<ListPage> targets =
          f.dao->List("targets", ListOptions{}, ParentKey{"upstreams", "upstream", "up"});
      REQUIRE(targets.ok());
      CHECK(targets.value().data.as_array().size() == 2);

      const int64_t before = f.Version();
      REQUIRE(f.dao->Delete("consumers", "bob").ok());
      REQUIRE(f.dao->Delete("upstreams", "up").ok());
      CHECK(f.Version() == before + 2);
      CHECK(f.dao->List("plugins", ListOptions{}).value().data.as_array().empty());
      CHECK(f.dao->List("targets", ListOptions{}).value().data.as_array().empty());
    });
  }

  TEST_CASE("dao: the same plugin twice on one scope is a cache_key conflict") {
    ForEachBackend([](TestDatabase& db) {
      DaoFixture f(db);
      json::Value s = f.MustInsert("services", R"({"name":"svc","host":"a.test"})");
      f.MustInsert("plugins", R"({"name":"test-plugin","service":{"name":"svc"}})");
      f.MustInsert("plugins", R"({"name":"test-plugin"})");  // global: another scope
      DaoResult<json::Value> dup =
          f.dao->Insert("plugins", J(R"({"name":"test-plugin","service":{"name":"svc"}})"));
      REQUIRE(!dup.ok());
      CHECK(dup.error().http_status == 409);
      CHECK(S(*dup.error().body.Find("fields")) ==
            R"({"consumer":null,"name":"test-plugin","route":null,"service":{"id":")" +
                Str(s, "id") + R"("}})");
    });
  }

  TEST_CASE("dao: export is Kong's declarative format and import replaces all or nothing") {
    ForEachBackend([](TestDatabase& db) {
      DaoFixture f(db);
      json::Value s = f.MustInsert("services", R"({"name":"svc","host":"a.test"})");
      f.MustInsert("routes", R"({"name":"r","paths":["/a"],"service":{"name":"svc"}})");
      DaoResult<json::Value> exported = f.dao->Export();
      REQUIRE(exported.ok());
      const json::Value& e = exported.value();
      CHECK(Str(e, "_format_version") == "3.0");
      REQUIRE(e.Find("routes") != nullptr);
      const json::Value& route = e.Find("routes")->as_array().at(0);
      CHECK(Str(route, "service") == Str(s, "id"));
      CHECK(route.Find("hosts") == nullptr);  // nulls are left out
      CHECK(e.Find("consumers") == nullptr);

      DaoFixture other(db);  // same database: import over it
      REQUIRE(f.dao->Delete("routes", "r").ok());
      f.MustInsert("consumers", R"({"username":"bob"})");
      const int64_t before = f.Version();
      json::Value bad = e;
      bad.Find("routes")->as_array().push_back(J(R"({"paths":["/b"],"service":"8a3a0d4e-2f5b-4c6d-9e7f-0a1b2c3d4e5f"})"));
      DaoResult<int64_t> refused = f.dao->Import(bad);
      REQUIRE(!refused.ok());
      CHECK(refused.error().body.Find("code")->as_int() == 14);
      CHECK(f.Version() == before);
      CHECK(f.dao->Get("consumers", "bob").ok());

      DaoResult<int64_t> imported = f.dao->Import(e);
      REQUIRE_MESSAGE(imported.ok(), S(imported.error().body));
      CHECK(imported.value() == before + 1);
      CHECK(!f.dao->Get("consumers", "bob").ok());
      DaoResult<json::Value> again = f.dao->Export();
      REQUIRE(again.ok());
      // Import stamps updated_at (as Kong's does): equal apart from that, whatever second it is.
      CHECK(WithoutUpdatedAt(again.value()) == WithoutUpdatedAt(e));
    });
  }
}

}  // namespace
}  // namespace kong::dao::test
