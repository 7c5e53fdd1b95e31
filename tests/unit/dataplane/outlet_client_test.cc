// OutletClient against a fake control plane over real mTLS loopback links: upgrade and
// basic_info, applies and pings, certificate refusals, payload limits, reconnects.
#include <memory>
#include <string>
#include <vector>

#include "cluster/messages.h"
#include "dataplane/outlet_client.h"
#include "support/test_support.h"
#include "unit/dataplane/fake_control_plane.h"
#include "unit/dataplane/outlet_dp.h"
#include "unit/net/loopback_peer.h"
#include "unit/tls/test_certs.h"

using kong::EventLoop;
using kong::LogLevel;
using kong::Status;
using kong::cluster::Reconfigure;
using kong::dataplane::OutletClient;
using kong::dataplane::OutletClientOptions;
using kong::test::FakeControlPlane;
using kong::test::FakeLink;
using kong::test::MakePush;
using Dp = kong::test::OutletDp;
using kong::test::Pki;
using kong::test::ServiceConfig;
using kong::test::TestCert;
using kong::test::WaitUntil;
using kong::tls::ClusterMtlsMode;
using kong::tls::ClusterTlsSettings;

namespace {

ClusterTlsSettings Shared(const TestCert& cert) { return FakeControlPlane::Shared(cert); }

ClusterTlsSettings PkiSettings(const TestCert& leaf, const std::string& server_name = "") {
  ClusterTlsSettings s;
  s.mode = ClusterMtlsMode::kPki;
  s.cert_pem = leaf.cert_pem;
  s.key_pem = leaf.key_pem;
  s.ca_pem = Pki().ca.cert_pem;
  s.server_name = server_name;
  return s;
}

}  // namespace

TEST_SUITE("dataplane") {
  TEST_CASE("outlet client: upgrade, basic_info, apply, pings with the applied hash, skip") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      FakeControlPlane cp(l, Shared(Pki().shared));
      Dp dp;
      dp.Start(l, Shared(Pki().shared), cp.address());
      REQUIRE(WaitUntil(l, [&] { return !cp.links.empty() && !cp.last().pings.empty(); }));
      CHECK(dp.client->connected());
      CHECK(dp.links == std::vector<bool>{true});
      FakeLink& link = cp.last();
      auto params = kong::cluster::ParseNodeParams(link.target);
      REQUIRE_OK(params.status());
      CHECK(params->id == "0b7ca6a4-3e49-4c2e-8a94-0f5b0b5e0d11");
      CHECK(params->hostname == "dp-host");
      CHECK(params->version == "3.10.0");
      REQUIRE(link.messages.size() == 1);
      auto info = kong::cluster::ParseBasicInfo(link.messages[0]);
      REQUIRE_OK(info.status());
      REQUIRE(info->plugins.size() == 1);
      CHECK(info->plugins[0].name == "key-auth");
      CHECK(link.pings[0] == std::string(kong::cluster::kEmptyConfigHash));

      auto push = MakePush(ServiceConfig("s1"));
      cp.Push(push.payload);
      REQUIRE(WaitUntil(l, [&] { return link.pings.size() >= 2; }));
      CHECK(dp.applied == std::vector<std::string>{push.hash});
      CHECK(link.pings.back() == push.hash);  // the ping right after the apply
      CHECK(dp.client->applied_hash() == push.hash);

      // The same hash again: no apply, but the ping still confirms it.
      cp.Push(push.payload);
      REQUIRE(WaitUntil(l, [&] { return link.pings.size() >= 3; }));
      CHECK(dp.applied.size() == 1);
      CHECK(link.pings.back() == push.hash);

      // A config the DP's apply rejects keeps the old hash and the link.
      dp.next_result = Status::InvalidArgument("declarative config is invalid: {}");
      auto bad = MakePush(ServiceConfig("s2"));
      cp.Push(bad.payload);
      REQUIRE(WaitUntil(l, [&] { return dp.Logged("bad config received from control plane"); }));
      CHECK(dp.client->applied_hash() == push.hash);
      CHECK(dp.client->connected());
      CHECK(cp.open_links() == 1);

      dp.client.reset();
      cp.Close();
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("outlet client: of payloads that arrive together only the newest is applied") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      FakeControlPlane cp(l, Shared(Pki().shared));
      Dp dp;
      dp.Start(l, Shared(Pki().shared), cp.address());
      REQUIRE(WaitUntil(l, [&] { return !cp.links.empty() && !cp.last().pings.empty(); }));
      auto first = MakePush(ServiceConfig("s1"));
      auto second = MakePush(ServiceConfig("s2"));
      // One loop turn writes both, so the DP reads both before it gets to apply.
      cp.Push(first.payload);
      cp.Push(second.payload);
      REQUIRE(WaitUntil(l, [&] { return dp.client->applied_hash() == second.hash; }));
      CHECK(dp.applied == std::vector<std::string>{second.hash});
      dp.client.reset();
      cp.Close();
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("outlet client: reconnects after the CP drops the link and after silence") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      FakeControlPlane cp(l, Shared(Pki().shared));
      Dp dp;
      SUBCASE("link dropped") {
        dp.Start(l, Shared(Pki().shared), cp.address());
        REQUIRE(WaitUntil(l, [&] { return !cp.links.empty() && !cp.last().pings.empty(); }));
        auto push = MakePush(ServiceConfig("s1"));
        cp.Push(push.payload);
        REQUIRE(WaitUntil(l, [&] { return dp.applied.size() == 1; }));
        cp.DropAll();
        REQUIRE(WaitUntil(l, [&] { return cp.links.size() == 2 && !cp.last().pings.empty(); }));
        CHECK(dp.Logged("connection to control plane wss://" + cp.address() + "/v1/outlet broken"));
        CHECK(dp.links == std::vector<bool>{true, false, true});
        CHECK(cp.resumed == 1);  // the reconnect resumed the TLS session (session_key)
        // basic_info is sent again, and the first ping already carries the applied hash.
        CHECK(cp.last().messages.size() == 1);
        CHECK(cp.last().pings[0] == push.hash);
        // A CP resending the same config (as Kong does on every connect) is skipped.
        cp.Push(push.payload);
        REQUIRE(WaitUntil(l, [&] { return cp.last().pings.size() >= 2; }));
        CHECK(dp.applied.size() == 1);
      }
      SUBCASE("pings every ping_interval_ms") {
        dp.Start(l, Shared(Pki().shared), cp.address(), 16 << 20,
                 [](OutletClientOptions& o) { o.ping_interval_ms = 20; });
        REQUIRE(WaitUntil(l, [&] { return !cp.links.empty() && cp.last().pings.size() >= 4; }));
        CHECK(cp.links.size() == 1);
        for (const auto& p : cp.last().pings) {
          CHECK(p == std::string(kong::cluster::kEmptyConfigHash));
        }
      }
      SUBCASE("no frame for ping_wait_ms") {
        dp.Start(l, Shared(Pki().shared), cp.address(), 16 << 20, [](OutletClientOptions& o) {
          o.ping_interval_ms = 600000;
          o.ping_wait_ms = 150;
        });
        REQUIRE(WaitUntil(l, [&] { return cp.links.size() >= 2; }));
        CHECK(dp.Logged("no frame from the control plane"));
      }
      dp.client.reset();
      cp.Close();
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("outlet client: an oversized payload is refused and the old config stays") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      FakeControlPlane cp(l, Shared(Pki().shared));
      Dp dp;
      const size_t max_payload = 64 * 1024;
      dp.Start(l, Shared(Pki().shared), cp.address(), max_payload);
      REQUIRE(WaitUntil(l, [&] { return !cp.links.empty() && !cp.last().pings.empty(); }));
      auto good = MakePush(ServiceConfig("s1"));
      cp.Push(good.payload);
      REQUIRE(WaitUntil(l, [&] { return dp.applied.size() == 1; }));
      // Small on the wire (gzip), over the limit once inflated.
      auto big = MakePush(R"({"_format_version":"3.0","_comment":")" +
                          std::string(2 * max_payload, 'a') + R"("})");
      REQUIRE(big.payload.size() < max_payload);
      cp.Push(big.payload);
      REQUIRE(WaitUntil(l, [&] { return dp.Logged("payload too big"); }));
      CHECK(dp.applied.size() == 1);
      CHECK(dp.client->applied_hash() == good.hash);
      dp.client.reset();
      cp.Close();
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("outlet client: control planes with the wrong certificate are refused") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      std::unique_ptr<FakeControlPlane> cp;
      Dp dp;
      std::string reason;
      SUBCASE("shared mode, a different certificate") {
        cp = std::make_unique<FakeControlPlane>(l, Shared(Pki().other_shared));
        dp.Start(l, Shared(Pki().shared), cp->address());
        reason = "broken";
      }
      SUBCASE("shared mode, an expired certificate") {
        cp = std::make_unique<FakeControlPlane>(l, Shared(Pki().expired_shared));
        dp.Start(l, Shared(Pki().expired_shared), cp->address());
        reason = "expired";
      }
      SUBCASE("pki mode, a server name that does not match") {
        cp = std::make_unique<FakeControlPlane>(l, PkiSettings(Pki().cp));
        dp.Start(l, PkiSettings(Pki().dp, "other.example"), cp->address());
        reason = "broken";
      }
      // Two refused attempts: the refusal is stable, and nothing reached HTTP.
      REQUIRE(WaitUntil(l, [&] { return cp->accepted >= 2 && dp.Logged(reason); }));
      CHECK(cp->requests == 0);
      CHECK(cp->links.empty());
      CHECK(dp.applied.empty());
      CHECK_FALSE(dp.client->connected());
      dp.client.reset();
      cp->Close();
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("outlet client: pki mode with cluster_server_name, and an openssl-made shared pair") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    kong::test::TempDir dir;
    {
      std::unique_ptr<FakeControlPlane> cp;
      Dp dp;
      SUBCASE("pki") {
        cp = std::make_unique<FakeControlPlane>(l, PkiSettings(Pki().cp));
        dp.Start(l, PkiSettings(Pki().dp, "cp.example"), cp->address());
      }
      SUBCASE("openssl") {
        auto pair = kong::test::OpenSslSharedCert(dir.path());
        REQUIRE_OK(pair.status());
        cp = std::make_unique<FakeControlPlane>(l, Shared(*pair));
        dp.Start(l, Shared(*pair), cp->address());
      }
      REQUIRE(WaitUntil(l, [&] { return !cp->links.empty() && !cp->last().pings.empty(); }));
      auto push = MakePush(ServiceConfig("s1"));
      cp->Push(push.payload);
      REQUIRE(WaitUntil(l, [&] { return dp.applied.size() == 1; }));
      CHECK(dp.applied[0] == push.hash);
      dp.client.reset();
      cp->Close();
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
