// Active health checks against real loopback HTTP upstreams.
#include "balancer/health_checker.h"

#include <string>
#include <vector>

#include "net/listener.h"
#include "tls/tls_transport.h"
#include "unit/http/http_test_util.h"
#include "unit/tls/test_certs.h"

using kong::EventLoop;
using kong::balancer::BalancerSet;
using kong::balancer::HealthChecker;
using kong::balancer::UpstreamBalancer;
using kong::http::Request;
using kong::http::Response;
using kong::http::ResponseWriter;
using kong::test::TestServer;
using kong::test::WaitUntil;

namespace {

std::shared_ptr<const BalancerSet> Build(const std::string& upstreams, const std::string& targets) {
  auto cfg = kong::json::Parse(R"({"upstreams":)" + upstreams + R"(,"targets":)" + targets + "}");
  REQUIRE_MESSAGE(cfg.ok(), cfg.status().ToString());
  auto set = BalancerSet::Build(*cfg);
  REQUIRE_MESSAGE(set.ok(), set.status().ToString());
  return *set;
}

std::string Target(const std::string& upstream, uint16_t port) {
  return R"({"target":"127.0.0.1:)" + std::to_string(port) + R"(","upstream":{"id":")" + upstream +
         R"("}})";
}

}  // namespace

TEST_SUITE("balancer") {
  TEST_CASE("active checks: 500s make a target unhealthy, 200s bring it back") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      bool failing = true;
      std::vector<std::string> seen;
      TestServer srv(l, {}, [&](Request& r, ResponseWriter& w) {
        seen.push_back(r.method + " " + r.target + " " + std::string(*r.headers.Get("Host")));
        w.Send(Response::Text(failing ? 500 : 200, "ok"));
      });
      auto set = Build(R"([{"id":"u1","name":"web","healthchecks":{"active":{
          "http_path":"/status","timeout":1,
          "healthy":{"interval":0.02,"successes":2},
          "unhealthy":{"interval":0.02,"http_failures":2}}}}])",
                       "[" + Target("u1", srv.port) + "]");
      const UpstreamBalancer& web = *set->Find("web");
      std::vector<bool> flips;
      auto checker = std::make_unique<HealthChecker>(
          l, set, [&](const UpstreamBalancer& u, uint32_t i, bool healthy) {
            CHECK(&u == &web);
            CHECK(i == 0);
            flips.push_back(healthy);
          });
      CHECK(checker->probe_count() == 1);
      CHECK(web.healthy(0));
      CHECK(WaitUntil(l, [&] { return !web.healthy(0); }));
      CHECK(checker->probes_done() == 2);  // exactly http_failures probes
      REQUIRE_FALSE(seen.empty());
      CHECK(seen[0] == "GET /status 127.0.0.1");
      CHECK(
          set->HealthView().Find("web")->Find("data")->as_array()[0].Find("health")->as_string() ==
          "UNHEALTHY");
      kong::balancer::PickState s;
      CHECK_FALSE(web.Pick({}, s).ok());

      failing = false;
      CHECK(WaitUntil(l, [&] { return web.healthy(0); }));
      CHECK(checker->probes_done() == 4);
      CHECK(flips == std::vector<bool>{false, true});
      CHECK(
          set->HealthView().Find("web")->Find("data")->as_array()[0].Find("health")->as_string() ==
          "HEALTHY");
      checker.reset();
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("active checks: refused connections and timeouts count; interval 0 probes nothing") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      uint16_t closed_port;
      {
        TestServer gone(l, {},
                        [](Request&, ResponseWriter& w) { w.Send(Response::Text(200, "")); });
        closed_port = gone.port;
        gone.Close(l);
      }
      std::vector<ResponseWriter> held;  // never answered: the probe times out
      TestServer silent(l, {}, [&](Request&, ResponseWriter& w) { held.push_back(w); });
      auto set = Build(R"([{"id":"u1","name":"refused","healthchecks":{"active":{
          "healthy":{"interval":0.02},"unhealthy":{"tcp_failures":2}}}},
        {"id":"u2","name":"slow","healthchecks":{"active":{"timeout":0.05,
          "healthy":{"interval":0.02},"unhealthy":{"timeouts":1}}}},
        {"id":"u3","name":"off","healthchecks":{"active":{
          "unhealthy":{"http_failures":1}}}}])",
                       "[" + Target("u1", closed_port) + "," + Target("u2", silent.port) + "," +
                           Target("u3", silent.port) + "]");
      auto checker = std::make_unique<HealthChecker>(l, set);
      CHECK(checker->probe_count() == 2);  // "off" has both intervals at 0 (Kong's default)
      CHECK(WaitUntil(
          l, [&] { return !set->Find("refused")->healthy(0) && !set->Find("slow")->healthy(0); }));
      CHECK(set->Find("off")->healthy(0));
      CHECK(
          set->HealthView().Find("off")->Find("data")->as_array()[0].Find("health")->as_string() ==
          "HEALTHCHECKS_OFF");  // no interval, no passive threshold: Kong's wording
      checker.reset();
      held.clear();
      silent.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("active checks over https: verified and unverified probes") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      const kong::test::TestPki& pki = kong::test::Pki();  // server: self-signed CN=localhost
      kong::tls::TlsContextOptions so;
      so.role = kong::tls::TlsRole::kServer;
      so.cert_chain_pem = pki.server.cert_pem;
      so.key_pem = pki.server.key_pem;
      so.verify = kong::tls::VerifyMode::kNone;
      auto server_ctx = kong::tls::TlsContext::Create(so);
      REQUIRE_OK(server_ctx.status());
      std::vector<std::string> seen;
      auto http = kong::http::Server::Create(l, {}, [&](Request& r, ResponseWriter& w) {
        seen.push_back(std::string(*r.headers.Get("Host")));
        w.Send(Response::Text(500, "down"));
      });
      REQUIRE_OK(http.status());
      kong::http::Server& hs = **http;
      auto spec = kong::net::ParseListenSpec("127.0.0.1:0");
      auto listener =
          kong::net::Listener::Create(l, *spec, [&](std::unique_ptr<kong::net::Transport> raw) {
            auto t = kong::tls::TlsTransport::Create(*server_ctx, std::move(raw));
            REQUIRE_OK(t.status());
            hs.Serve(std::move(t).value());
          });
      REQUIRE_OK(listener.status());
      uint16_t port = (*listener)->bound_port();

      kong::balancer::HealthCheckerOptions ho;
      kong::tls::TlsContextOptions verify;  // trusts the server's self-signed certificate
      verify.ca_pem = pki.server.cert_pem;
      auto verify_ctx = kong::tls::TlsContext::Create(verify);
      REQUIRE_OK(verify_ctx.status());
      ho.https_verify = *verify_ctx;
      kong::tls::TlsContextOptions no_verify;
      no_verify.verify = kong::tls::VerifyMode::kNone;
      auto no_verify_ctx = kong::tls::TlsContext::Create(no_verify);
      REQUIRE_OK(no_verify_ctx.status());
      ho.https_no_verify = *no_verify_ctx;

      // "named": SNI localhost matches the certificate, so the probe reaches HTTP (500s).
      // "wrong": SNI other.example fails verification: tcp failures. "plain": no verification.
      auto set = Build(
          R"([{"id":"u1","name":"named","healthchecks":{"active":{"type":"https",
          "https_sni":"localhost","healthy":{"interval":0.02},"unhealthy":{"http_failures":2}}}},
        {"id":"u2","name":"wrong","healthchecks":{"active":{"type":"https",
          "https_sni":"other.example","healthy":{"interval":0.02},"unhealthy":{"tcp_failures":2}}}},
        {"id":"u3","name":"plain","healthchecks":{"active":{"type":"https",
          "https_verify_certificate":false,
          "healthy":{"interval":0.02},"unhealthy":{"http_failures":1}}}}])",
          "[" + Target("u1", port) + "," + Target("u2", port) + "," + Target("u3", port) + "]");
      auto checker = std::make_unique<HealthChecker>(l, set, HealthChecker::OnChange{}, ho);
      CHECK(checker->probe_count() == 3);
      CHECK(WaitUntil(l, [&] {
        return !set->Find("named")->healthy(0) && !set->Find("wrong")->healthy(0) &&
               !set->Find("plain")->healthy(0);
      }));
      // Only the two upstreams whose handshakes succeed got HTTP requests through: 2 + 1.
      CHECK(seen.size() == 3);
      CHECK(std::count(seen.begin(), seen.end(), "127.0.0.1") == 3);
      checker.reset();
      bool closed = false;
      (*listener).reset();
      hs.Close([&] { closed = true; });
      CHECK(WaitUntil(l, [&] { return closed; }));
      http->reset();
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
