// Store rows on every backend: get/insert/update/delete, conflicts, rollback, references.
#include <doctest/doctest.h>

#include "base/macros.h"
#include "store_fixture.h"

namespace kong::store {
namespace {

using test::ForEachBackend;
using test::MakeRow;
using test::TestDatabase;

// Get inside a read transaction.
std::optional<Row> ReadRow(Store& store, const std::string& entity, const std::string& id) {
  std::optional<Row> out;
  CHECK_OK(store.Read([&](Txn& txn) -> Status {
    auto r = txn.Get(entity, id);
    if (!r.ok()) return r.status();
    out = std::move(r).value();
    return Status::Ok();
  }));
  return out;
}

int64_t CountRows(Store& store, const std::string& entity) {
  int64_t n = -1;
  CHECK_OK(store.Read([&](Txn& txn) -> Status {
    auto r = txn.Count(entity);
    if (r.ok()) n = *r;
    return r.status();
  }));
  return n;
}

TEST_SUITE("store") {
  TEST_CASE("insert, get and get by unique key round-trip every part of a row") {
    ForEachBackend([](TestDatabase& db) {
      auto store = db.Open();
      Row row = MakeRow("svc-1", "billing", {"prod", "eu", "prod"},
                        {{"certificate", "certificates", "cert-9"}});
      row.body.Set("port", 8443);
      row.body.Set("path", "/api/v1");
      row.created_at = 1700000001;
      row.updated_at = 1700000002;
      auto v = store->Write([&](Txn& txn) { return txn.Insert("services", row); });
      REQUIRE_OK(v.status());
      CHECK(*v == 1);

      auto got = ReadRow(*store, "services", "svc-1");
      REQUIRE(got.has_value());
      CHECK(got->id == "svc-1");
      CHECK(got->body == row.body);
      CHECK(json::Serialize(got->body) == json::Serialize(row.body));  // member order kept
      CHECK(got->created_at == 1700000001);
      CHECK(got->updated_at == 1700000002);
      CHECK(got->unique_keys == row.unique_keys);
      CHECK(got->refs == row.refs);
      CHECK(got->tags == std::vector<std::string>{"prod", "eu"});  // order kept, deduplicated

      CHECK_OK(store->Read([&](Txn& txn) -> Status {
        auto by_name = txn.GetByKey("services", "name", "billing");
        REQUIRE_OK(by_name.status());
        REQUIRE(by_name->has_value());
        CHECK((*by_name)->id == "svc-1");
        auto none = txn.GetByKey("services", "name", "nope");
        REQUIRE_OK(none.status());
        CHECK_FALSE(none->has_value());
        // Keys are per entity: the same name in another entity is another key.
        auto other = txn.GetByKey("routes", "name", "billing");
        REQUIRE_OK(other.status());
        CHECK_FALSE(other->has_value());
        return Status::Ok();
      }));
      CHECK_FALSE(ReadRow(*store, "services", "missing").has_value());
      CHECK_FALSE(ReadRow(*store, "routes", "svc-1").has_value());
      CHECK(CountRows(*store, "services") == 1);
      CHECK(CountRows(*store, "routes") == 0);
    });
  }

  TEST_CASE("a unique or primary key conflict names the key and changes nothing") {
    ForEachBackend([](TestDatabase& db) {
      auto store = db.Open();
      REQUIRE_OK(store->Write([](Txn& t) { return t.Insert("services", MakeRow("a", "x")); })
                     .status());
      // The second insert of the same write conflicts: the first is rolled back with it.
      auto dup_name = store->Write([](Txn& t) -> Status {
        Status s = t.Insert("services", MakeRow("b", "y"));
        if (!s.ok()) return s;
        return t.Insert("services", MakeRow("c", "x"));
      });
      REQUIRE_FALSE(dup_name.ok());
      CHECK(dup_name.status().code() == StatusCode::kConflict);
      CHECK(dup_name.status().message() == "UNIQUE violation detected on '{name=\"x\"}'");

      auto dup_id = store->Write([](Txn& t) { return t.Insert("services", MakeRow("a", "z")); });
      REQUIRE_FALSE(dup_id.ok());
      CHECK(dup_id.status().code() == StatusCode::kConflict);
      CHECK(dup_id.status().message() == "primary key violation on key '{id=\"a\"}'");

      CHECK_FALSE(ReadRow(*store, "services", "b").has_value());
      CHECK_FALSE(ReadRow(*store, "services", "c").has_value());
      CHECK(CountRows(*store, "services") == 1);
      auto version = store->ConfigVersion();
      REQUIRE_OK(version.status());
      CHECK(*version == 1);

      // The DAO can ask first, to build Kong's error bodies itself.
      CHECK_OK(store->Read([](Txn& t) -> Status {
        auto c = t.FindConflict("services", MakeRow("d", "x"), true);
        REQUIRE_OK(c.status());
        REQUIRE(c->has_value());
        CHECK((*c)->field == "name");
        CHECK((*c)->value == "x");
        auto own = t.FindConflict("services", MakeRow("a", "x"), false);  // its own key
        REQUIRE_OK(own.status());
        CHECK_FALSE(own->has_value());
        return Status::Ok();
      }));
    });
  }

  TEST_CASE("an error returned by the write function rolls everything back") {
    ForEachBackend([](TestDatabase& db) {
      auto store = db.Open();
      REQUIRE_OK(store->Write([](Txn& t) { return t.Insert("services", MakeRow("keep", "k")); })
                     .status());
      auto r = store->Write([](Txn& t) -> Status {
        CHECK_OK(t.Insert("services", MakeRow("new", "n", {"t1"})));
        CHECK_OK(t.Update("services", MakeRow("keep", "renamed")));
        CHECK_OK(t.Delete("services", "new"));
        CHECK_OK(t.Insert("routes", MakeRow("r1", "", {}, {{"service", "services", "keep"}})));
        return Status::InvalidArgument("schema violation (name: required field missing)");
      });
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().message() == "schema violation (name: required field missing)");
      auto kept = ReadRow(*store, "services", "keep");
      REQUIRE(kept.has_value());
      CHECK(kept->body.Find("name")->as_string() == "k");
      CHECK(kept->unique_keys == std::vector<std::pair<std::string, std::string>>{{"name", "k"}});
      CHECK_FALSE(ReadRow(*store, "routes", "r1").has_value());
      CHECK(*store->ConfigVersion() == 1);
      CHECK_OK(store->Read([](Txn& t) -> Status {
        auto refs = t.ListReferencing("services", "keep");
        REQUIRE_OK(refs.status());
        CHECK(refs->empty());
        auto changes = t.ListChanges(0, 100);
        REQUIRE_OK(changes.status());
        CHECK(changes->size() == 1);  // only the first write's
        return Status::Ok();
      }));
    });
  }

  TEST_CASE("update replaces keys, refs and tags; delete removes them; both report missing rows") {
    ForEachBackend([](TestDatabase& db) {
      auto store = db.Open();
      REQUIRE_OK(store->Write([](Txn& t) -> Status {
        KONG_RETURN_IF_ERROR(t.Insert("services", MakeRow("s1", "one", {"a"})));
        return t.Insert("routes", MakeRow("r1", "route", {"x"}, {{"service", "services", "s1"}}));
      }).status());
      REQUIRE_OK(store->Write([](Txn& t) {
        Row r = MakeRow("r1", "route-2", {"y"}, {{"service", "services", "s2"}});
        r.updated_at = 1800000000;
        return t.Update("routes", r);
      }).status());
      auto r1 = ReadRow(*store, "routes", "r1");
      REQUIRE(r1.has_value());
      CHECK(r1->updated_at == 1800000000);
      CHECK(r1->tags == std::vector<std::string>{"y"});
      CHECK(r1->refs == std::vector<Ref>{{"service", "services", "s2"}});
      CHECK_OK(store->Read([](Txn& t) -> Status {
        CHECK(t.ListReferencing("services", "s1")->empty());
        CHECK(t.ListReferencing("services", "s2")->size() == 1);
        CHECK_FALSE(t.GetByKey("routes", "name", "route")->has_value());  // old key freed
        return Status::Ok();
      }));
      // The freed name can be taken by another row.
      REQUIRE_OK(store->Write([](Txn& t) { return t.Insert("routes", MakeRow("r2", "route")); })
                     .status());

      auto missing = store->Write([](Txn& t) { return t.Update("routes", MakeRow("r9", "q")); });
      CHECK(missing.status().code() == StatusCode::kNotFound);
      CHECK(missing.status().message() ==
            "could not find the entity with primary key '{id=\"r9\"}'");
      auto taken = store->Write([](Txn& t) { return t.Update("routes", MakeRow("r1", "route")); });
      CHECK(taken.status().code() == StatusCode::kConflict);

      REQUIRE_OK(store->Write([](Txn& t) { return t.Delete("routes", "r1"); }).status());
      auto gone = store->Write([](Txn& t) { return t.Delete("routes", "r1"); });
      CHECK(gone.status().code() == StatusCode::kNotFound);
      CHECK_OK(store->Read([](Txn& t) -> Status {
        CHECK_FALSE(t.Get("routes", "r1")->has_value());
        CHECK_FALSE(t.GetByKey("routes", "name", "route-2")->has_value());
        CHECK(t.ListReferencing("services", "s2")->empty());
        ListQuery q;
        q.tags = {"y"};
        CHECK(t.List("routes", q)->rows.empty());
        return Status::Ok();
      }));
      // Bad rows are refused before any SQL runs.
      auto empty_id = store->Write([](Txn& t) { return t.Insert("routes", MakeRow("")); });
      CHECK(empty_id.status().code() == StatusCode::kInvalidArgument);
      auto twice = store->Write([](Txn& t) {
        Row r = MakeRow("r5", "a");
        r.unique_keys.emplace_back("name", "b");
        return t.Insert("routes", r);
      });
      CHECK(twice.status().code() == StatusCode::kInvalidArgument);
    });
  }

  TEST_CASE("list referencing returns every child of a parent in order") {
    ForEachBackend([](TestDatabase& db) {
      auto store = db.Open();
      REQUIRE_OK(store->Write([](Txn& t) -> Status {
        KONG_RETURN_IF_ERROR(t.Insert("services", MakeRow("s1")));
        KONG_RETURN_IF_ERROR(t.Insert("services", MakeRow("s2")));
        KONG_RETURN_IF_ERROR(t.Insert("routes", MakeRow("r2", "", {}, {{"service", "services", "s1"}})));
        KONG_RETURN_IF_ERROR(t.Insert("routes", MakeRow("r1", "", {}, {{"service", "services", "s1"}})));
        KONG_RETURN_IF_ERROR(t.Insert("routes", MakeRow("r3", "", {}, {{"service", "services", "s2"}})));
        return t.Insert("plugins", MakeRow("p1", "", {}, {{"route", "routes", "r1"},
                                                           {"service", "services", "s1"}}));
      }).status());
      CHECK_OK(store->Read([](Txn& t) -> Status {
        auto s1 = t.ListReferencing("services", "s1");
        REQUIRE_OK(s1.status());
        CHECK(*s1 == std::vector<Referencing>{{"plugins", "p1", "service"},
                                              {"routes", "r1", "service"},
                                              {"routes", "r2", "service"}});
        CHECK(*t.ListReferencing("routes", "r1") ==
              std::vector<Referencing>{{"plugins", "p1", "route"}});
        CHECK(t.ListReferencing("services", "nope")->empty());
        return Status::Ok();
      }));
    });
  }
}

}  // namespace
}  // namespace kong::store
