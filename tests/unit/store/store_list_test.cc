// Store listing on every backend: pagination, tag and parent filters, export, versions.
#include <doctest/doctest.h>

#include <cstdio>
#include <set>

#include "base/macros.h"
#include "store_fixture.h"

namespace kong::store {
namespace {

using test::ForEachBackend;
using test::Ids;
using test::MakeRow;
using test::TestDatabase;

std::string Id(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "id-%04d", i);
  return buf;
}

Result<Page> ListOnce(Store& store, const std::string& entity, const ListQuery& q) {
  Result<Page> out = Status::Internal("not run");
  Status s = store.Read([&](Txn& t) -> Status {
    out = t.List(entity, q);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

TEST_SUITE("store") {
  TEST_CASE("250 rows in pages of 100 come back as 100, 100, 50 in id order") {
    ForEachBackend([](TestDatabase& db) {
      auto store = db.Open();
      // Inserted out of order, in one write.
      REQUIRE_OK(store->Write([](Txn& t) -> Status {
        for (int i = 0; i < 250; ++i) {
          KONG_RETURN_IF_ERROR(t.Insert("services", MakeRow(Id((i * 97) % 250))));
        }
        return t.Insert("routes", MakeRow("id-0000-route"));  // another entity: not listed
      }).status());
      ListQuery q;
      q.size = 100;
      std::vector<size_t> sizes;
      std::vector<std::string> seen;
      for (int guard = 0; guard < 10; ++guard) {
        auto page = ListOnce(*store, "services", q);
        REQUIRE_OK(page.status());
        sizes.push_back(page->rows.size());
        for (const auto& id : Ids(page->rows)) seen.push_back(id);
        if (!page->next_offset) break;
        q.offset = *page->next_offset;
      }
      CHECK(sizes == std::vector<size_t>{100, 100, 50});
      REQUIRE(seen.size() == 250);
      for (int i = 0; i < 250; ++i) CHECK(seen[static_cast<size_t>(i)] == Id(i));

      // A full last page has no next token either.
      q = ListQuery();
      q.size = 250;
      auto all = ListOnce(*store, "services", q);
      REQUIRE_OK(all.status());
      CHECK(all->rows.size() == 250);
      CHECK_FALSE(all->next_offset.has_value());
      auto empty = ListOnce(*store, "upstreams", ListQuery());
      REQUIRE_OK(empty.status());
      CHECK(empty->rows.empty());
      CHECK_FALSE(empty->next_offset.has_value());

      q = ListQuery();
      q.offset = "x";
      auto bad = ListOnce(*store, "services", q);
      CHECK(bad.status().code() == StatusCode::kInvalidArgument);
      CHECK(bad.status().message() == "'x' is not a valid offset: bad base64 encoding");
      for (int size : {0, 1001}) {
        q = ListQuery();
        q.size = size;
        auto r = ListOnce(*store, "services", q);
        CHECK(r.status().message() == "size must be an integer between 1 and 1000");
      }
    });
  }

  TEST_CASE("tag filters: AND needs every tag, OR any; parent filter narrows to children") {
    ForEachBackend([](TestDatabase& db) {
      auto store = db.Open();
      REQUIRE_OK(store->Write([](Txn& t) -> Status {
        KONG_RETURN_IF_ERROR(t.Insert("routes", MakeRow("r1", "", {"a"}, {{"service", "services", "s1"}})));
        KONG_RETURN_IF_ERROR(t.Insert("routes", MakeRow("r2", "", {"a", "b"}, {{"service", "services", "s2"}})));
        KONG_RETURN_IF_ERROR(t.Insert("routes", MakeRow("r3", "", {"b"}, {{"service", "services", "s1"}})));
        KONG_RETURN_IF_ERROR(t.Insert("routes", MakeRow("r4", "", {"c"})));
        return t.Insert("services", MakeRow("s9", "", {"a", "b"}));  // same tags, other entity
      }).status());
      auto ids = [&](std::vector<std::string> tags, TagMode mode,
                     std::optional<ParentFilter> parent = std::nullopt, int size = 100) {
        ListQuery q;
        q.tags = std::move(tags);
        q.tag_mode = mode;
        q.parent = std::move(parent);
        q.size = size;
        std::vector<std::string> out;
        for (;;) {
          auto page = ListOnce(*store, "routes", q);
          REQUIRE_OK(page.status());
          for (const auto& id : Ids(page->rows)) out.push_back(id);
          if (!page->next_offset) return out;
          q.offset = *page->next_offset;
        }
      };
      using V = std::vector<std::string>;
      CHECK(ids({"a", "b"}, TagMode::kAnd) == V{"r2"});
      CHECK(ids({"a", "b"}, TagMode::kOr) == V{"r1", "r2", "r3"});
      CHECK(ids({"a", "b"}, TagMode::kOr, std::nullopt, 1) == V{"r1", "r2", "r3"});
      CHECK(ids({"a", "a"}, TagMode::kAnd) == V{"r1", "r2"});  // repeated tag counts once
      CHECK(ids({"a", "zzz"}, TagMode::kAnd).empty());
      CHECK(ids({"c"}, TagMode::kAnd) == V{"r4"});
      CHECK(ids({}, TagMode::kAnd) == V{"r1", "r2", "r3", "r4"});
      CHECK(ids({}, TagMode::kAnd, ParentFilter{"service", "s1"}) == V{"r1", "r3"});
      CHECK(ids({"b"}, TagMode::kAnd, ParentFilter{"service", "s1"}) == V{"r3"});
      CHECK(ids({}, TagMode::kAnd, ParentFilter{"route", "s1"}).empty());
    });
  }

  TEST_CASE("export visits every row of the given entities in id order") {
    ForEachBackend([](TestDatabase& db) {
      auto store = db.Open();
      REQUIRE_OK(store->Write([](Txn& t) -> Status {
        for (int i = 1500; i-- > 0;) KONG_RETURN_IF_ERROR(t.Insert("targets", MakeRow(Id(i))));
        KONG_RETURN_IF_ERROR(t.Insert("upstreams", MakeRow("u2")));
        return t.Insert("upstreams", MakeRow("u1"));
      }).status());
      std::vector<std::pair<std::string, std::string>> seen;
      CHECK_OK(store->Read([&](Txn& t) {
        return t.ExportAll({"upstreams", "targets", "none"},
                           [&](const std::string& entity, const Row& row) {
                             seen.emplace_back(entity, row.id);
                             return Status::Ok();
                           });
      }));
      REQUIRE(seen.size() == 1502);
      CHECK(seen[0] == std::make_pair(std::string("upstreams"), std::string("u1")));
      CHECK(seen[1] == std::make_pair(std::string("upstreams"), std::string("u2")));
      for (int i = 0; i < 1500; ++i) CHECK(seen[static_cast<size_t>(i) + 2].second == Id(i));
      // fn's error stops the export and comes back.
      int calls = 0;
      Status s = store->Read([&](Txn& t) {
        return t.ExportAll({"targets"}, [&](const std::string&, const Row&) {
          return ++calls == 3 ? Status::Io("disk full") : Status::Ok();
        });
      });
      CHECK(s.message() == "disk full");
      CHECK(calls == 3);
    });
  }

  TEST_CASE("config_version goes up once per changing write, never for reads or status") {
    ForEachBackend([](TestDatabase& db) {
      auto store = db.Open();
      CHECK(*store->ConfigVersion() == 0);
      std::vector<int64_t> observed;
      store->SetCommitObserver([&](int64_t v) { observed.push_back(v); });
      auto v1 = store->Write([](Txn& t) -> Status {
        KONG_RETURN_IF_ERROR(t.Insert("services", MakeRow("s1", "one")));
        KONG_RETURN_IF_ERROR(t.Insert("services", MakeRow("s2", "two")));
        KONG_RETURN_IF_ERROR(t.Update("services", MakeRow("s1", "uno")));
        KONG_RETURN_IF_ERROR(t.Insert("services", MakeRow("tmp")));
        return t.Delete("services", "tmp");
      });
      REQUIRE_OK(v1.status());
      CHECK(*v1 == 1);
      // A write that changes nothing keeps the version and reports it.
      auto same = store->Write([](Txn& t) { return t.Get("services", "s1").status(); });
      REQUIRE_OK(same.status());
      CHECK(*same == 1);
      CHECK_OK(store->Read([](Txn& t) { return t.Count("services").status(); }));
      DataPlaneRecord dp;
      dp.id = "dp-1";
      dp.hostname = "dp1.local";
      dp.ip = "127.0.0.1";
      dp.config_hash = std::string(32, '0');
      CHECK_OK(store->UpsertDataPlane(dp));
      CHECK(store->PurgeExpiredDataPlanes(2000000000).ok());
      CHECK(*store->ConfigVersion() == 1);
      auto v2 = store->Write([](Txn& t) { return t.Delete("services", "s2"); });
      CHECK(*v2 == 2);
      CHECK(observed == std::vector<int64_t>{1, 2});

      CHECK_OK(store->Read([](Txn& t) -> Status {
        CHECK(*t.ConfigVersion() == 2);
        auto all = t.ListChanges(0, 100);
        REQUIRE_OK(all.status());
        REQUIRE(all->size() == 3);  // tmp was created and deleted in one write: no change
        CHECK((*all)[0].version == 1);
        CHECK((*all)[0].id == "s1");
        CHECK((*all)[0].op == "create");  // created, then updated, in one write
        CHECK((*all)[1].id == "s2");
        CHECK((*all)[2].version == 2);
        CHECK((*all)[2].op == "delete");
        CHECK((*all)[2].at > 0);
        CHECK(t.ListChanges(1, 100)->size() == 1);
        CHECK(t.ListChanges(0, 1)->size() == 1);
        return Status::Ok();
      }));
    });
  }

  TEST_CASE("data-plane status: upsert, expiry, paging and purge") {
    ForEachBackend([](TestDatabase& db) {
      auto store = db.Open();
      const int64_t now = 1700000000;
      for (int i = 0; i < 5; ++i) {
        DataPlaneRecord dp;
        dp.id = "dp-" + std::to_string(i);
        dp.hostname = "host" + std::to_string(i);
        dp.ip = "10.0.0." + std::to_string(i);
        dp.last_seen = now;
        dp.config_hash = std::string(32, 'a');
        dp.version = "3.10.0";
        dp.sync_status = "normal";
        dp.labels.Set("region", "eu");
        dp.cert_details.Set("expiry_timestamp", int64_t{1900000000});
        dp.updated_at = now;
        // dp-3 expired a second ago; dp-4 never expires.
        if (i == 3) dp.expires_at = now - 1;
        if (i != 3 && i != 4) dp.expires_at = now + 1209600;
        CHECK_OK(store->UpsertDataPlane(dp));
      }
      DataPlaneRecord changed;
      changed.id = "dp-0";
      changed.hostname = "renamed";
      changed.ip = "10.0.0.100";
      changed.config_hash = std::string(32, 'b');
      changed.expires_at = now + 60;
      CHECK_OK(store->UpsertDataPlane(changed));

      auto dp0 = store->GetDataPlane("dp-0", now);
      REQUIRE_OK(dp0.status());
      REQUIRE(dp0->has_value());
      CHECK((*dp0)->hostname == "renamed");
      CHECK((*dp0)->sync_status == "unknown");
      CHECK((*dp0)->expires_at == now + 60);
      auto dp1 = store->GetDataPlane("dp-1", now);
      REQUIRE(dp1->has_value());
      CHECK((*dp1)->labels.Find("region")->as_string() == "eu");
      CHECK((*dp1)->cert_details.Find("expiry_timestamp")->as_int() == 1900000000);
      CHECK((*dp1)->version == "3.10.0");
      CHECK_FALSE(store->GetDataPlane("dp-3", now)->has_value());  // expired
      CHECK_FALSE((*store->GetDataPlane("dp-4", now))->expires_at.has_value());

      auto p1 = store->ListDataPlanes(2, "", now);
      REQUIRE_OK(p1.status());
      REQUIRE(p1->records.size() == 2);
      CHECK(p1->records[0].id == "dp-0");
      REQUIRE(p1->next_offset.has_value());
      auto p2 = store->ListDataPlanes(2, *p1->next_offset, now);
      REQUIRE_OK(p2.status());
      REQUIRE(p2->records.size() == 2);
      CHECK(p2->records[0].id == "dp-2");
      CHECK(p2->records[1].id == "dp-4");
      CHECK_FALSE(p2->next_offset.has_value());
      CHECK(store->ListDataPlanes(0, "", now).status().code() == StatusCode::kInvalidArgument);

      auto purged = store->PurgeExpiredDataPlanes(now);
      REQUIRE_OK(purged.status());
      CHECK(*purged == 1);
      CHECK(*store->PurgeExpiredDataPlanes(now + 61) == 1);  // dp-0 now
      CHECK(store->ListDataPlanes(100, "", 0)->records.size() == 3);
      CHECK(*store->ConfigVersion() == 0);
    });
  }
}

}  // namespace
}  // namespace kong::store
