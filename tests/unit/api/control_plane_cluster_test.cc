// kong::ControlPlane with role = control_plane: the cluster listener from kong.conf, a data
// plane connected over loopback mTLS, ClusterStatus and /clustering/status, Admin API changes
// pushed, and a Stop that closes the links before the store.
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/fetch.h"
#include "kong/cluster_status.h"
#include "kong/control_plane.h"
#include "support/test_support.h"
#include "unit/cluster/outlet_test_support.h"
#include "unit/net/loopback_peer.h"
#include "unit/tls/test_certs.h"

namespace kong::test {
namespace {

constexpr char kDpId[] = "9b1d3c5e-7f2a-4b6c-8d0e-1a2b3c4d5e6f";

Conf ClusterConf(const TempDir& dir, std::map<std::string, std::string> overrides) {
  WriteTestFile(dir.File("cluster.crt"), Pki().shared.cert_pem);
  WriteTestFile(dir.File("cluster.key"), Pki().shared.key_pem);
  overrides.emplace("prefix", dir.path());
  overrides.emplace("admin_listen", "127.0.0.1:0");
  overrides.emplace("cluster_listen", "127.0.0.1:0");
  overrides.emplace("cluster_cert", dir.File("cluster.crt"));
  overrides.emplace("cluster_cert_key", dir.File("cluster.key"));
  ConfSources sources;
  sources.overrides = std::move(overrides);
  auto conf = Conf::Load(sources);
  REQUIRE_OK(conf.status());
  return std::move(conf).value();
}

std::unique_ptr<ControlPlane> MakeNode(EventLoop& loop, Conf conf, std::vector<std::string>* log) {
  ControlPlaneOptions options;
  options.conf = std::move(conf);
  options.log_sink = [log](LogLevel, std::string_view line) { log->emplace_back(line); };
  auto node = ControlPlane::Create(loop, std::move(options));
  REQUIRE_OK(node.status());
  return std::move(node).value();
}

Result<ClusterStatus> FetchStatus(EventLoop& loop, ControlPlane& cp) {
  std::optional<Result<ClusterStatus>> out;
  ClusterStatus::Fetch(cp, [&](Result<ClusterStatus> r) { out.emplace(std::move(r)); });
  CHECK_FALSE(out.has_value());  // never answered inside Fetch
  REQUIRE(WaitUntil(loop, [&] { return out.has_value(); }));
  return std::move(*out);
}

http::ClientResponse Call(EventLoop& loop, uint16_t port, std::string method, std::string target,
                          std::string body = "") {
  http::ClientRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  if (!body.empty()) {
    request.headers.Add("Content-Type", "application/json");
    request.body = std::move(body);
  }
  std::optional<Result<http::ClientResponse>> result;
  auto fetch = http::Fetch::Start(loop, "127.0.0.1", port, std::move(request), {},
                                  [&](Result<http::ClientResponse> r) { result = std::move(r); });
  REQUIRE(WaitUntil(loop, [&] { return result.has_value(); }, 10000));
  REQUIRE_OK(result->status());
  return std::move(*result).value();
}

void StopAndWait(EventLoop& loop, ControlPlane& node) {
  bool stopped = false;
  node.Stop([&] { stopped = true; });
  REQUIRE(WaitUntil(loop, [&] { return stopped; }, 10000));
}

TEST_SUITE("cluster_cp") {
  TEST_CASE("a control plane from kong.conf serves data planes and reports them") {
    TempDir dir;
    auto created = EventLoop::Create();
    REQUIRE_OK(created.status());
    EventLoop& loop = **created;
    std::vector<std::string> log;
    {
      auto cp = MakeNode(loop, ClusterConf(dir, {{"role", "control_plane"}}), &log);
      CHECK(cp->cluster_ports().empty());
      CHECK(cp->config_hash().empty());
      REQUIRE_OK(cp->Start());
      std::vector<uint16_t> ports = cp->cluster_ports();
      REQUIRE(ports.size() == 1);
      CHECK(ports[0] != 0);
      CHECK(log.back().find("cluster listener on 127.0.0.1:" + std::to_string(ports[0])) !=
            std::string::npos);
      REQUIRE(WaitUntil(loop, [&] { return !cp->config_hash().empty(); }));

      auto empty = FetchStatus(loop, *cp);
      REQUIRE_OK(empty.status());
      CHECK(empty->data_planes().empty());
      CHECK(empty->config_hash() == cp->config_hash());

      {
        cluster::test::TestDp dp(loop);
        dp.Connect(ports[0],
                   cluster::test::DpClientOptions(cluster::test::SharedSettings(Pki().shared)),
                   {kDpId, "dp-a", "3.10.0"});
        REQUIRE(dp.upgraded());
        dp.OpenWebSocket();
        dp.SendBasicInfo(cluster::BasicInfo{});
        dp.WaitBinaries(1);
        const std::string hash = dp.Decoded(0).config_hash;
        CHECK(hash == cp->config_hash());
        dp.Ping(hash);
        REQUIRE(WaitUntil(loop, [&] { return dp.pongs() == 1; }));

        auto status = FetchStatus(loop, *cp);
        REQUIRE_OK(status.status());
        const DataPlaneInfo* info = status->Find(kDpId);
        REQUIRE(info != nullptr);
        CHECK(info->config_hash == hash);
        CHECK(info->hostname == "dp-a");
        CHECK(info->ip == "127.0.0.1");
        CHECK(info->sync_status == "normal");
        CHECK(info->cert_expiry.has_value());
        CHECK(info->ttl.has_value());
        CHECK(status->Find("no-such-id") == nullptr);

        const uint16_t admin = cp->admin_ports()[0];
        http::ClientResponse clustering = Call(loop, admin, "GET", "/clustering/status");
        CHECK(clustering.status == 200);
        CHECK(clustering.headers.Get("Deprecation").value_or("") == "true");
        CHECK(clustering.body.find(hash) != std::string::npos);

        // An Admin API write reaches the data plane.
        http::ClientResponse svc = Call(loop, admin, "POST", "/services",
                                        R"({"name":"via-admin","host":"example.test"})");
        CHECK(svc.status == 201);
        dp.WaitBinaries(2);
        cluster::Reconfigure pushed = dp.Decoded(1);
        CHECK(pushed.config_hash == cp->config_hash());
        CHECK(pushed.config_hash != hash);

        // Stop with the link open: the link goes first, then the store.
        StopAndWait(loop, *cp);
        CHECK(WaitUntil(loop, [&] { return dp.gone(); }));
      }
      CHECK(cp->cluster_ports().empty());
      CHECK(cp->config_hash().empty());
      auto stopped = FetchStatus(loop, *cp);
      CHECK(stopped.status().code() == StatusCode::kUnavailable);
    }
    CHECK(AllHandlesClosed(loop));
  }

  TEST_CASE("a traditional node has no cluster listener and no cluster status") {
    TempDir dir;
    auto created = EventLoop::Create();
    REQUIRE_OK(created.status());
    EventLoop& loop = **created;
    std::vector<std::string> log;
    {
      auto node = MakeNode(loop, ClusterConf(dir, {}), &log);
      REQUIRE_OK(node->Start());
      CHECK(node->cluster_ports().empty());
      CHECK(node->config_hash().empty());
      auto status = FetchStatus(loop, *node);
      CHECK(status.status().code() == StatusCode::kUnavailable);
      http::ClientResponse r = Call(loop, node->admin_ports()[0], "GET", "/clustering/status");
      CHECK(r.status == 400);
      StopAndWait(loop, *node);
    }
    CHECK(AllHandlesClosed(loop));
  }
}

}  // namespace
}  // namespace kong::test
