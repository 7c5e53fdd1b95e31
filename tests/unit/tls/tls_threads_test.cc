// One TlsContext pair shared by connections on two loop threads at once (THREADING_C, DRBGs).
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "unit/net/loopback_peer.h"
#include "unit/tls/test_certs.h"
#include "unit/tls/tls_loopback.h"

using kong::EventLoop;
using kong::test::Pki;
using kong::test::TlsEndpoint;
using kong::test::TlsServer;
using kong::test::WaitUntil;
using kong::tls::TlsContext;
using kong::tls::TlsContextOptions;
using kong::tls::TlsRole;
using kong::tls::VerifyMode;

TEST_SUITE("tls") {
  TEST_CASE("contexts are shared by loops on several threads") {
    TlsContextOptions so;
    so.role = TlsRole::kServer;
    so.cert_chain_pem = Pki().shared.cert_pem;
    so.key_pem = Pki().shared.key_pem;
    so.ca_pem = Pki().shared.cert_pem;
    so.verify = VerifyMode::kOptional;
    auto server_ctx = TlsContext::Create(so);
    REQUIRE_OK(server_ctx.status());
    TlsContextOptions co;
    co.cert_chain_pem = Pki().shared.cert_pem;
    co.key_pem = Pki().shared.key_pem;
    co.ca_pem = Pki().shared.cert_pem;
    co.server_name = "kong_clustering";
    auto client_ctx = TlsContext::Create(co);
    REQUIRE_OK(client_ctx.status());

    constexpr int kThreads = 2, kConnections = 4;
    std::atomic<int> echoed{0}, resumed{0}, clean{0};
    auto worker = [&](int index) {
      auto loop = EventLoop::Create();
      if (!loop.ok()) return;
      EventLoop& l = **loop;
      {
        auto server = TlsServer::Listen(l, *server_ctx);
        server->configure = [](TlsEndpoint& ep) {
          ep.on_data = [&ep](std::string_view d) { (void)ep.transport->Write(std::string(d)); };
        };
        std::vector<std::unique_ptr<TlsEndpoint>> clients;
        for (int i = 0; i < kConnections; ++i) {
          kong::tls::TlsTransportOptions o;
          o.session_key = "shared-cp:8005";  // one key: the sessions cross threads
          auto c = kong::test::ConnectTls(l, server->port(), *client_ctx, o);
          if (c == nullptr) return;
          std::string msg = "thread " + std::to_string(index) + " conn " + std::to_string(i);
          (void)c->transport->Write(msg);
          TlsEndpoint* ep = c.get();
          clients.push_back(std::move(c));
          if (WaitUntil(
                  l, [&] { return ep->received == msg; }, 20000))
            ++echoed;
          if (ep->transport->session_resumed()) ++resumed;
        }
      }
      if (kong::test::AllHandlesClosed(l)) ++clean;
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) threads.emplace_back(worker, i);
    for (auto& t : threads) t.join();
    CHECK(echoed == kThreads * kConnections);
    CHECK(clean == kThreads);
    // Every connection but the very first may resume; the first of each thread can race.
    CHECK(resumed >= kThreads * kConnections - kThreads);
  }
}
