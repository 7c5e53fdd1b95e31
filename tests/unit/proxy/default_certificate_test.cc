// EnsureDefaultCertificate: Kong's <prefix>/ssl/kong-default.{crt,key}, made once and reused.
#include <sys/stat.h>

#include <string>

#include "proxy/proxy_certificates.h"
#include "support/test_support.h"
#include "tls/tls_context.h"
#include "unit/tls/test_certs.h"

using kong::proxy::EnsureDefaultCertificate;
using kong::proxy::PemPair;
using kong::test::ReadTestFile;
using kong::test::TempDir;
using kong::test::WriteTestFile;

namespace {

unsigned ModeOf(const std::string& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_SUITE("proxy") {
  TEST_CASE("the default certificate is generated once, then reused") {
    TempDir prefix;
    const std::string crt = prefix.File("ssl/kong-default.crt");
    const std::string key = prefix.File("ssl/kong-default.key");

    auto first = EnsureDefaultCertificate(prefix.path());
    REQUIRE_OK(first.status());
    CHECK(ReadTestFile(crt) == first->cert_pem);
    CHECK(ReadTestFile(key) == first->key_pem);
    CHECK(ModeOf(key) == 0600);
    CHECK(ModeOf(crt) == 0644);
    auto parsed = kong::tls::TlsCertificate::Parse(first->cert_pem, first->key_pem);
    REQUIRE_OK(parsed.status());
    CHECK((*parsed)->leaf().subject_cn == "localhost");
    CHECK((*parsed)->leaf().not_after - (*parsed)->leaf().not_before == 20 * 365 * 86400LL);

    auto second = EnsureDefaultCertificate(prefix.path());
    REQUIRE_OK(second.status());
    CHECK(second->cert_pem == first->cert_pem);
    CHECK(second->key_pem == first->key_pem);

    SUBCASE("a corrupted certificate is replaced") { WriteTestFile(crt, "garbage"); }
    SUBCASE("a key of another certificate is replaced") {
      WriteTestFile(key, kong::test::Pki().server.key_pem);
    }
    SUBCASE("a missing key is replaced") { REQUIRE(::unlink(key.c_str()) == 0); }
    SUBCASE("an expired certificate is replaced") {
      auto expired = kong::test::MakeTestCert(
          {.common_name = "localhost", .not_before_offset_s = -7200, .not_after_offset_s = -3600});
      REQUIRE_OK(expired.status());
      WriteTestFile(crt, expired->cert_pem);
      WriteTestFile(key, expired->key_pem);
    }
    auto third = EnsureDefaultCertificate(prefix.path());
    REQUIRE_OK(third.status());
    CHECK(third->cert_pem != first->cert_pem);
    CHECK(ReadTestFile(crt) == third->cert_pem);
    CHECK(ReadTestFile(key) == third->key_pem);
    CHECK(ModeOf(key) == 0600);
    CHECK(kong::tls::TlsCertificate::Parse(third->cert_pem, third->key_pem).ok());
  }

  TEST_CASE("the default certificate reports a prefix it cannot write") {
    TempDir dir;
    WriteTestFile(dir.File("file"), "x");
    auto r = EnsureDefaultCertificate(dir.File("file"));  // a file, not a folder
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find(dir.File("file/ssl")) != std::string::npos);
    CHECK_FALSE(EnsureDefaultCertificate("").ok());
  }
}
