// Test certificates through mbedTLS's x509write API, plus the openssl command line.
#include "unit/tls/test_certs.h"

#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/x509_crt.h>
#include <sys/wait.h>
#include <time.h>

#include <cstdio>
#include <ctime>

#include "kong/cert_gen.h"
#include "support/test_support.h"
#include "tls/mbedtls_error.h"
#include "tls/pem_text.h"
#include "tls/thread_random.h"

namespace kong::test {
namespace {

std::string ValidityText(int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm;
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return buf;
}

struct Objects {
  Objects() {
    mbedtls_pk_init(&key);
    mbedtls_pk_init(&issuer_key);
    mbedtls_x509write_crt_init(&crt);
    mbedtls_mpi_init(&serial);
  }
  ~Objects() {
    mbedtls_mpi_free(&serial);
    mbedtls_x509write_crt_free(&crt);
    mbedtls_pk_free(&issuer_key);
    mbedtls_pk_free(&key);
  }
  mbedtls_pk_context key;
  mbedtls_pk_context issuer_key;
  mbedtls_x509write_cert crt;
  mbedtls_mpi serial;
};

}  // namespace

Result<TestCert> MakeTestCert(const TestCertSpec& spec) {
  Objects o;
  int rc = mbedtls_pk_setup(
      &o.key, mbedtls_pk_info_from_type(spec.rsa ? MBEDTLS_PK_RSA : MBEDTLS_PK_ECKEY));
  if (rc == 0 && spec.rsa) {
    rc = mbedtls_rsa_gen_key(mbedtls_pk_rsa(o.key), &tls::ThreadRandom, nullptr, 2048, 65537);
  } else if (rc == 0) {
    rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(o.key), &tls::ThreadRandom,
                             nullptr);
  }
  if (rc != 0) return tls::MbedtlsError(rc, "test key");
  TestCert out;
  out.subject = "CN=" + spec.common_name;
  std::string issuer_name = out.subject;
  mbedtls_pk_context* signer = &o.key;
  if (spec.issuer != nullptr) {
    rc = tls::ParsePrivateKey(&o.issuer_key, spec.issuer->key_pem);
    if (rc != 0) return tls::MbedtlsError(rc, "test issuer key");
    signer = &o.issuer_key;
    issuer_name = spec.issuer->subject;
  }
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  mbedtls_x509write_crt_set_version(&o.crt, MBEDTLS_X509_CRT_VERSION_3);
  mbedtls_x509write_crt_set_md_alg(&o.crt, MBEDTLS_MD_SHA256);
  mbedtls_x509write_crt_set_subject_key(&o.crt, &o.key);
  mbedtls_x509write_crt_set_issuer_key(&o.crt, signer);
  if (rc == 0) rc = mbedtls_x509write_crt_set_subject_name(&o.crt, out.subject.c_str());
  if (rc == 0) rc = mbedtls_x509write_crt_set_issuer_name(&o.crt, issuer_name.c_str());
  // Distinct serials, so a CA's two leaves never look alike.
  unsigned char serial[16];
  if (rc == 0) rc = tls::ThreadRandom(nullptr, serial, sizeof serial);
  serial[0] &= 0x7f;
  if (rc == 0) rc = mbedtls_mpi_read_binary(&o.serial, serial, sizeof serial);
  if (rc == 0) rc = mbedtls_x509write_crt_set_serial(&o.crt, &o.serial);
  if (rc == 0) {
    rc = mbedtls_x509write_crt_set_validity(&o.crt,
                                            ValidityText(now + spec.not_before_offset_s).c_str(),
                                            ValidityText(now + spec.not_after_offset_s).c_str());
  }
  if (rc == 0) rc = mbedtls_x509write_crt_set_basic_constraints(&o.crt, spec.is_ca ? 1 : 0, -1);
  if (rc != 0) return tls::MbedtlsError(rc, "test certificate fields");
  unsigned char pem[4096];
  rc = mbedtls_x509write_crt_pem(&o.crt, pem, sizeof pem, &tls::ThreadRandom, nullptr);
  if (rc != 0) return tls::MbedtlsError(rc, "test certificate");
  out.cert_pem = reinterpret_cast<const char*>(pem);
  rc = mbedtls_pk_write_key_pem(&o.key, pem, sizeof pem);
  if (rc != 0) return tls::MbedtlsError(rc, "test key pem");
  out.key_pem = reinterpret_cast<const char*>(pem);
  return out;
}

Result<TestCert> OpenSslSharedCert(const std::string& dir) {
  std::string cert = dir + "/openssl.crt";
  std::string key = dir + "/openssl.key";
  std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes "
      "-subj /CN=kong_clustering -days 30 -keyout '" +
      key + "' -out '" + cert + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return Status::Internal("cannot run openssl");
  std::string output;
  char buf[256];
  while (size_t n = fread(buf, 1, sizeof buf, p)) output.append(buf, n);
  int rc = pclose(p);
  if (rc != 0) return Status::Internal("openssl failed (" + std::to_string(rc) + "): " + output);
  return TestCert{ReadTestFile(cert), ReadTestFile(key), "CN=kong_clustering"};
}

namespace {

TestCert Must(Result<TestCert> r) {
  REQUIRE_OK(r.status());
  return std::move(r).value();
}

TestCert Generated() {
  auto pair = CertGen::Generate(CertGenOptions());
  REQUIRE_OK(pair.status());
  return TestCert{pair->cert_pem, pair->key_pem, "CN=kong_clustering"};
}

TestPki MakePki() {
  TestPki p;
  p.server = Must(MakeTestCert({.common_name = "localhost"}));
  p.shared = Generated();
  p.other_shared = Generated();
  p.expired_shared =
      Must(MakeTestCert({.not_before_offset_s = -30 * 86400, .not_after_offset_s = -86400}));
  p.ca = Must(MakeTestCert({.common_name = "Cluster Test CA", .is_ca = true}));
  p.other_ca = Must(MakeTestCert({.common_name = "Rogue Test CA", .is_ca = true}));
  p.cp = Must(MakeTestCert({.common_name = "cp.example", .issuer = &p.ca}));
  p.dp = Must(MakeTestCert({.common_name = "dp.example", .issuer = &p.ca}));
  p.rogue_dp = Must(MakeTestCert({.common_name = "dp.example", .issuer = &p.other_ca}));
  p.expired_dp = Must(MakeTestCert({.common_name = "dp.example",
                                    .not_before_offset_s = -30 * 86400,
                                    .not_after_offset_s = -86400,
                                    .issuer = &p.ca}));
  return p;
}

}  // namespace

const TestPki& Pki() {
  static const TestPki pki = MakePki();
  return pki;
}

}  // namespace kong::test
