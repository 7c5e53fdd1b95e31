// OutletServer over real loopback sockets: a data plane written for the test connects with
// mTLS, upgrades /v1/outlet, sends basic_info, receives reconfigure pushes and pings; every
// certificate refusal happens before a byte of configuration leaves the CP.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "cluster/outlet_server.h"
#include "support/json_test_support.h"
#include "tls/certificate_info.h"
#include "unit/cluster/outlet_test_support.h"
#include "unit/net/loopback_peer.h"

namespace kong::cluster {
namespace {

using kong::test::J;
using kong::test::Pki;
using kong::test::S;
using kong::test::WaitUntil;
using store::test::ForEachBackend;
using store::test::TestDatabase;
using test::CpEnv;
using test::DpClientOptions;
using test::DpClientOptionsPresenting;
using test::PkiSettings;
using test::SharedSettings;
using test::TestDp;

constexpr char kDpId[] = "2d1c7e5e-5b2a-4f3e-9c1d-0a1b2c3d4e5f";

NodeParams Node(const std::string& version = "3.10.0") { return {kDpId, "dp-host", version}; }

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The refusal contract: no HTTP answer at all (so no 101 and no reconfigure), the connection
// closed, nothing registered, and the reason in the CP's log.
void CheckRefused(CpEnv& env, TestDp& dp, const std::string& reason) {
  REQUIRE(dp.response().has_value());
  CHECK_FALSE(dp.response()->ok());
  CHECK_FALSE(dp.upgraded());
  CHECK(dp.binaries().empty());
  CHECK(WaitUntil(env.loop(), [&] { return dp.gone(); }));
  CHECK(env.cp().server().stats().links == 0);
  CHECK(env.cp().server().stats().pushes == 0);
  CHECK(env.cp().server().stats().refused_handshakes == 1);
  CHECK_MESSAGE(env.cp().Logged(reason), env.cp().AllLogs());
  CHECK_FALSE(env.Row(kDpId).has_value());
}

TEST_SUITE("cluster_cp") {
  TEST_CASE("a shared-mode DP gets the config at once, pings are answered and recorded") {
    ForEachBackend([](TestDatabase& db) {
      CpEnv env(db, SharedSettings(Pki().shared));
      TestDp dp(env.loop());
      dp.Connect(env.port(), DpClientOptions(SharedSettings(Pki().shared)), Node());
      REQUIRE_MESSAGE(dp.upgraded(), env.cp().AllLogs());
      dp.OpenWebSocket();
      BasicInfo info;
      info.plugins = {{"test-plugin", "3.10.0"}};
      info.labels = J(R"({"region":"eu"})");
      dp.SendBasicInfo(info);

      dp.WaitBinaries(1);
      auto current = env.cp().publisher().current();
      REQUIRE(current != nullptr);
      Reconfigure first = dp.Decoded(0);
      CHECK(first.config_hash == current->config_hash);
      CHECK(dp.binaries()[0] == current->payload);  // the publisher's bytes, not re-encoded
      CHECK(env.cp().server().stats().links == 1);
      CHECK(env.cp().server().stats().pushes == 1);
      CHECK(env.cp().server().stats().bytes_pushed == current->payload.size());

      const int64_t version_before = env.ConfigVersion();
      dp.Ping(first.config_hash);
      REQUIRE(WaitUntil(env.loop(), [&] { return dp.pongs() == 1; }));
      // The ping's upsert was queued before the pong went out, so this read comes after it.
      auto row = env.Row(kDpId);
      REQUIRE(row.has_value());
      CHECK(row->config_hash == first.config_hash);
      CHECK(row->hostname == "dp-host");
      CHECK(row->ip == "127.0.0.1");
      CHECK(row->version == "3.10.0");
      CHECK(row->sync_status == "normal");
      CHECK(S(row->labels) == R"({"region":"eu"})");
      auto own = tls::DescribeCertificate(Pki().shared.cert_pem, "shared");
      REQUIRE_OK(own.status());
      CHECK(S(row->cert_details) ==
            R"({"expiry_timestamp":)" + std::to_string(own->not_after) + "}");
      REQUIRE(row->expires_at.has_value());
      CHECK(*row->expires_at >= NowSeconds() + 1209600 - 5);
      // Status writes are not configuration.
      CHECK(env.ConfigVersion() == version_before);

      // An Admin-style change reaches the connected DP.
      env.Insert("services", R"({"name":"pushed","host":"example.com"})");
      dp.WaitBinaries(2);
      Reconfigure second = dp.Decoded(1);
      current = env.cp().publisher().current();
      CHECK(second.config_hash == current->config_hash);
      CHECK(second.config_hash != first.config_hash);
      const json::Value* services = second.config_table.Find("services");
      REQUIRE(services != nullptr);
      REQUIRE(services->as_array().size() == 1);
      CHECK(kong::test::Str(services->as_array()[0], "name") == "pushed");
      CHECK(env.cp().server().stats().pushes == 2);
    });
  }

  TEST_CASE("a DP without a client certificate is refused during the handshake") {
    ForEachBackend([](TestDatabase& db) {
      CpEnv env(db, SharedSettings(Pki().shared));
      TestDp dp(env.loop());
      dp.Connect(env.port(), DpClientOptionsPresenting(SharedSettings(Pki().shared), nullptr),
                 Node());
      CheckRefused(env, dp, "data plane failed to present client certificate during handshake");
    });
  }

  TEST_CASE("a DP presenting another self-signed certificate is refused") {
    ForEachBackend([](TestDatabase& db) {
      CpEnv env(db, SharedSettings(Pki().shared));
      TestDp dp(env.loop());
      dp.Connect(env.port(),
                 DpClientOptionsPresenting(SharedSettings(Pki().shared), &Pki().other_shared),
                 Node());
      CHECK(dp.tls_handshake_done());  // refused by the certificate rule, not by TLS itself
      CheckRefused(env, dp, "data plane presented incorrect client certificate during handshake");
    });
  }

  TEST_CASE("an expired shared certificate is refused even though it is the CP's own") {
    ForEachBackend([](TestDatabase& db) {
      CpEnv env(db, SharedSettings(Pki().expired_shared));
      TestDp dp(env.loop());
      dp.Connect(env.port(),
                 DpClientOptionsPresenting(SharedSettings(Pki().expired_shared),
                                           &Pki().expired_shared),
                 Node());
      CheckRefused(env, dp, "data plane presented an expired client certificate");
    });
  }

  TEST_CASE("a plain TCP client sending HTTP gets no HTTP answer and is logged") {
    ForEachBackend([](TestDatabase& db) {
      CpEnv env(db, SharedSettings(Pki().shared));
      auto peer = kong::test::LoopbackPeer::Connect(env.loop(), env.port());
      REQUIRE(peer != nullptr);
      peer->Send("GET /v1/outlet?node_id=a&node_version=3.10.0 HTTP/1.1\r\nHost: cp\r\n\r\n");
      REQUIRE(WaitUntil(env.loop(), [&] { return peer->closed || peer->eof || peer->error; }));
      CHECK(peer->received.find("HTTP/") == std::string::npos);
      CHECK(env.cp().server().stats().refused_handshakes == 1);
      CHECK(env.cp().server().stats().links == 0);
      CHECK_MESSAGE(env.cp().Logged("refused connection: tls handshake with 127.0.0.1:"),
                    env.cp().AllLogs());
      peer.reset();
    });
  }

  TEST_CASE("pki mode: a DP certificate signed by cluster_ca_cert is accepted") {
    ForEachBackend([](TestDatabase& db) {
      CpEnv env(db, PkiSettings(Pki().cp));
      TestDp dp(env.loop());
      dp.Connect(env.port(), DpClientOptions(PkiSettings(Pki().dp)), Node());
      REQUIRE_MESSAGE(dp.upgraded(), env.cp().AllLogs());
      dp.OpenWebSocket();
      dp.SendBasicInfo(BasicInfo{});
      dp.WaitBinaries(1);
      CHECK(dp.Decoded(0).config_hash == env.cp().publisher().current()->config_hash);
      CHECK(env.cp().server().stats().refused_handshakes == 0);
    });
  }

  TEST_CASE("pki mode: a chain from another CA is refused") {
    ForEachBackend([](TestDatabase& db) {
      CpEnv env(db, PkiSettings(Pki().cp));
      TestDp dp(env.loop());
      dp.Connect(env.port(), DpClientOptionsPresenting(PkiSettings(Pki().dp), &Pki().rogue_dp),
                 Node());
      CheckRefused(env, dp, "client certificate verification failed: certificate is not trusted");
    });
  }

  TEST_CASE("pki mode: an expired CA-signed certificate is refused") {
    ForEachBackend([](TestDatabase& db) {
      CpEnv env(db, PkiSettings(Pki().cp));
      TestDp dp(env.loop());
      dp.Connect(env.port(), DpClientOptionsPresenting(PkiSettings(Pki().dp), &Pki().expired_dp),
                 Node());
      CheckRefused(env, dp, "certificate has expired");
    });
  }

  TEST_CASE("an upgrade without node_id is answered 400 with Kong's message") {
    ForEachBackend([](TestDatabase& db) {
      CpEnv env(db, SharedSettings(Pki().shared));
      TestDp dp(env.loop());
      dp.Upgrade(env.port(), DpClientOptions(SharedSettings(Pki().shared)),
                 "/v1/outlet?node_hostname=h&node_version=3.10.0");
      REQUIRE(dp.response().has_value());
      REQUIRE_OK(dp.response()->status());
      CHECK((*dp.response())->status == 400);
      CHECK((*dp.response())->body == "data plane didn't pass the id");
      CHECK(env.cp().Logged("data plane didn't pass the id"));
      CHECK(env.cp().server().stats().links == 0);
    });
  }

  TEST_CASE("a message over cluster_max_payload closes the link before any config is sent") {
    ForEachBackend([](TestDatabase& db) {
      CpEnv env(db, SharedSettings(Pki().shared),
                [](OutletServerOptions& o) { o.max_payload = 4096; });
      TestDp dp(env.loop());
      dp.Connect(env.port(), DpClientOptions(SharedSettings(Pki().shared)), Node());
      REQUIRE(dp.upgraded());
      dp.OpenWebSocket();
      // A well-formed basic_info that is simply too big.
      BasicInfo info;
      info.labels = json::Value::EmptyObject();
      info.labels.Set("padding", std::string(8192, 'x'));
      dp.SendBasicInfo(info);
      REQUIRE(WaitUntil(env.loop(), [&] { return dp.ws_closed(); }));
      CHECK(dp.binaries().empty());
      CHECK(WaitUntil(env.loop(), [&] { return env.cp().server().stats().links == 0; }));
      CHECK_MESSAGE(env.cp().Logged("payload too big"), env.cp().AllLogs());
      CHECK(env.cp().server().stats().pushes == 0);
    });
  }

  TEST_CASE("a DP of a newer minor version is closed and recorded as kong_version_incompatible") {
    ForEachBackend([](TestDatabase& db) {
      CpEnv env(db, SharedSettings(Pki().shared));
      TestDp dp(env.loop());
      dp.Connect(env.port(), DpClientOptions(SharedSettings(Pki().shared)), Node("3.11.0"));
      REQUIRE(dp.upgraded());
      dp.OpenWebSocket();
      dp.SendBasicInfo(BasicInfo{});
      REQUIRE(WaitUntil(env.loop(), [&] { return dp.ws_closed(); }));
      CHECK(dp.binaries().empty());
      CHECK_MESSAGE(env.cp().Logged("is incompatible with older control plane version"),
                    env.cp().AllLogs());
      auto row = env.Row(kDpId);
      REQUIRE(row.has_value());
      CHECK(row->sync_status == "kong_version_incompatible");
    });
  }

  TEST_CASE("a DP missing a configured plugin stays connected but gets no config") {
    ForEachBackend([](TestDatabase& db) {
      CpEnv env(db, SharedSettings(Pki().shared), [](OutletServerOptions& o) {
        o.cp_plugins = {{"test-plugin", "3.10.0"}};
      });
      env.Insert("plugins", R"({"name":"test-plugin"})");
      REQUIRE(WaitUntil(env.loop(), [&] {
        return env.cp().publisher().current()->configured_plugins.count("test-plugin") == 1;
      }));
      TestDp dp(env.loop());
      dp.Connect(env.port(), DpClientOptions(SharedSettings(Pki().shared)), Node());
      REQUIRE(dp.upgraded());
      dp.OpenWebSocket();
      dp.SendBasicInfo(BasicInfo{});  // no plugins at all
      dp.Ping(std::string(kEmptyConfigHash));
      REQUIRE(WaitUntil(env.loop(), [&] { return dp.pongs() == 1; }));
      CHECK(dp.binaries().empty());
      CHECK_FALSE(dp.ws_closed());
      CHECK_MESSAGE(env.cp().Logged("unable to send updated configuration to data plane"),
                    env.cp().AllLogs());
      auto row = env.Row(kDpId);
      REQUIRE(row.has_value());
      CHECK(row->sync_status == "plugin_set_incompatible");
      CHECK(row->config_hash == std::string(kEmptyConfigHash));
    });
  }

  TEST_CASE("a silent DP is closed after ping_wait_ms") {
    ForEachBackend([](TestDatabase& db) {
      CpEnv env(db, SharedSettings(Pki().shared),
                [](OutletServerOptions& o) { o.ping_wait_ms = 100; });
      TestDp dp(env.loop());
      dp.Connect(env.port(), DpClientOptions(SharedSettings(Pki().shared)), Node());
      REQUIRE(dp.upgraded());
      dp.OpenWebSocket();
      dp.SendBasicInfo(BasicInfo{});
      dp.WaitBinaries(1);
      REQUIRE(WaitUntil(env.loop(), [&] { return dp.ws_closed(); }));
      CHECK(env.cp().server().stats().links == 0);
      CHECK_MESSAGE(env.cp().Logged("did not receive any frame from data plane"),
                    env.cp().AllLogs());
    });
  }
}

}  // namespace
}  // namespace kong::cluster
