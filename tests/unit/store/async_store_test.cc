// AsyncStore: jobs on the store thread in order, results and change notifications on the
// loop thread, shutdown failing queued jobs.
#include <doctest/doctest.h>

#include <future>
#include <thread>

#include "store/async_store.h"
#include "store_fixture.h"

namespace kong::store {
namespace {

using test::ForEachBackend;
using test::MakeRow;
using test::TestDatabase;
using kong::test::WaitUntil;

std::unique_ptr<EventLoop> NewLoop() {
  auto loop = EventLoop::Create();
  REQUIRE_OK(loop.status());
  return std::move(loop).value();
}

TEST_SUITE("store") {
  TEST_CASE("async writes run off the loop in submission order and answer on the loop") {
    ForEachBackend([](TestDatabase& db) {
      auto loop = NewLoop();
      auto async = AsyncStore::Start(*loop, db.Open());
      const auto loop_thread = std::this_thread::get_id();
      std::vector<int64_t> versions;
      std::vector<std::string> order;  // ids as the jobs ran, store thread only
      bool ran_on_loop = false, answered_off_loop = false;
      for (int i = 0; i < 30; ++i) {
        std::string id = "s" + std::to_string(i);
        async->Write(
            [&, id](Txn& t) {
              if (std::this_thread::get_id() == loop_thread) ran_on_loop = true;
              order.push_back(id);
              return t.Insert("services", MakeRow(id));
            },
            [&](Result<int64_t> v) {
              if (!loop->IsCurrentThread()) answered_off_loop = true;
              CHECK_OK(v.status());
              versions.push_back(v.ok() ? *v : -1);
            });
      }
      REQUIRE(WaitUntil(*loop, [&] { return versions.size() == 30; }));
      CHECK_FALSE(ran_on_loop);
      CHECK_FALSE(answered_off_loop);
      for (int i = 0; i < 30; ++i) {
        CHECK(versions[static_cast<size_t>(i)] == i + 1);
        CHECK(order[static_cast<size_t>(i)] == "s" + std::to_string(i));
      }
      // Any job, with its own result type.
      std::optional<Result<int64_t>> count;
      async->Submit(
          [](Store& s) -> Result<int64_t> {
            int64_t n = 0;
            Status st = s.Read([&](Txn& t) {
              auto c = t.Count("services");
              if (c.ok()) n = *c;
              return c.status();
            });
            if (!st.ok()) return st;
            return n;
          },
          [&](Result<int64_t> r) { count = std::move(r); });
      REQUIRE(WaitUntil(*loop, [&] { return count.has_value(); }));
      REQUIRE_OK(count->status());
      CHECK(**count == 30);
    });
  }

  TEST_CASE("listeners hear each new version on the loop thread, after the write's answer") {
    ForEachBackend([](TestDatabase& db) {
      auto loop = NewLoop();
      auto async = AsyncStore::Start(*loop, db.Open());
      std::vector<std::string> events;
      bool off_loop = false;
      int id = async->AddChangeListener([&](int64_t v) {
        if (!loop->IsCurrentThread()) off_loop = true;
        events.push_back("changed " + std::to_string(v));
      });
      int done = 0;
      auto insert = [&](const std::string& row_id) {
        async->Write([row_id](Txn& t) { return t.Insert("services", MakeRow(row_id)); },
                     [&](Result<int64_t> v) {
                       events.push_back("written " + std::to_string(v.ok() ? *v : -1));
                       ++done;
                     });
      };
      insert("a");
      // Neither a read, nor a write that changes nothing, nor a failed write, nor a
      // status upsert notifies.
      async->Read([](Txn& t) { return t.Count("services").status(); },
                  [&](Status) { ++done; });
      async->Write([](Txn&) { return Status::Ok(); }, [&](Result<int64_t>) { ++done; });
      async->Write([](Txn& t) { return t.Insert("services", MakeRow("a")); },
                   [&](Result<int64_t> v) {
                     CHECK(v.status().code() == StatusCode::kConflict);
                     ++done;
                   });
      async->Submit(
          [](Store& s) {
            DataPlaneRecord dp;
            dp.id = "dp";
            dp.hostname = "h";
            dp.ip = "127.0.0.1";
            dp.config_hash = std::string(32, '0');
            return s.UpsertDataPlane(dp);
          },
          [&](Status s) {
            CHECK_OK(s);
            ++done;
          });
      insert("b");
      REQUIRE(WaitUntil(*loop, [&] { return done == 6; }));
      CHECK(events == std::vector<std::string>{"written 1", "changed 1", "written 2",
                                               "changed 2"});
      CHECK_FALSE(off_loop);

      async->RemoveChangeListener(id);
      insert("c");
      REQUIRE(WaitUntil(*loop, [&] { return done == 7; }));
      CHECK(events.back() == "written 3");
    });
  }

  TEST_CASE("shutdown lets the running job finish and fails the queued ones") {
    test::ForEachBackend([](TestDatabase& db) {
      auto loop = NewLoop();
      auto async = AsyncStore::Start(*loop, db.Open());
      std::promise<void> release;
      std::shared_future<void> released = release.get_future().share();
      std::promise<void> started;
      std::optional<Result<int64_t>> first, queued, late;
      async->Write(
          [&](Txn& t) {
            started.set_value();
            released.wait();  // holds the store thread until the test says so
            return t.Insert("services", MakeRow("first"));
          },
          [&](Result<int64_t> v) { first = std::move(v); });
      started.get_future().wait();
      async->Write([](Txn& t) { return t.Insert("services", MakeRow("queued")); },
                   [&](Result<int64_t> v) { queued = std::move(v); });
      std::thread stopper([&] { async->Shutdown(); });
      // The queued job is failed without running, while the first one still runs.
      REQUIRE(WaitUntil(*loop, [&] { return queued.has_value(); }));
      CHECK(queued->status().code() == StatusCode::kUnavailable);
      CHECK(queued->status().message() == "store is shut down");
      CHECK_FALSE(first.has_value());
      release.set_value();
      stopper.join();
      REQUIRE(WaitUntil(*loop, [&] { return first.has_value(); }));
      CHECK_OK(first->status());
      CHECK(**first == 1);
      async->Write([](Txn&) { return Status::Ok(); },
                   [&](Result<int64_t> v) { late = std::move(v); });
      REQUIRE(WaitUntil(*loop, [&] { return late.has_value(); }));
      CHECK(late->status().code() == StatusCode::kUnavailable);
      async.reset();

      auto store = db.Open(/*bootstrap=*/false);  // only the first write was committed
      CHECK(*store->ConfigVersion() == 1);
      CHECK_OK(store->Read([](Txn& t) -> Status {
        CHECK_FALSE(t.Get("services", "queued")->has_value());
        return Status::Ok();
      }));
    });
  }
}

}  // namespace
}  // namespace kong::store
