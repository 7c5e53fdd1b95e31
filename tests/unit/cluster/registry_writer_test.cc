// RegistryWriter over a real AsyncStore: upserts queued while a job runs coalesce per data
// plane into the next job, the newest record wins, and the config version never moves.
#include <doctest/doctest.h>

#include <cstdio>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "cluster/registry_writer.h"
#include "store/async_store.h"
#include "support/test_support.h"
#include "unit/net/loopback_peer.h"
#include "unit/store/store_fixture.h"

namespace kong::cluster {
namespace {

using store::test::ForEachBackend;
using store::test::TestDatabase;

store::DataPlaneRecord Record(const std::string& id, const std::string& hash) {
  store::DataPlaneRecord record;
  record.id = id;
  record.hostname = "dp-" + id.substr(0, 4);
  record.ip = "127.0.0.1";
  record.last_seen = 1700000000;
  record.config_hash = hash;
  record.version = "3.10.0";
  record.sync_status = "normal";
  record.updated_at = 1700000000;
  return record;
}

TEST_SUITE("cluster_cp") {
  TEST_CASE("RegistryWriter batches the pings of many data planes, newest record per id") {
    ForEachBackend([](TestDatabase& db) {
      auto loop = EventLoop::Create();
      REQUIRE_OK(loop.status());
      auto async = store::AsyncStore::Start(**loop, db.Open());
      int64_t version_before = -1;
      async->Submit([](store::Store& s) { return s.ConfigVersion(); },
                    [&](Result<int64_t> v) { version_before = v.ok() ? *v : -2; });
      REQUIRE(kong::test::WaitUntil(**loop, [&] { return version_before != -1; }));
      {
        RegistryWriter writer(*async, nullptr);
        // Hold the store thread in a job so that nothing below starts before all is queued.
        std::promise<void> release;
        std::shared_future<void> released = release.get_future().share();
        async->Submit([released](store::Store&) { released.wait(); return Status::Ok(); },
                      [](Status) {});
        // 100 DPs ping at once, each twice (the first hash superseded before it is written).
        for (int i = 0; i < 100; ++i) {
          char id[40];
          std::snprintf(id, sizeof id, "%08d-0000-4000-8000-000000000000", i);
          writer.Upsert(Record(id, std::string(32, 'a')), "");
          writer.Upsert(Record(id, std::string(32, 'b')), "");
        }
        // The first upsert submitted a job; it is still queued, so the 199 others joined it.
        CHECK(writer.jobs() == 1);
        release.set_value();
        std::optional<Result<store::DataPlanePage>> page;
        // Store order: this read runs after every upsert above.
        async->Submit([](store::Store& s) { return s.ListDataPlanes(1000, "", 1700000000); },
                      [&](Result<store::DataPlanePage> p) { page = std::move(p); });
        REQUIRE(kong::test::WaitUntil(**loop, [&] { return page.has_value(); }));
        REQUIRE_OK(page->status());
        REQUIRE((*page)->records.size() == 100);
        for (const auto& record : (*page)->records) CHECK(record.config_hash == std::string(32, 'b'));
        CHECK(writer.jobs() == 1);
      }
      int64_t version_after = -1;
      async->Submit([](store::Store& s) { return s.ConfigVersion(); },
                    [&](Result<int64_t> v) { version_after = v.ok() ? *v : -2; });
      REQUIRE(kong::test::WaitUntil(**loop, [&] { return version_after != -1; }));
      CHECK(version_after == version_before);  // status writes are not config changes
      async->Shutdown();
      async.reset();
      CHECK(kong::test::AllHandlesClosed(**loop));
    });
  }
}

}  // namespace
}  // namespace kong::cluster
