// Issue 8, control-plane side: three ControlPlane nodes on one PostgreSQL database act as one
// cluster. A write through any node reaches the data planes of every node (LISTEN/NOTIFY),
// every node lists every data plane, concurrent writes through two nodes get distinct
// versions, and a PostgreSQL outage is survived without restarting anything.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "json/value.h"
#include "kong/cluster_status.h"
#include "store/row.h"
#include "support/test_support.h"
#include "unit/api/multi_cp_fixture.h"
#include "unit/store/store_fixture.h"

namespace kong::test {
namespace {

// Skips (with a message) unless KONG_TEST_PG_* names a server.
bool SharedPostgres(store::PostgresOptions* pg) {
  if (store::test::PostgresTestOptions(pg)) return true;
  MESSAGE("postgres variant skipped: set KONG_TEST_PG_* (eval \"$(scripts/pg-throwaway start)\")");
  return false;
}

// The ids in a /clustering/data-planes body.
std::set<std::string> ListedIds(const std::string& body) {
  std::set<std::string> ids;
  auto parsed = json::Parse(body);
  REQUIRE_OK(parsed.status());
  const json::Value* data = parsed->Find("data");
  REQUIRE(data != nullptr);
  for (const json::Value& row : data->as_array()) ids.insert(row.Find("id")->as_string());
  return ids;
}

TEST_SUITE("multi_cp") {
  TEST_CASE("a write through one node reaches data planes of the others; every node lists "
            "every data plane") {
    store::PostgresOptions pg;
    if (!SharedPostgres(&pg)) return;
    MultiCpCluster cluster(pg, 3);
    DataPlane& on_a = cluster.AddDataPlane(0);
    DataPlane& on_c = cluster.AddDataPlane(2);

    CHECK(cluster.Call(0, "POST", "/services", ServiceBody("via-a")).status == 201);
    const std::string hash = cluster.WaitConverged({"\"via-a\""});
    REQUIRE_FALSE(hash.empty());
    CHECK(on_c.config_hash() == hash);

    // Node C's own publisher exported it too (it heard of node A's commit by NOTIFY), and
    // every node reports both data planes in sync from the shared registry rows.
    for (size_t node = 0; node < 3; ++node) {
      INFO("node " << node);
      CHECK(cluster.WaitStatusInSync(node, hash));
    }

    // Node B has no data plane of its own: its Admin API lists those of A and C.
    http::ClientResponse listed = cluster.Call(1, "GET", "/clustering/data-planes");
    REQUIRE(listed.status == 200);
    CHECK(ListedIds(listed.body) == std::set<std::string>{on_a.node_id(), on_c.node_id()});
    http::ClientResponse status = cluster.Call(1, "GET", "/clustering/status");
    REQUIRE(status.status == 200);
    auto body = json::Parse(status.body);
    REQUIRE_OK(body.status());
    for (const DataPlane* dp : {&on_a, &on_c}) {
      const json::Value* entry = body->Find(dp->node_id());
      REQUIRE(entry != nullptr);
      CHECK(entry->Find("config_hash")->as_string() == hash);
      CHECK(entry->Find("last_seen")->as_int() > 0);
    }

    // The other way round: a write through C reaches the data plane of A.
    CHECK(cluster.Call(2, "POST", "/services", ServiceBody("via-c")).status == 201);
    CHECK_FALSE(cluster.WaitConverged({"\"via-a\"", "\"via-c\""}).empty());
  }

  TEST_CASE("concurrent writes through two nodes get distinct increasing versions and every "
            "data plane converges") {
    store::PostgresOptions pg;
    if (!SharedPostgres(&pg)) return;
    MultiCpCluster cluster(pg, 3);
    cluster.AddDataPlane(0);
    cluster.AddDataPlane(2);
    auto observer = store::Store::Open(cluster.store_options());
    REQUIRE_OK(observer.status());
    auto before = (*observer)->ConfigVersion();
    REQUIRE_OK(before.status());

    // All in flight at once: 15 through node A and 15 through node B.
    constexpr int kPerNode = 15;
    std::vector<std::optional<Result<http::ClientResponse>>> answers(2 * kPerNode);
    std::vector<std::string> names;
    for (int i = 0; i < 2 * kPerNode; ++i) {
      names.push_back("\"svc-" + std::to_string(i) + "\"");
      cluster.Send(i % 2, "POST", "/services", ServiceBody("svc-" + std::to_string(i)),
                   &answers[i]);
    }
    REQUIRE(WaitUntil(cluster.loop(), [&] {
      for (const auto& a : answers) {
        if (!a) return false;
      }
      return true;
    }, 30000));
    for (const auto& a : answers) {
      REQUIRE_OK(a->status());
      CHECK((*a)->status == 201);
    }

    // One version per write, none shared, none skipped: the store serializes writers of every
    // node with one advisory lock.
    auto after = (*observer)->ConfigVersion();
    REQUIRE_OK(after.status());
    CHECK(*after == *before + 2 * kPerNode);
    std::vector<store::Change> changes;
    REQUIRE_OK((*observer)->Read([&](store::Txn& txn) -> Status {
      auto listed = txn.ListChanges(*before, 1000);
      if (!listed.ok()) return listed.status();
      changes = std::move(listed).value();
      return Status::Ok();
    }));
    REQUIRE(changes.size() == static_cast<size_t>(2 * kPerNode));
    for (size_t i = 0; i < changes.size(); ++i) {
      CHECK(changes[i].version == *before + 1 + static_cast<int64_t>(i));
      CHECK(changes[i].entity == "services");
    }

    const std::string hash = cluster.WaitConverged(names);
    REQUIRE_FALSE(hash.empty());
    for (size_t node = 0; node < 3; ++node) {
      INFO("node " << node);
      CHECK(cluster.WaitStatusInSync(node, hash));
    }
  }

  TEST_CASE("a PostgreSQL outage: writes fail with 500, data planes keep their config, new ones "
            "get it, and everything resumes without a restart") {
    std::string why;
    std::unique_ptr<PrivatePostgres> pg = PrivatePostgres::Start(&why);
    if (!pg) {
      MESSAGE(why);
      return;
    }
    MultiCpCluster cluster(pg->options(), 3);
    DataPlane& on_a = cluster.AddDataPlane(0);
    cluster.AddDataPlane(2);
    std::vector<std::string> acknowledged;
    for (int i = 0; i < 4; ++i) {
      const std::string name = "before-" + std::to_string(i);
      REQUIRE(cluster.Call(i % 3, "POST", "/services", ServiceBody(name)).status == 201);
      acknowledged.push_back("\"" + name + "\"");
    }
    const std::string hash_before = cluster.WaitConverged(acknowledged);
    REQUIRE_FALSE(hash_before.empty());
    // Node B, which will serve a new data plane during the outage, has exported it too.
    REQUIRE(cluster.WaitStatusInSync(1, hash_before));

    REQUIRE(pg->Down());
    // Writes get Kong's 500 body; nothing is retried behind the client's back.
    for (size_t node = 0; node < 3; ++node) {
      INFO("node " << node);
      http::ClientResponse refused =
          cluster.Call(node, "POST", "/services", ServiceBody("during-" + std::to_string(node)));
      CHECK(refused.status == 500);
      CHECK(refused.body == R"({"message":"An unexpected error occurred"})");
    }
    // The node itself still answers, and says the database is unreachable.
    http::ClientResponse health = cluster.Call(1, "GET", "/status");
    CHECK(health.status == 200);
    CHECK(health.body.find(R"("reachable":false)") != std::string::npos);
    // Connected data planes keep their configuration, and a data plane connecting now gets
    // the last export from the node's memory (Kong issue #6935).
    CHECK(on_a.connected());
    CHECK(on_a.config_hash() == hash_before);
    DataPlane& newcomer = cluster.AddDataPlane(1);
    CHECK(newcomer.config_hash() == hash_before);

    REQUIRE(pg->Up());
    // The store reconnects on its own, after at most PostgresRetryDelay (3.2 s): a write may
    // still be refused right after the server came back, so retry (every 100 ms, up to 20 s).
    bool written = false;
    for (int attempt = 0; attempt < 200 && !written; ++attempt) {
      if (attempt > 0) (void)WaitUntil(cluster.loop(), [] { return false; }, 100);
      written = cluster.Call(2, "POST", "/services", ServiceBody("after-c")).status == 201;
    }
    REQUIRE(written);
    acknowledged.push_back("\"after-c\"");
    REQUIRE(cluster.Call(0, "POST", "/services", ServiceBody("after-a")).status == 201);
    acknowledged.push_back("\"after-a\"");

    // Every data plane, on every node, converges; nothing acknowledged before was lost and
    // nothing refused during the outage was written.
    const std::string hash_after = cluster.WaitConverged(acknowledged);
    REQUIRE_FALSE(hash_after.empty());
    for (size_t i = 0; i < cluster.dp_count(); ++i) {
      CHECK(cluster.dp(i).config_json().find("during-") == std::string::npos);
    }
    http::ClientResponse all = cluster.Call(1, "GET", "/services");
    REQUIRE(all.status == 200);
    auto listed = json::Parse(all.body);
    REQUIRE_OK(listed.status());
    CHECK(listed->Find("data")->as_array().size() == acknowledged.size());
    for (size_t node = 0; node < 3; ++node) {
      INFO("node " << node);
      CHECK(cluster.WaitStatusInSync(node, hash_after));
    }
  }
}

}  // namespace
}  // namespace kong::test
