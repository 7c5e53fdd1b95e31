// A data plane with several control planes (cluster_control_plane = "a:port,b:port"): list
// parsing, failover to the next CP on refusal, TLS failure and loss of the link, the config
// kept throughout, and retries spaced by the backoff when every CP is down.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/outlet_client.h"
#include "json/value.h"
#include "kong/conf.h"
#include "support/test_support.h"
#include "unit/dataplane/data_plane_node.h"
#include "unit/dataplane/fake_control_plane.h"
#include "unit/dataplane/outlet_dp.h"
#include "unit/net/loopback_peer.h"
#include "unit/tls/test_certs.h"

using kong::EventLoop;
using kong::LogLevel;
using kong::StatusCode;
using kong::dataplane::OutletClientOptions;
using kong::dataplane::ParseControlPlanes;
using kong::test::ClosedPort;
using kong::test::DpConf;
using kong::test::FakeControlPlane;
using kong::test::Get;
using kong::test::HashAtStatus;
using kong::test::MakePush;
using kong::test::Node;
using kong::test::OutletDp;
using kong::test::Pki;
using kong::test::ServiceConfig;
using kong::test::TempDir;
using kong::test::WaitUntil;
using std::chrono::milliseconds;

namespace {

using Clock = std::chrono::steady_clock;

std::string Uri(const std::string& address) { return "wss://" + address + "/v1/outlet"; }

// Backoff windows far longer than WaitUntil's deadline: a DP that reaches the next CP in time
// must have failed over, not waited out a backoff.
void FailoverOnly(OutletClientOptions& o) {
  o.backoff.min_delay = milliseconds(60000);
  o.backoff.max_delay = milliseconds(120000);
  o.backoff.failover_spread = milliseconds(20);
}

// DpConf with a proxy on a loopback port (valid for a data plane whether or not
// proxy_listen = off is).
kong::Result<kong::Conf> ListConf(const TempDir& dir, const std::string& control_planes) {
  return DpConf(dir, control_planes,
                {{"proxy_listen", "127.0.0.1:0"}, {"nginx_worker_processes", "1"}});
}

// The `connected_control_plane` member of the DP's /status.
kong::json::Value ControlPlaneAtStatus(EventLoop& loop, uint16_t port) {
  auto [status, body] = Get(loop, port, "/status");
  REQUIRE(status == 200);
  auto v = kong::json::Parse(body);
  REQUIRE_OK(v.status());
  const kong::json::Value* cp = v->Find("connected_control_plane");
  REQUIRE(cp != nullptr);
  return *cp;
}

}  // namespace

TEST_SUITE("dataplane") {
  TEST_CASE("cluster_control_plane lists parse, and errors name the bad entry") {
    auto one = ParseControlPlanes("cp1.example:8005");
    REQUIRE_OK(one.status());
    REQUIRE(one->size() == 1);
    CHECK((*one)[0].host == "cp1.example");
    CHECK((*one)[0].port == 8005);

    auto three = ParseControlPlanes(" cp1.example:8005 , [::1]:9005,10.0.0.3:1,");
    REQUIRE_OK(three.status());
    REQUIRE(three->size() == 3);
    CHECK((*three)[0].text == "cp1.example:8005");
    CHECK((*three)[1].host == "::1");
    CHECK((*three)[1].port == 9005);
    CHECK((*three)[1].text == "[::1]:9005");
    CHECK((*three)[2].port == 1);

    struct Bad {
      const char* value;
      const char* message;
    };
    for (const Bad& bad : {
             Bad{"cp1:8005,cp2", "cluster_control_plane: expected host:port, got 'cp2'"},
             Bad{"cp1:8005, cp2:80x", "cluster_control_plane: bad port in 'cp2:80x'"},
             Bad{"cp1:8005,cp2:0", "cluster_control_plane: bad port in 'cp2:0'"},
             Bad{"cp1:8005,cp2:65536", "cluster_control_plane: bad port in 'cp2:65536'"},
             Bad{"cp1:8005,:8005", "cluster_control_plane: expected host:port, got ':8005'"},
             Bad{"cp1:8005,::1:8005",
                 "cluster_control_plane: IPv6 addresses need brackets: '::1:8005'"},
             Bad{"[::1:8005,cp2:1", "cluster_control_plane: bad IPv6 literal in '[::1:8005'"},
             Bad{" , ", "cluster_control_plane: expected host:port, got ''"},
         }) {
      CAPTURE(bad.value);
      auto parsed = ParseControlPlanes(bad.value);
      REQUIRE_FALSE(parsed.ok());
      CHECK(parsed.status().code() == StatusCode::kInvalidArgument);
      CHECK(parsed.status().message() == bad.message);
    }

    // kong.conf refuses a bad list for a data plane (Kong itself finds out only when it
    // connects), naming the entry.
    TempDir dir;
    auto conf = ListConf(dir, "127.0.0.1:8005,cp2.example:http");
    REQUIRE_FALSE(conf.ok());
    CHECK(conf.status().message().find("cluster_control_plane: bad port in 'cp2.example:http'") !=
          std::string::npos);
    CHECK_OK(ListConf(dir, "127.0.0.1:8005, cp2.example:8005").status());
  }

  TEST_CASE("failover: the first control plane refuses, the DP connects to the second") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      FakeControlPlane second(l, FakeControlPlane::Shared(Pki().shared));
      std::unique_ptr<FakeControlPlane> refusing;
      std::string first;
      SUBCASE("connection refused") { first = "127.0.0.1:" + std::to_string(ClosedPort(l)); }
      SUBCASE("TLS handshake refused (another cluster's certificate)") {
        refusing =
            std::make_unique<FakeControlPlane>(l, FakeControlPlane::Shared(Pki().other_shared));
        first = refusing->address();
      }
      OutletDp dp;
      dp.Start(l, FakeControlPlane::Shared(Pki().shared), first + "," + second.address(),
               16 << 20, FailoverOnly);
      REQUIRE(WaitUntil(l, [&] { return dp.client->connected(); }));
      CHECK(dp.client->connected_control_plane() == second.address());
      CHECK(dp.Logged("connection to control plane " + Uri(first) + " broken"));
      CHECK(dp.Logged("(failing over to control plane " + Uri(second.address()) + " after"));
      CHECK(second.links.size() == 1);
      if (refusing) {
        CHECK(refusing->accepted >= 1);
        CHECK(refusing->requests == 0);  // refused in the handshake, before any HTTP
      }
      dp.client.reset();
      second.Close();
      if (refusing) refusing->Close();
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("failover: the connected control plane goes away, the DP moves on with its config") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      FakeControlPlane a(l, FakeControlPlane::Shared(Pki().shared));
      FakeControlPlane b(l, FakeControlPlane::Shared(Pki().shared));
      const std::string a_address = a.address();  // Close() forgets the port
      OutletDp dp;
      std::string why;
      SUBCASE("the CP closes the link and stops listening") {
        dp.Start(l, FakeControlPlane::Shared(Pki().shared), a.address() + "," + b.address(),
                 16 << 20, FailoverOnly);
        why = "closed";
      }
      SUBCASE("the CP falls silent for ping_wait_ms") {
        dp.Start(l, FakeControlPlane::Shared(Pki().shared), a.address() + "," + b.address(),
                 16 << 20, [](OutletClientOptions& o) {
                   FailoverOnly(o);
                   o.ping_interval_ms = 600000;  // no pings, so no pongs: silence
                   o.ping_wait_ms = 1000;
                 });
        why = "no frame from the control plane";
      }
      // The first entry is tried first.
      REQUIRE(WaitUntil(l, [&] { return !a.links.empty() && !a.last().pings.empty(); }));
      CHECK(dp.client->connected_control_plane() == a.address());
      auto push = MakePush(ServiceConfig("s1"));
      a.Push(push.payload);
      REQUIRE(WaitUntil(l, [&] { return dp.applied.size() == 1; }));
      CHECK(b.accepted == 0);

      const bool a_closed = why == "closed";
      if (a_closed) a.Close();
      REQUIRE(WaitUntil(l, [&] { return !b.links.empty() && !b.last().pings.empty(); }));
      CHECK(dp.client->connected_control_plane() == b.address());
      CHECK(dp.Logged("connection to control plane " + Uri(a_address) + " broken: " +
                      (a_closed ? "" : why)));
      CHECK(dp.links == std::vector<bool>{true, false, true});
      // Nothing was dropped on the way: the first ping to B carries the config A sent.
      CHECK(b.last().pings[0] == push.hash);
      CHECK(dp.client->applied_hash() == push.hash);
      CHECK(dp.applied.size() == 1);
      // B sends the same config (as every CP does on connect): recognized, not applied again.
      b.Push(push.payload);
      REQUIRE(WaitUntil(l, [&] { return b.last().pings.size() >= 2; }));
      CHECK(dp.applied.size() == 1);
      dp.client.reset();
      if (!a_closed) a.Close();
      b.Close();
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("failover: with every control plane down, retries alternate and back off") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      const std::string a = "127.0.0.1:" + std::to_string(ClosedPort(l));
      const std::string b = "127.0.0.1:" + std::to_string(ClosedPort(l));
      const milliseconds min_delay(100);
      OutletDp dp;
      std::vector<Clock::time_point> failed_at;  // one per failed attempt
      std::vector<std::string> failed_lines;
      const Clock::time_point start = Clock::now();
      dp.Start(l, FakeControlPlane::Shared(Pki().shared), a + "," + b, 16 << 20,
               [&](OutletClientOptions& o) {
                 o.backoff.min_delay = min_delay;
                 o.backoff.max_delay = milliseconds(400);
                 o.backoff.failover_spread = milliseconds(0);  // the next CP at once
                 o.log = [&](LogLevel, std::string_view line) {
                   if (line.find(" broken: ") == std::string_view::npos) return;
                   failed_at.push_back(Clock::now());
                   failed_lines.emplace_back(line);
                 };
               });
      const size_t kFailures = 6;  // three rounds over the two CPs
      REQUIRE(WaitUntil(l, [&] { return failed_at.size() >= kFailures; }, 10000));
      const Clock::time_point end = failed_at[kFailures - 1];
      dp.client.reset();

      for (size_t i = 0; i < kFailures; ++i) {
        CAPTURE(failed_lines[i]);
        // A, B, A, B...: each round tries every entry once, in list order.
        CHECK(failed_lines[i].find(Uri(i % 2 == 0 ? a : b) + " broken") != std::string::npos);
      }
      // After each full round, the backoff (>= min_delay; half of it allows for libuv's
      // cached loop time): a tight loop over dead CPs would fail here.
      for (size_t i = 2; i < kFailures; i += 2) {
        CHECK(failed_at[i] - failed_at[i - 1] >= min_delay / 2);
        CHECK(failed_lines[i - 1].find("after 0.") != std::string::npos);  // 100-400 ms
      }
      // At most one round per min_delay, however slow or fast the machine.
      const double windows = std::chrono::duration<double>(end - start) / min_delay;
      CHECK(static_cast<double>(kFailures) <= 2 * (windows + 1));
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("data plane: names the CP it follows, fails over, keeps serving with all CPs down") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    TempDir dir;
    {
      FakeControlPlane a(l, FakeControlPlane::Shared(Pki().shared));
      FakeControlPlane b(l, FakeControlPlane::Shared(Pki().shared));
      auto conf = ListConf(dir, a.address() + ", " + b.address());
      REQUIRE_OK(conf.status());
      Node n;
      n.Start(l, std::move(conf).value());
      const uint16_t status_port = n.dp->status_ports().at(0);
      REQUIRE(WaitUntil(l, [&] { return n.dp->connected(); }));
      CHECK(n.dp->connected_control_plane() == a.address());
      CHECK(ControlPlaneAtStatus(l, status_port).as_string() == a.address());
      auto push = MakePush(ServiceConfig("s1"));
      a.Push(push.payload);
      REQUIRE(WaitUntil(l, [&] { return n.dp->config_hash() == push.hash; }));

      // A goes away: B within the failover spread (1 s), long before the 5-10 s backoff.
      a.Close();
      REQUIRE(WaitUntil(l, [&] { return n.dp->connected_control_plane() == b.address(); }));
      CHECK(ControlPlaneAtStatus(l, status_port).as_string() == b.address());
      CHECK(n.dp->config_hash() == push.hash);

      // B goes away too: nothing to connect to, and the config keeps serving.
      b.Close();
      REQUIRE(WaitUntil(l, [&] { return !n.dp->connected(); }));
      CHECK(n.dp->connected_control_plane().empty());
      CHECK(ControlPlaneAtStatus(l, status_port).is_null());
      CHECK(n.dp->ready());
      CHECK(n.dp->config_hash() == push.hash);
      CHECK(HashAtStatus(l, status_port) == push.hash);
      CHECK(Get(l, status_port, "/status/ready").first == 200);
      n.Stop(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
