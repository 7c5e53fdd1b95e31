// Kong's cluster_mtls rules end to end over loopback: shared and pki modes, and every refusal.
#include "tls/cluster_trust.h"

#include <string>

#include "support/test_support.h"
#include "unit/net/loopback_peer.h"
#include "unit/tls/test_certs.h"
#include "unit/tls/tls_loopback.h"

using kong::EventLoop;
using kong::Status;
using kong::StatusCode;
using kong::test::Pki;
using kong::test::TestCert;
using kong::test::TlsEndpoint;
using kong::test::TlsServer;
using kong::test::WaitUntil;
using kong::tls::ClusterMtlsMode;
using kong::tls::ClusterTlsSettings;
using kong::tls::ClusterTrust;
using kong::tls::TlsContext;
using kong::tls::TlsContextOptions;
using kong::tls::TlsTransport;

namespace {

ClusterTrust Trust(ClusterMtlsMode mode, const TestCert& own, const std::string& ca_pem = "",
                   const std::string& server_name = "") {
  ClusterTlsSettings s;
  s.mode = mode;
  s.cert_pem = own.cert_pem;
  s.key_pem = own.key_pem;
  s.ca_pem = ca_pem;
  s.server_name = server_name;
  s.control_plane = "cp.example:8005";
  auto trust = ClusterTrust::Create(s);
  REQUIRE_OK(trust.status());
  return std::move(trust).value();
}

std::shared_ptr<const TlsContext> Context(TlsContextOptions o) {
  auto ctx = TlsContext::Create(std::move(o));
  REQUIRE_OK(ctx.status());
  return *ctx;
}

// A CP listener and one DP connection, each applying its ClusterTrust check in on_handshake
// the way the cluster layer does: refuse by closing before any application byte.
struct ClusterRun {
  explicit ClusterRun(EventLoop& loop) : l(loop) {}
  EventLoop& l;
  std::unique_ptr<TlsServer> cp;
  std::unique_ptr<TlsEndpoint> dp;
  Status cp_verdict = Status::Internal("cp check did not run");
  Status dp_verdict = Status::Internal("dp check did not run");

  void Run(const ClusterTrust& cp_trust, TlsContextOptions cp_options, const ClusterTrust& dp_trust,
           TlsContextOptions dp_options) {
    cp = TlsServer::Listen(l, Context(std::move(cp_options)));
    cp->configure = [this, &cp_trust](TlsEndpoint& ep) {
      ep.on_handshake = [this, &cp_trust](TlsTransport& t) {
        cp_verdict = cp_trust.CheckDataPlane(t);
        if (cp_verdict.ok()) {
          CHECK_OK(t.Write("config"));
        } else {
          t.Close();
        }
      };
    };
    dp = kong::test::ConnectTls(l, cp->port(), Context(std::move(dp_options)), {},
                                [this, &dp_trust](TlsEndpoint& ep) {
                                  ep.on_handshake = [this, &dp_trust](TlsTransport& t) {
                                    dp_verdict = dp_trust.CheckControlPlane(t);
                                  };
                                });
    REQUIRE(dp != nullptr);
    REQUIRE(kong::test::WaitSettled(l, *cp, *dp));
  }

  // The DP ends without having received a byte of configuration.
  void ExpectDpRefused() {
    CHECK(WaitUntil(l, [&] { return dp->eof || dp->failed || dp->closed; }));
    CHECK(dp->received.empty());
  }
};

bool Contains(const Status& s, const std::string& part) {
  bool found = s.message().find(part) != std::string::npos;
  if (!found) MESSAGE("status: ", s.ToString(), " lacks: ", part);
  return found;
}

}  // namespace

TEST_SUITE("tls") {
  TEST_CASE("shared mode: CP and DP holding the same certificate accept each other") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    {
      kong::test::TempDir dir;
      TestCert openssl_cert;
      const TestCert* cert = &Pki().shared;
      SUBCASE("kong::CertGen pair (P-384, X.509 v1)") {}
      SUBCASE("openssl req -x509 secp384r1 pair (X.509 v3)") {
        auto made = kong::test::OpenSslSharedCert(dir.path());
        REQUIRE_OK(made.status());
        openssl_cert = *made;
        cert = &openssl_cert;
      }
      ClusterTrust trust = Trust(ClusterMtlsMode::kShared, *cert);
      CHECK(trust.expected_server_name() == "kong_clustering");
      ClusterRun run(**loop);
      run.Run(trust, trust.ServerOptions(), trust, trust.ClientOptions());
      CHECK_OK(run.cp_verdict);
      CHECK_OK(run.dp_verdict);
      CHECK(WaitUntil(**loop, [&] { return run.dp->received == "config"; }));
      TlsTransport& cp_side = *run.cp->last().transport;
      CHECK(cp_side.PeerCertificateSha256Hex() == trust.own_certificate().sha256_hex);
      CHECK(cp_side.PeerSubjectCn() == "kong_clustering");
      CHECK(cp_side.server_name() == "kong_clustering");
      CHECK(cp_side.PeerNotAfter() == trust.own_certificate().not_after);
      CHECK(run.dp->transport->PeerCertificateDer() == trust.own_certificate().der);
    }
    CHECK(kong::test::AllHandlesClosed(**loop));
  }

  TEST_CASE("shared mode refusals") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    {
      ClusterTrust cp_trust = Trust(ClusterMtlsMode::kShared, Pki().shared);
      ClusterRun run(**loop);

      SUBCASE("a DP without a client certificate") {
        TlsContextOptions dp = cp_trust.ClientOptions();
        dp.cert_chain_pem.clear();
        dp.key_pem.clear();
        run.Run(cp_trust, cp_trust.ServerOptions(), cp_trust, dp);
        CHECK(run.cp_verdict.code() == StatusCode::kTls);
        CHECK(Contains(run.cp_verdict,
                       "data plane failed to present client certificate during handshake"));
        run.ExpectDpRefused();
      }
      SUBCASE("a DP with another self-signed certificate that trusts the CP's") {
        ClusterTrust dp_trust = Trust(ClusterMtlsMode::kShared, Pki().other_shared);
        TlsContextOptions dp = dp_trust.ClientOptions();
        dp.ca_pem = Pki().shared.cert_pem;
        run.Run(cp_trust, cp_trust.ServerOptions(), cp_trust, dp);
        CHECK(Contains(run.cp_verdict,
                       "data plane presented incorrect client certificate during handshake"));
        CHECK(Contains(run.cp_verdict, dp_trust.own_certificate().sha256_hex));
        run.ExpectDpRefused();
      }
      SUBCASE("a DP with another self-signed certificate refuses the CP's") {
        ClusterTrust dp_trust = Trust(ClusterMtlsMode::kShared, Pki().other_shared);
        run.Run(cp_trust, cp_trust.ServerOptions(), dp_trust, dp_trust.ClientOptions());
        REQUIRE(run.dp->failed);
        CHECK(run.dp->handshakes == 0);
        CHECK(run.dp->error.code() == StatusCode::kTls);
        CHECK(Contains(run.dp->error,
                       "(kong_clustering) failed: server certificate "
                       "verification failed: certificate is not trusted"));
        CHECK(WaitUntil(**loop, [&] { return run.cp->last().failed; }));
        CHECK(Contains(run.cp->last().error, "failed: peer sent fatal alert unknown_ca"));
      }
    }
    CHECK(kong::test::AllHandlesClosed(**loop));
  }

  TEST_CASE("expired certificates are refused in shared mode, by mbedTLS and by the CP check") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    {
      ClusterTrust trust = Trust(ClusterMtlsMode::kShared, Pki().expired_shared);
      ClusterRun run(**loop);
      SUBCASE("the DP verifies the CP: mbedTLS checks the dates of a self-signed anchor too") {
        run.Run(trust, trust.ServerOptions(), trust, trust.ClientOptions());
        REQUIRE(run.dp->failed);
        CHECK(Contains(run.dp->error,
                       "server certificate verification failed: certificate has "
                       "expired"));
      }
      SUBCASE("the CP checks the DP explicitly (optional verification does not refuse)") {
        TlsContextOptions dp = trust.ClientOptions();
        dp.verify = kong::tls::VerifyMode::kNone;
        run.Run(trust, trust.ServerOptions(), trust, dp);
        CHECK(Contains(run.cp_verdict, "data plane presented an expired client certificate"));
        CHECK(run.cp->last().transport->peer_verify_flags() != 0);
        run.ExpectDpRefused();
      }
    }
    CHECK(kong::test::AllHandlesClosed(**loop));
  }

  TEST_CASE("pki mode: certificates signed by cluster_ca_cert, CP name checked by the DP") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    {
      const std::string& ca = Pki().ca.cert_pem;
      ClusterTrust cp_trust = Trust(ClusterMtlsMode::kPki, Pki().cp, ca);
      ClusterRun run(**loop);
      SUBCASE("accepted; the name defaults to the host of cluster_control_plane") {
        ClusterTrust dp_trust = Trust(ClusterMtlsMode::kPki, Pki().dp, ca);
        CHECK(dp_trust.expected_server_name() == "cp.example");
        run.Run(cp_trust, cp_trust.ServerOptions(), dp_trust, dp_trust.ClientOptions());
        CHECK_OK(run.cp_verdict);
        CHECK_OK(run.dp_verdict);
        CHECK(WaitUntil(**loop, [&] { return run.dp->received == "config"; }));
        CHECK(run.cp->last().transport->PeerSubjectCn() == "dp.example");
        CHECK(run.cp->last().transport->server_name() == "cp.example");
      }
      SUBCASE("a DP certificate not signed by the CA") {
        ClusterTrust dp_trust = Trust(ClusterMtlsMode::kPki, Pki().rogue_dp, ca);
        run.Run(cp_trust, cp_trust.ServerOptions(), dp_trust, dp_trust.ClientOptions());
        REQUIRE(run.cp->last().failed);
        CHECK(Contains(run.cp->last().error,
                       "client certificate verification failed: certificate is not trusted"));
        CHECK(run.cp->last().handshakes == 0);
        run.ExpectDpRefused();
      }
      SUBCASE("an expired DP certificate") {
        ClusterTrust dp_trust = Trust(ClusterMtlsMode::kPki, Pki().expired_dp, ca);
        run.Run(cp_trust, cp_trust.ServerOptions(), dp_trust, dp_trust.ClientOptions());
        REQUIRE(run.cp->last().failed);
        CHECK(Contains(run.cp->last().error, "certificate has expired"));
        run.ExpectDpRefused();
      }
      SUBCASE("a DP without a client certificate") {
        ClusterTrust dp_trust = Trust(ClusterMtlsMode::kPki, Pki().dp, ca);
        TlsContextOptions dp = dp_trust.ClientOptions();
        dp.cert_chain_pem.clear();
        dp.key_pem.clear();
        run.Run(cp_trust, cp_trust.ServerOptions(), dp_trust, dp);
        REQUIRE(run.cp->last().failed);
        CHECK(Contains(run.cp->last().error, "no certificate was presented"));
        run.ExpectDpRefused();
      }
      SUBCASE("the CP's certificate does not carry cluster_server_name") {
        ClusterTrust dp_trust = Trust(ClusterMtlsMode::kPki, Pki().dp, ca, "other.example");
        run.Run(cp_trust, cp_trust.ServerOptions(), dp_trust, dp_trust.ClientOptions());
        REQUIRE(run.dp->failed);
        CHECK(Contains(run.dp->error, "certificate name does not match 'other.example'"));
        CHECK(run.dp->handshakes == 0);
      }
    }
    CHECK(kong::test::AllHandlesClosed(**loop));
  }

  TEST_CASE("a list of control planes: pki checks each entry's own name") {
    ClusterTlsSettings s;
    s.mode = ClusterMtlsMode::kPki;
    s.cert_pem = Pki().dp.cert_pem;
    s.key_pem = Pki().dp.key_pem;
    s.ca_pem = Pki().ca.cert_pem;
    s.control_plane = " cp1.example:8005, [::1]:8005";
    auto pki = ClusterTrust::Create(s);
    REQUIRE_OK(pki.status());
    CHECK(pki->expected_server_name() == "cp1.example");  // the first entry's host
    CHECK(pki->ServerNameFor("cp1.example") == "cp1.example");
    CHECK(pki->ServerNameFor("cp2.example") == "cp2.example");
    CHECK(pki->ClientOptions().server_name == "cp1.example");
    // cluster_server_name names every CP of the list.
    s.server_name = "cluster.example";
    auto named = ClusterTrust::Create(s);
    REQUIRE_OK(named.status());
    CHECK(named->ServerNameFor("cp2.example") == "cluster.example");
    // Shared mode: every CP presents kong_clustering.
    ClusterTrust shared = Trust(ClusterMtlsMode::kShared, Pki().shared);
    CHECK(shared.ServerNameFor("cp2.example") == "kong_clustering");
  }
}
