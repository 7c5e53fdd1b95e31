// Test certificates: self-signed, CA-signed or expired pairs made with mbedTLS, and openssl's.
#ifndef KONG_TESTS_UNIT_TLS_TEST_CERTS_H_
#define KONG_TESTS_UNIT_TLS_TEST_CERTS_H_

#include <cstdint>
#include <string>

#include "kong/status.h"

namespace kong::test {

struct TestCert {
  std::string cert_pem;
  std::string key_pem;
  std::string subject;  // "CN=..."
};

struct TestCertSpec {
  std::string common_name = "kong_clustering";
  // Validity relative to now, in seconds (negative: in the past).
  int64_t not_before_offset_s = -3600;
  int64_t not_after_offset_s = 30 * 86400;
  bool is_ca = false;                // basicConstraints CA:TRUE (for chains)
  const TestCert* issuer = nullptr;  // null: self-signed
  bool rsa = false;                  // an RSA 2048 key instead of EC P-256 (slower to make)
};

// An EC P-256 key (fast to make), or an RSA key with `rsa`, and an X.509 v3 certificate
// signed with SHA-256 by the issuer's key (ECDSA unless the issuer's key is RSA).
Result<TestCert> MakeTestCert(const TestCertSpec& spec);

// Certificates made once per process (P-384 generation is slow).
struct TestPki {
  TestCert server;          // self-signed, CN=localhost
  TestCert shared;          // kong::CertGen pair, CN=kong_clustering (P-384, X.509 v1)
  TestCert other_shared;    // another CertGen pair
  TestCert expired_shared;  // self-signed CN=kong_clustering, expired yesterday
  TestCert ca;              // CN=Cluster Test CA
  TestCert other_ca;        // CN=Rogue Test CA
  TestCert cp;              // CN=cp.example, signed by ca
  TestCert dp;              // CN=dp.example, signed by ca
  TestCert rogue_dp;        // CN=dp.example, signed by other_ca
  TestCert expired_dp;      // CN=dp.example, signed by ca, expired yesterday
};
const TestPki& Pki();

// Runs `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes
// -subj /CN=kong_clustering -days 30` writing into `dir`; the pair as PEM text.
Result<TestCert> OpenSslSharedCert(const std::string& dir);

}  // namespace kong::test

#endif  // KONG_TESTS_UNIT_TLS_TEST_CERTS_H_
