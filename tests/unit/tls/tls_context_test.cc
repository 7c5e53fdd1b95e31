// TlsContext creation errors and the cluster rules' checks, without sockets.
#include "tls/tls_context.h"

#include <mbedtls/x509.h>

#include <string>

#include "support/test_support.h"
#include "tls/cluster_trust.h"
#include "tls/mbedtls_error.h"
#include "unit/tls/test_certs.h"

using kong::StatusCode;
using kong::test::Pki;
using kong::tls::CertificateInfo;
using kong::tls::ClusterMtlsMode;
using kong::tls::ClusterTlsSettings;
using kong::tls::ClusterTrust;
using kong::tls::TlsContext;
using kong::tls::TlsContextOptions;
using kong::tls::TlsRole;
using kong::tls::VerifyMode;

namespace {

TlsContextOptions ServerOptions() {
  TlsContextOptions o;
  o.role = TlsRole::kServer;
  o.cert_chain_pem = Pki().server.cert_pem;
  o.key_pem = Pki().server.key_pem;
  o.verify = VerifyMode::kNone;
  return o;
}

std::string ErrorOf(TlsContextOptions o) {
  auto ctx = TlsContext::Create(std::move(o));
  return ctx.ok() ? "" : ctx.status().message();
}

}  // namespace

TEST_SUITE("tls") {
  TEST_CASE("TlsContext::Create validates its options and never prints key material") {
    CHECK_OK(TlsContext::Create(ServerOptions()).status());

    TlsContextOptions o = ServerOptions();
    o.cert_chain_pem.clear();
    o.key_pem.clear();
    CHECK(ErrorOf(o) == "tls context: a server needs cert_chain_pem and key_pem");

    o = ServerOptions();
    o.key_pem.clear();
    CHECK(ErrorOf(o) == "tls context: cert_chain_pem and key_pem go together");

    o = ServerOptions();
    o.key_pem = Pki().shared.key_pem;  // a valid key, of another certificate
    CHECK(ErrorOf(o) == "tls context: private key does not belong to the certificate");

    o = ServerOptions();
    o.key_pem = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n";
    std::string err = ErrorOf(o);
    CHECK(err.find("tls context: private key: cannot parse") == 0);
    CHECK(err.find("c2VjcmV0") == std::string::npos);

    o = ServerOptions();
    o.cert_chain_pem = "not a certificate";
    CHECK(ErrorOf(o).find("tls context: certificate chain: cannot parse") == 0);

    TlsContextOptions client;
    client.verify = VerifyMode::kRequired;
    CHECK(ErrorOf(client) == "tls context: verify mode required needs ca_pem");
    client.ca_pem = "garbage";
    CHECK(ErrorOf(client).find("tls context: ca_pem: cannot parse") == 0);

    o = ServerOptions();
    o.ciphersuites = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                      "TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384"};
    CHECK_OK(TlsContext::Create(o).status());
    o.ciphersuites = {"TLS_RSA_WITH_RC4_128_MD5_PLEASE"};
    CHECK(ErrorOf(o) == "tls context: unknown ciphersuite 'TLS_RSA_WITH_RC4_128_MD5_PLEASE'");

    o = ServerOptions();
    o.alpn = {""};
    CHECK(ErrorOf(o) == "tls context: invalid alpn protocol ''");

    auto ctx = TlsContext::Create(ServerOptions());
    REQUIRE_OK(ctx.status());
    REQUIRE((*ctx)->own_certificate() != nullptr);
    CHECK((*ctx)->own_certificate()->subject_cn == "localhost");
    CHECK((*ctx)->role() == TlsRole::kServer);
  }

  TEST_CASE("ClusterTrust::Create requires the settings its mode needs") {
    ClusterTlsSettings s;
    CHECK(ClusterTrust::Create(s).status().message() == "cluster_cert is required");
    s.cert_pem = Pki().shared.cert_pem;
    CHECK(ClusterTrust::Create(s).status().message() == "cluster_cert_key is required");
    s.key_pem = Pki().other_shared.key_pem;
    CHECK(ClusterTrust::Create(s).status().message() ==
          "cluster_cert/cluster_cert_key: private key does not belong to the certificate");
    s.key_pem = Pki().shared.key_pem;
    CHECK_OK(ClusterTrust::Create(s).status());

    s.mode = ClusterMtlsMode::kPki;
    CHECK(ClusterTrust::Create(s).status().message() ==
          "cluster_ca_cert is required when cluster_mtls is pki");
    s.ca_pem = Pki().ca.cert_pem;
    s.control_plane = "[::1]:8005";
    auto pki = ClusterTrust::Create(s);
    REQUIRE_OK(pki.status());
    CHECK(pki->expected_server_name() == "::1");
    s.server_name = "cp.internal";
    CHECK(ClusterTrust::Create(s)->expected_server_name() == "cp.internal");
  }

  TEST_CASE("cluster checks: fingerprint, validity window and verification flags") {
    ClusterTlsSettings s;
    s.cert_pem = Pki().shared.cert_pem;
    s.key_pem = Pki().shared.key_pem;
    auto trust = ClusterTrust::Create(s);
    REQUIRE_OK(trust.status());
    CertificateInfo same = trust->own_certificate();
    const int64_t now = same.not_before + 3600;

    CHECK_OK(trust->CheckDataPlane(same, 0, now));
    CHECK(trust->CheckDataPlane(CertificateInfo(), 0, now).message() ==
          "data plane failed to present client certificate during handshake");
    CHECK(trust->CheckControlPlane(CertificateInfo(), 0, now).message() ==
          "control plane failed to present server certificate during handshake");
    CHECK(
        trust->CheckDataPlane(same, 0, same.not_before - 10)
            .message()
            .find("data plane presented a client certificate that is not yet valid (not before ") ==
        0);
    auto expired = trust->CheckControlPlane(same, 0, same.not_after + 1);
    CHECK(expired.code() == StatusCode::kTls);
    CHECK(expired.message().find("control plane presented an expired server certificate (not "
                                 "valid after 20") == 0);

    s.mode = ClusterMtlsMode::kPki;
    s.cert_pem = Pki().dp.cert_pem;
    s.key_pem = Pki().dp.key_pem;
    s.ca_pem = Pki().ca.cert_pem;
    auto pki = ClusterTrust::Create(s);
    REQUIRE_OK(pki.status());
    CertificateInfo leaf = pki->own_certificate();
    CHECK_OK(pki->CheckDataPlane(leaf, 0, leaf.not_before + 60));
    CHECK(pki->CheckDataPlane(leaf, MBEDTLS_X509_BADCERT_NOT_TRUSTED, leaf.not_before + 60)
              .message() ==
          "data plane client certificate failed verification: certificate is not trusted (not "
          "signed by a trusted ca)");
  }

  TEST_CASE("verification flags and hosts read well") {
    CHECK(kong::tls::VerifyFailureText(0).empty());
    CHECK(kong::tls::VerifyFailureText(
              MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_CN_MISMATCH, "kong_clustering") ==
          "certificate has expired, certificate name does not match 'kong_clustering'");
    CHECK(kong::tls::AlertName(48) == "unknown_ca");
    CHECK(kong::tls::HostOf("cp.example.com:8005") == "cp.example.com");
    CHECK(kong::tls::HostOf("[fe80::1]:8005") == "fe80::1");
    CHECK(kong::tls::HostOf("cp.example.com") == "cp.example.com");
    CHECK(kong::tls::HostOf("::1") == "::1");
  }
}
