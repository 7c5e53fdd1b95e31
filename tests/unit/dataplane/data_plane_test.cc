// kong::DataPlane through its public API against a fake control plane: applies, rejects,
// status API over a real socket, the config cache across restarts, option checks.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cluster/config_cache.h"
#include "http/client.h"
#include "json/value.h"
#include "kong/conf.h"
#include "kong/data_plane.h"
#include "net/connect.h"
#include "net/listener.h"
#include "support/test_support.h"
#include "unit/dataplane/data_plane_node.h"
#include "unit/dataplane/fake_control_plane.h"
#include "unit/net/loopback_peer.h"
#include "unit/tls/test_certs.h"

using kong::Conf;
using kong::ConfSources;
using kong::DataPlane;
using kong::DataPlaneOptions;
using kong::EventLoop;
using kong::LogLevel;
using kong::Result;
using kong::Status;
using kong::test::DpConf;
using kong::test::FakeControlPlane;
using kong::test::Get;
using kong::test::HashAtStatus;
using kong::test::MakePush;
using kong::test::Node;
using kong::test::Pki;
using kong::test::ReadTestFile;
using kong::test::ServiceConfig;
using kong::test::TempDir;
using kong::test::WaitUntil;
using kong::test::WriteTestFile;

namespace {

constexpr char kEmpty[] = "00000000000000000000000000000000";

}  // namespace

TEST_SUITE("dataplane") {
  TEST_CASE("data plane: applies a pushed config, serves /status, rejects an invalid one") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    TempDir dir;
    {
      FakeControlPlane cp(l, FakeControlPlane::Shared(Pki().shared));
      auto conf = DpConf(dir, cp.address(), {{"cluster_dp_labels", "region:eu,tier:gold"}});
      REQUIRE_OK(conf.status());
      Node n;
      n.Start(l, std::move(conf).value());
      REQUIRE(n.dp->status_ports().size() == 1);
      const uint16_t status_port = n.dp->status_ports()[0];
      CHECK(n.dp->config_hash() == kEmpty);
      CHECK_FALSE(n.dp->ready());
      auto not_ready = Get(l, status_port, "/status/ready");
      CHECK(not_ready.first == 503);
      CHECK(not_ready.second ==
            R"j({"message":"no configuration available (empty configuration present)"})j");
      CHECK(HashAtStatus(l, status_port) == kEmpty);
      auto missing = Get(l, status_port, "/nope");
      CHECK(missing.first == 404);
      CHECK(missing.second == R"({"message":"Not found"})");

      REQUIRE(WaitUntil(l, [&] { return !cp.links.empty() && !cp.last().pings.empty(); }));
      CHECK(n.dp->connected());
      auto params = kong::cluster::ParseNodeParams(cp.last().target);
      REQUIRE_OK(params.status());
      CHECK(params->id == n.dp->node_id());
      CHECK(params->hostname == "dp-test");
      CHECK(params->version == "3.10.0");
      auto info = kong::cluster::ParseBasicInfo(cp.last().messages.at(0));
      REQUIRE_OK(info.status());
      CHECK(kong::json::Serialize(info->labels) == R"({"region":"eu","tier":"gold"})");
      // The node id persisted in the prefix.
      CHECK(ReadTestFile(dir.File("prefix/kong.id")).find(n.dp->node_id()) == 0);

      auto push = MakePush(ServiceConfig("s1"));
      cp.Push(push.payload);
      REQUIRE(WaitUntil(l, [&] { return n.applied.size() == 1; }));
      CHECK(n.applied[0] == push.hash);
      CHECK(n.dp->config_hash() == push.hash);
      CHECK(n.dp->ready());
      CHECK(n.dp->config_json().find("\"s1\"") != std::string::npos);
      CHECK(HashAtStatus(l, status_port) == push.hash);
      auto ready = Get(l, status_port, "/status/ready");
      CHECK(ready.first == 200);
      CHECK(ready.second == R"({"message":"ready"})");
      REQUIRE(WaitUntil(l, [&] { return cp.last().pings.back() == push.hash; }));
      const std::string cache_path = dir.File("prefix/config.cache.json.gz");
      const std::string cached = ReadTestFile(cache_path);
      CHECK_FALSE(cached.empty());

      // Invalid (port out of range): rejected, logged, the old config keeps serving.
      auto bad = MakePush(ServiceConfig("s2", 99999));
      cp.Push(bad.payload);
      REQUIRE(WaitUntil(l, [&] { return n.Logged("the old config keeps serving"); }));
      CHECK(n.Logged("declarative config is invalid"));
      CHECK(n.dp->config_hash() == push.hash);
      CHECK(n.applied.size() == 1);
      CHECK(ReadTestFile(cache_path) == cached);
      CHECK(HashAtStatus(l, status_port) == push.hash);

      // The same hash again is not applied twice (the DP only confirms it with a ping).
      const size_t pings = cp.last().pings.size();
      cp.Push(push.payload);
      REQUIRE(WaitUntil(l, [&] { return cp.last().pings.size() > pings; }));
      CHECK(n.applied.size() == 1);
      // Kong 3.x control planes also export the default workspace.
      std::string with_workspace = ServiceConfig("s3");
      with_workspace.insert(1, R"("workspaces":[{"id":"0dc6f45b-8f8d-40d2-a504-473544ee190b","name":"default"}],)");
      auto other = MakePush(with_workspace);
      cp.Push(other.payload);
      REQUIRE(WaitUntil(l, [&] { return n.dp->config_hash() == other.hash; }));
      CHECK(n.applied == std::vector<std::string>{push.hash, other.hash});

      // A second node on the same status port fails to start with a one-line error.
      auto clash_conf = DpConf(dir, cp.address(),
                               {{"status_listen", "127.0.0.1:" + std::to_string(status_port)},
                                {"prefix", dir.File("prefix2")}});
      REQUIRE_OK(clash_conf.status());
      DataPlaneOptions o;
      o.conf = std::move(clash_conf).value();
      auto clash = DataPlane::Create(l, std::move(o));
      REQUIRE_OK(clash.status());
      Status started = (*clash)->Start();
      CHECK_FALSE(started.ok());
      CHECK(started.message().find("status_listen: bind 127.0.0.1:" +
                                   std::to_string(status_port)) == 0);
      CHECK(started.message().find('\n') == std::string::npos);
      CHECK_FALSE((*clash)->running());

      n.Stop(l);
      cp.Close();
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("data plane: restarted with the CP down, it serves its cached config at once") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    TempDir dir;
    {
      std::string hash;
      {
        FakeControlPlane cp(l, FakeControlPlane::Shared(Pki().shared));
        auto conf = DpConf(dir, cp.address());
        REQUIRE_OK(conf.status());
        Node n;
        n.Start(l, std::move(conf).value());
        REQUIRE(WaitUntil(l, [&] { return !cp.links.empty(); }));
        auto push = MakePush(ServiceConfig("s1"));
        hash = push.hash;
        cp.Push(push.payload);
        REQUIRE(WaitUntil(l, [&] { return n.applied.size() == 1; }));
        n.Stop(l);
        cp.Close();
      }
      // Nothing listens on the CP's old port now.
      const uint16_t closed_port = kong::test::ClosedPort(l);
      SUBCASE("valid cache") {
        auto conf = DpConf(dir, "127.0.0.1:" + std::to_string(closed_port));
        REQUIRE_OK(conf.status());
        Node n;
        n.Start(l, std::move(conf).value());
        CHECK(n.dp->ready());
        CHECK(n.dp->config_hash() == hash);
        CHECK(n.applied == std::vector<std::string>{hash});
        CHECK(n.Logged("loaded the cached config " + hash));
        CHECK(HashAtStatus(l, n.dp->status_ports()[0]) == hash);
        CHECK(Get(l, n.dp->status_ports()[0], "/status/ready").first == 200);
        REQUIRE(WaitUntil(l, [&] { return n.Logged("broken"); }));
        CHECK_FALSE(n.dp->connected());
        n.Stop(l);
      }
      SUBCASE("corrupted cache") {
        const std::string path = dir.File("prefix/config.cache.json.gz");
        std::string bytes = ReadTestFile(path);
        REQUIRE(bytes.size() > 20);
        bytes[bytes.size() / 2] ^= 0x5a;
        WriteTestFile(path, bytes);
        auto conf = DpConf(dir, "127.0.0.1:" + std::to_string(closed_port));
        REQUIRE_OK(conf.status());
        Node n;
        n.Start(l, std::move(conf).value());
        CHECK_FALSE(n.dp->ready());
        CHECK(n.dp->config_hash() == kEmpty);
        CHECK(n.applied.empty());
        CHECK(n.Logged("ignored the cached config: config cache " + path));
        CHECK(Get(l, n.dp->status_ports()[0], "/status/ready").first == 503);
        n.Stop(l);
      }
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("data plane: destroyed while linked, it closes everything by itself") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    TempDir dir;
    {
      FakeControlPlane cp(l, FakeControlPlane::Shared(Pki().shared));
      auto conf = DpConf(dir, cp.address());
      REQUIRE_OK(conf.status());
      Node n;
      n.Start(l, std::move(conf).value());
      REQUIRE(WaitUntil(l, [&] { return n.dp->connected(); }));
      n.dp.reset();
      REQUIRE(WaitUntil(l, [&] { return cp.open_links() == 0; }));
      CHECK(n.Logged("stopped data plane node"));
      cp.Close();
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("data plane: Create refuses a conf that is not a data plane's") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    TempDir dir;
    SUBCASE("role") {
      WriteTestFile(dir.File("c.crt"), Pki().shared.cert_pem);
      WriteTestFile(dir.File("c.key"), Pki().shared.key_pem);
      ConfSources s;
      s.overrides = {{"role", "control_plane"},
                     {"cluster_cert", dir.File("c.crt")},
                     {"cluster_cert_key", dir.File("c.key")}};
      auto conf = Conf::Load(s);
      REQUIRE_OK(conf.status());
      DataPlaneOptions o;
      o.conf = std::move(conf).value();
      auto dp = DataPlane::Create(**loop, std::move(o));
      REQUIRE_FALSE(dp.ok());
      CHECK(dp.status().message().find("role control_plane") != std::string::npos);
    }
    SUBCASE("no certificate") {
      auto dp = DataPlane::Create(**loop, DataPlaneOptions{});
      REQUIRE_FALSE(dp.ok());
      // Conf's own check, in Kong's words.
      CHECK_MESSAGE(dp.status().message().find("cluster certificate and key must be provided") !=
                        std::string::npos,
                    dp.status().message());
    }
  }
}
