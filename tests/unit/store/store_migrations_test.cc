// Store lifecycle on every backend: migrations, reopening, concurrent writers, connection
// errors and reconnection.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "base/macros.h"
#include "store/sql_connection.h"
#include "store_fixture.h"

namespace kong::store {
namespace {

using test::ForEachBackend;
using test::MakeRow;
using test::TestDatabase;

std::vector<std::string> StepNames(Backend b) {
  std::vector<std::string> out;
  for (const auto& s : MigrationSteps(b)) out.push_back(s.name);
  return out;
}

TEST_SUITE("store") {
  TEST_CASE("bootstrap and up are idempotent; a fresh database says it needs bootstrapping") {
    ForEachBackend([](TestDatabase& db) {
      auto store = db.Open(/*bootstrap=*/false);
      auto needs = store->NeedsMigrations();
      REQUIRE_OK(needs.status());
      CHECK(*needs);
      auto state = store->ListMigrations();
      REQUIRE_OK(state.status());
      CHECK_FALSE(state->bootstrapped);
      CHECK(state->pending == StepNames(db.options().backend));

      auto write = store->Write([](Txn& t) { return t.Insert("services", MakeRow("s")); });
      CHECK(write.status().code() == StatusCode::kUnavailable);
      CHECK(write.status().message() == kNeedsBootstrapMessage);
      CHECK(write.status().message().rfind(
                "Database needs bootstrapping or is older than Kong 1.0.\n\nTo start a new "
                "installation from scratch, run 'kong migrations bootstrap'.",
                0) == 0);
      Status up = store->Up();
      CHECK(up.message() == std::string("Cannot run migrations: ") + kNeedsBootstrapMessage);

      CHECK_OK(store->Bootstrap());
      CHECK_OK(store->Bootstrap());  // already bootstrapped: nothing happens
      CHECK_OK(store->Up());         // already up to date
      state = store->ListMigrations();
      REQUIRE_OK(state.status());
      CHECK(state->bootstrapped);
      CHECK(state->executed == StepNames(db.options().backend));
      CHECK(state->pending.empty());
      CHECK_FALSE(*store->NeedsMigrations());
      CHECK_OK(store->CheckSchema());
      CHECK(*store->Write([](Txn& t) { return t.Insert("services", MakeRow("s")); }) == 1);

      CHECK_OK(store->Reset());
      CHECK(*store->NeedsMigrations());
      CHECK(store->Read([](Txn&) { return Status::Ok(); }).message() == kNeedsBootstrapMessage);
    });
  }

  TEST_CASE("pending migrations are listed, block use, and up applies them once") {
    ForEachBackend([](TestDatabase& db) {
      const auto& all = MigrationSteps(db.options().backend);
      {
        // An older version of the library knew only the first step.
        auto old = Store::Open(db.options(), {all[0]});
        REQUIRE_OK(old.status());
        REQUIRE_OK((*old)->Bootstrap());
        CHECK_FALSE(*(*old)->NeedsMigrations());
      }
      auto store = db.Open(/*bootstrap=*/false);
      CHECK(*store->NeedsMigrations());
      auto state = store->ListMigrations();
      REQUIRE_OK(state.status());
      CHECK(state->executed == std::vector<std::string>{all[0].name});
      CHECK(state->pending.size() == all.size() - 1);
      CHECK(store->CheckSchema().message() == kNewMigrationsMessage);
      CHECK(store->CheckSchema().message() ==
            "New migrations available; run 'kong migrations up' to proceed");
      CHECK(store->Write([](Txn&) { return Status::Ok(); }).status().message() ==
            kNewMigrationsMessage);
      CHECK_OK(store->Bootstrap());  // bootstrapped already: does not apply them
      CHECK(*store->NeedsMigrations());
      CHECK_OK(store->Up());
      CHECK_OK(store->Up());
      state = store->ListMigrations();
      CHECK(state->executed == StepNames(db.options().backend));
      CHECK(state->pending.empty());
      CHECK(*store->Write([](Txn& t) { return t.Insert("services", MakeRow("s")); }) == 1);
    });
  }

  TEST_CASE("auto_bootstrap prepares a brand-new database during open") {
    ForEachBackend([](TestDatabase& db) {
      StoreOptions o = db.options();
      o.auto_bootstrap = true;
      auto store = Store::Open(o);
      REQUIRE_OK(store.status());
      CHECK_FALSE(*(*store)->NeedsMigrations());
      CHECK(*(*store)->Write([](Txn& t) { return t.Insert("services", MakeRow("s")); }) == 1);
      store = Store::Open(o);  // an existing database is left as it is
      REQUIRE_OK(store.status());
      CHECK(*(*store)->ConfigVersion() == 1);
    });
  }

  TEST_CASE("a committed write is there after the store is closed and reopened") {
    ForEachBackend([](TestDatabase& db) {
      {
        auto store = db.Open();
        REQUIRE_OK(store->Write([](Txn& t) { return t.Insert("services", MakeRow("s1", "a")); })
                       .status());
        REQUIRE_OK(store->Write([](Txn& t) { return t.Insert("services", MakeRow("s2", "b")); })
                       .status());
      }
      auto store = db.Open(/*bootstrap=*/false);
      CHECK(*store->ConfigVersion() == 2);
      CHECK_OK(store->Read([](Txn& t) -> Status {
        CHECK(t.Get("services", "s1")->has_value());
        CHECK((*t.GetByKey("services", "name", "b"))->id == "s2");
        return Status::Ok();
      }));
    });
  }

  TEST_CASE("two stores on one database writing at once get distinct consecutive versions") {
    ForEachBackend([](TestDatabase& db) {
      auto a = db.Open();
      auto b = db.Open(/*bootstrap=*/false);
      constexpr int kWrites = 25;
      std::vector<int64_t> va, vb;
      std::vector<Status> errors;
      std::mutex mu;
      auto writer = [&](Store* store, std::vector<int64_t>* versions, const char* prefix) {
        for (int i = 0; i < kWrites; ++i) {
          auto v = store->Write([&](Txn& t) {
            return t.Insert("services", MakeRow(prefix + std::to_string(i)));
          });
          std::lock_guard<std::mutex> lock(mu);
          if (v.ok()) versions->push_back(*v); else errors.push_back(v.status());
        }
      };
      std::thread ta(writer, a.get(), &va, "a-");
      std::thread tb(writer, b.get(), &vb, "b-");
      ta.join();
      tb.join();
      for (const auto& e : errors) CHECK_OK(e);
      std::vector<int64_t> all = va;
      all.insert(all.end(), vb.begin(), vb.end());
      std::sort(all.begin(), all.end());
      REQUIRE(all.size() == 2 * kWrites);
      for (int i = 0; i < 2 * kWrites; ++i) CHECK(all[static_cast<size_t>(i)] == i + 1);
      CHECK(std::is_sorted(va.begin(), va.end()));
      CHECK(std::is_sorted(vb.begin(), vb.end()));
      CHECK(*a->ConfigVersion() == 2 * kWrites);
      CHECK_OK(b->Read([](Txn& t) -> Status {
        CHECK(*t.Count("services") == 2 * kWrites);
        CHECK(t.ListChanges(0, 1000)->size() == 2 * kWrites);
        return Status::Ok();
      }));
    });
  }

  TEST_CASE("sqlite: an unopenable path is an error naming it") {
    StoreOptions o;
    o.sqlite.path = "/nonexistent-dir-for-kong-tests/kong.db";
    auto store = Store::Open(o);
    REQUIRE_FALSE(store.ok());
    CHECK(store.status().message().find(o.sqlite.path) != std::string::npos);
  }

  TEST_CASE("postgres: an unreachable server is kUnavailable naming host:port, never the password") {
    if (!PostgresSupported()) {
      MESSAGE("skipped: built without libpq");
      return;
    }
    // A port that was free a moment ago: nothing listens there.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    ::close(fd);
    StoreOptions o;
    o.backend = Backend::kPostgres;
    o.postgres.port = ntohs(addr.sin_port);
    o.postgres.password = "s3cret-Pa55";
    auto store = Store::Open(o);
    REQUIRE_FALSE(store.ok());
    CHECK(store.status().code() == StatusCode::kUnavailable);
    const std::string msg = store.status().message();
    CAPTURE(msg);
    CHECK(msg.rfind("connect to postgres at 127.0.0.1:" + std::to_string(o.postgres.port), 0) == 0);
    CHECK(msg.find("s3cret-Pa55") == std::string::npos);
  }

  TEST_CASE("postgres: a connection the server dropped while idle is re-opened by the next job") {
    PostgresOptions pg;
    if (!test::PostgresTestOptions(&pg)) {
      MESSAGE("skipped: set KONG_TEST_PG_HOST/PORT/USER/DATABASE");
      return;
    }
    StoreOptions o;
    o.backend = Backend::kPostgres;
    o.postgres = pg;
    o.postgres.schema = "kong_test_" + test::RandomHex(6);
    o.postgres.application_name = "kong_victim_" + test::RandomHex(6);
    o.auto_bootstrap = true;
    auto store = Store::Open(o);
    REQUIRE_OK(store.status());
    REQUIRE(*(*store)->Write([](Txn& t) { return t.Insert("services", MakeRow("s1")); }) == 1);

    StoreOptions admin_opts = o;
    admin_opts.postgres.application_name = "kong_admin";
    auto admin = ConnectSql(admin_opts);
    REQUIRE_OK(admin.status());
    auto killed = (*admin)->Exec(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = $1",
        {o.postgres.application_name}, "terminate the store's session");
    REQUIRE_OK(killed.status());
    REQUIRE(killed->rows.size() == 1);

    // The next job finds the connection dead at BEGIN, before anything ran, so the store
    // reconnects and runs it (postgres_connection.cc): the caller never sees the drop.
    auto after = (*store)->Write([](Txn& t) { return t.Insert("services", MakeRow("s2")); });
    REQUIRE_OK(after.status());
    CHECK(*after == 2);
    CHECK_OK((*store)->Reset());
  }
}

}  // namespace
}  // namespace kong::store
