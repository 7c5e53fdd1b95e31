// kong::DataPlane against the real CP side (ConfigPublisher + OutletServer over a store, from
// tests/unit/cluster/outlet_test_support.h): the export validates on the DP, and the hashes
// agree on the DP, in its pings and in the CP's registry.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kong/conf.h"
#include "kong/data_plane.h"
#include "support/test_support.h"
#include "unit/cluster/outlet_test_support.h"
#include "unit/dataplane/data_plane_node.h"
#include "unit/store/store_fixture.h"
#include "unit/tls/test_certs.h"

using kong::DataPlane;
using kong::DataPlaneOptions;
using kong::LogLevel;
using kong::cluster::test::CpEnv;
using kong::cluster::test::SharedSettings;
using kong::store::test::ForEachBackend;
using kong::store::test::TestDatabase;
using kong::test::DpConf;
using kong::test::Pki;
using kong::test::TempDir;
using kong::test::WaitUntil;

TEST_SUITE("dataplane") {
  TEST_CASE("data plane and the real control-plane outlet agree on every hash") {
    ForEachBackend([](TestDatabase& db) {
      CpEnv env(db, SharedSettings(Pki().shared));
      TempDir dir;
      auto conf =
          DpConf(dir, "127.0.0.1:" + std::to_string(env.port()), {{"status_listen", "off"}});
      REQUIRE_OK(conf.status());
      std::vector<std::string> logs;
      std::vector<std::string> applied;
      DataPlaneOptions o;
      o.conf = std::move(conf).value();
      o.hostname = "interop";
      o.log_sink = [&](LogLevel, std::string_view line) { logs.emplace_back(line); };
      o.on_config_applied = [&](const std::string& hash) { applied.push_back(hash); };
      auto created = DataPlane::Create(env.loop(), std::move(o));
      REQUIRE_OK(created.status());
      std::unique_ptr<DataPlane> dp = std::move(created).value();
      REQUIRE_OK(dp->Start());
      CHECK(dp->status_ports().empty());  // status_listen = off

      auto in_sync = [&] {
        auto current = env.cp().publisher().current();
        if (current == nullptr || dp->config_hash() != current->config_hash) return false;
        auto row = env.Row(dp->node_id());
        return row.has_value() && row->config_hash == current->config_hash;
      };
      // The CP's (empty) configuration arrives at once: applied, but not "ready".
      REQUIRE_MESSAGE(WaitUntil(env.loop(), in_sync, 10000), env.cp().AllLogs());
      CHECK(applied.size() == 1);
      CHECK_FALSE(dp->ready());
      auto row = env.Row(dp->node_id());
      CHECK(row->hostname == "interop");
      CHECK(row->version == "3.10.0");
      CHECK(row->sync_status == "normal");

      // A change on the CP reaches the DP, which pings its new hash back.
      env.Insert("services", R"({"name":"pushed","host":"example.com"})");
      REQUIRE(WaitUntil(env.loop(), [&] { return applied.size() == 2; }, 10000));
      REQUIRE(WaitUntil(env.loop(), in_sync, 10000));
      CHECK(dp->ready());
      CHECK(dp->config_json().find("\"pushed\"") != std::string::npos);

      bool stopped = false;
      dp->Stop([&] { stopped = true; });
      REQUIRE(WaitUntil(env.loop(), [&] { return stopped; }));
      dp.reset();
    });
  }
}
