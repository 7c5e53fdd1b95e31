// Several stores on one database, as several control-plane nodes use it: concurrent config
// writes get distinct consecutive versions and lose no update; on PostgreSQL each commit is
// announced (NOTIFY) and a PostgresChangeFeed hears it, catching up after (re)connecting.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

#include "store/postgres_change_feed.h"
#include "store/postgres_connection.h"
#include "store/sql_connection.h"
#include "store_fixture.h"

namespace kong::store {
namespace {

using kong::test::WaitUntil;
using test::ForEachBackend;
using test::MakeRow;
using test::TestDatabase;

// Reads the counter row's "n", writes n + 1: a lost update would show as a smaller total.
Status Increment(Txn& txn) {
  auto row = txn.Get("counters", "c");
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("no counter row");
  Row next = **row;
  next.body.Set("n", next.body.Find("n")->as_int() + 1);
  return txn.Update("counters", next);
}

TEST_SUITE("store") {
  TEST_CASE("two stores writing at once get distinct consecutive versions and lose no update") {
    ForEachBackend([](TestDatabase& db) {
      auto first = db.Open();
      auto second = db.Open(/*bootstrap=*/false);
      Row counter = MakeRow("c");
      counter.body.Set("n", int64_t{0});
      auto created = first->Write([&](Txn& t) { return t.Insert("counters", counter); });
      REQUIRE_OK(created.status());
      const int64_t start = *created;

      constexpr int kWrites = 40;
      std::vector<int64_t> versions[2];
      std::vector<Status> failures[2];
      auto writer = [&](Store* store, int index) {
        for (int i = 0; i < kWrites; ++i) {
          auto v = store->Write(Increment);
          if (v.ok()) {
            versions[index].push_back(*v);
          } else {
            failures[index].push_back(v.status());
          }
        }
      };
      std::thread a(writer, first.get(), 0);
      std::thread b(writer, second.get(), 1);
      a.join();
      b.join();
      for (const auto& f : failures) {
        for (const Status& s : f) CHECK_OK(s);
      }
      std::set<int64_t> all;
      for (const auto& v : versions) {
        CHECK(std::is_sorted(v.begin(), v.end()));  // each writer sees its versions grow
        all.insert(v.begin(), v.end());
      }
      REQUIRE(all.size() == 2u * kWrites);  // none shared
      CHECK(*all.begin() == start + 1);
      CHECK(*all.rbegin() == start + 2 * kWrites);  // none skipped
      auto final_row = first->Write([](Txn&) { return Status::Ok(); });
      REQUIRE_OK(final_row.status());
      CHECK(*final_row == start + 2 * kWrites);
      REQUIRE_OK(second->Read([&](Txn& t) -> Status {
        auto row = t.Get("counters", "c");
        if (!row.ok()) return row.status();
        CHECK((*row)->body.Find("n")->as_int() == 2 * kWrites);
        return Status::Ok();
      }));
    });
  }

  TEST_CASE("config notification payloads name the version and the schema") {
    if (!PostgresSupported()) return;
    CHECK(ConfigNotifyPayload(42, "") == "42");
    CHECK(ConfigNotifyPayload(42, "tenant") == "42 tenant");
    CHECK(ParseConfigNotifyPayload("42", "") == std::optional<int64_t>(42));
    CHECK(ParseConfigNotifyPayload("42 tenant", "tenant") == std::optional<int64_t>(42));
    CHECK_FALSE(ParseConfigNotifyPayload("42 tenant", "").has_value());
    CHECK_FALSE(ParseConfigNotifyPayload("42", "tenant").has_value());
    CHECK_FALSE(ParseConfigNotifyPayload("42 other", "tenant").has_value());
    CHECK_FALSE(ParseConfigNotifyPayload("x", "").has_value());
    CHECK(PostgresRetryDelay(1) == std::chrono::milliseconds(100));
    CHECK(PostgresRetryDelay(2) == std::chrono::milliseconds(200));
    CHECK(PostgresRetryDelay(100) == std::chrono::milliseconds(3200));
  }

  TEST_CASE("the change feed reports the current version, then every commit of its schema") {
    PostgresOptions pg;
    if (!test::PostgresTestOptions(&pg)) {
      MESSAGE("postgres variant skipped: set KONG_TEST_PG_* (eval \"$(scripts/pg-throwaway start)\")");
      return;
    }
    // Two schemas of one database: the feed must hear only its own.
    StoreOptions ours, theirs;
    ours.backend = theirs.backend = Backend::kPostgres;
    ours.postgres = theirs.postgres = pg;
    ours.postgres.schema = "kong_feed_" + test::RandomHex(6);
    theirs.postgres.schema = "kong_feed_" + test::RandomHex(6);
    auto writer = Store::Open(ours);
    auto other = Store::Open(theirs);
    REQUIRE_OK(writer.status());
    REQUIRE_OK(other.status());
    REQUIRE_OK((*writer)->Bootstrap());
    REQUIRE_OK((*other)->Bootstrap());
    REQUIRE_OK((*writer)->Write([](Txn& t) { return t.Insert("services", MakeRow("s1")); })
                   .status());

    auto loop = EventLoop::Create();
    REQUIRE_OK(loop.status());
    std::vector<int64_t> heard;
    ChangeFeedOptions options;
    options.postgres = ours.postgres;
    options.on_version = [&](int64_t v) { heard.push_back(v); };
    auto feed = PostgresChangeFeed::Start(**loop, std::move(options));
    REQUIRE_OK(feed.status());
    // The catch-up: version 1 was committed before the feed listened.
    REQUIRE(WaitUntil(**loop, [&] { return !heard.empty(); }, 10000));
    CHECK(heard.front() == 1);
    CHECK((*feed)->listening());
    CHECK((*feed)->connections() == 1);

    // The other schema runs ahead (versions 1..3); then ours commits version 2. Notifications
    // arrive in commit order, so once 2 is heard, theirs would have been heard too.
    for (int i = 0; i < 3; ++i) {
      REQUIRE_OK((*other)
                     ->Write([i](Txn& t) {
                       return t.Insert("services", MakeRow("o" + std::to_string(i)));
                     })
                     .status());
    }
    // A failed write announces nothing.
    CHECK_FALSE((*writer)->Write([](Txn& t) {
      (void)t.Insert("services", MakeRow("never"));
      return Status::Conflict("changed my mind");
    }).ok());
    REQUIRE_OK((*writer)->Write([](Txn& t) { return t.Insert("services", MakeRow("s2")); })
                   .status());
    REQUIRE(WaitUntil(**loop, [&] { return heard.back() == 2; }, 10000));
    CHECK(heard == std::vector<int64_t>{1, 2});

    (*feed)->Stop();
    CHECK_FALSE((*feed)->listening());
    feed->reset();
    (void)(*writer)->Reset();
    (void)(*other)->Reset();
  }
}

}  // namespace
}  // namespace kong::store
