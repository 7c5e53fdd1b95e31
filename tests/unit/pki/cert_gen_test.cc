// Tests for kong::CertGen: the generated pair parsed back with mbedTLS, and the file writes.
#include "kong/cert_gen.h"

#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <sys/stat.h>
#include <time.h>

#include <filesystem>
#include <string>

#include "base/files.h"
#include "support/test_support.h"

using kong::CertGen;
using kong::CertGenOptions;
using kong::CertPair;
using kong::StatusCode;

namespace {

// Seconds since the epoch of an mbedTLS validity time (UTC).
int64_t EpochSeconds(const mbedtls_x509_time& t) {
  struct tm tm = {};
  tm.tm_year = t.year - 1900;
  tm.tm_mon = t.mon - 1;
  tm.tm_mday = t.day;
  tm.tm_hour = t.hour;
  tm.tm_min = t.min;
  tm.tm_sec = t.sec;
  return static_cast<int64_t>(timegm(&tm));
}

std::string NameText(const mbedtls_x509_name& name) {
  char buf[256];
  int n = mbedtls_x509_dn_gets(buf, sizeof buf, &name);
  return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

struct ParsedPair {
  mbedtls_x509_crt crt;
  mbedtls_pk_context key;
  int crt_rc = 0;
  int key_rc = 0;
  explicit ParsedPair(const CertPair& pair) {
    mbedtls_x509_crt_init(&crt);
    mbedtls_pk_init(&key);
    // mbedTLS wants PEM lengths that count the terminating NUL.
    crt_rc =
        mbedtls_x509_crt_parse(&crt, reinterpret_cast<const unsigned char*>(pair.cert_pem.c_str()),
                               pair.cert_pem.size() + 1);
    key_rc =
        mbedtls_pk_parse_key(&key, reinterpret_cast<const unsigned char*>(pair.key_pem.c_str()),
                             pair.key_pem.size() + 1, nullptr, 0);
  }
  ~ParsedPair() {
    mbedtls_pk_free(&key);
    mbedtls_x509_crt_free(&crt);
  }
};

mode_t ModeOf(const std::string& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_SUITE("pki") {
  TEST_CASE("Generate makes Kong's P-384 self-signed kong_clustering certificate") {
    int64_t before = static_cast<int64_t>(::time(nullptr));
    kong::Result<CertPair> pair = CertGen::Generate(CertGenOptions());
    int64_t after = static_cast<int64_t>(::time(nullptr));
    REQUIRE_OK(pair.status());
    CHECK(pair->cert_pem.rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0);
    CHECK(pair->key_pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
    CHECK(pair->key_pem.find("EC PRIVATE KEY") == std::string::npos);

    ParsedPair parsed(*pair);
    REQUIRE(parsed.crt_rc == 0);
    REQUIRE(parsed.key_rc == 0);
    CHECK(NameText(parsed.crt.subject) == "CN=kong_clustering");
    CHECK(NameText(parsed.crt.issuer) == "CN=kong_clustering");
    CHECK(parsed.crt.version == 1);  // X.509 v1, as Kong writes it
    CHECK(parsed.crt.serial.len == 1);
    CHECK(parsed.crt.serial.p[0] == 0);
    CHECK(parsed.crt.sig_md == MBEDTLS_MD_SHA256);
    CHECK(parsed.crt.sig_pk == MBEDTLS_PK_ECDSA);
    CHECK(parsed.crt.ext_types == 0);

    REQUIRE(mbedtls_pk_get_type(&parsed.key) == MBEDTLS_PK_ECKEY);
    CHECK(mbedtls_pk_ec(parsed.key)->grp.id == MBEDTLS_ECP_DP_SECP384R1);
    CHECK(mbedtls_pk_get_bitlen(&parsed.key) == 384);
    REQUIRE(mbedtls_pk_get_type(&parsed.crt.pk) == MBEDTLS_PK_ECKEY);
    CHECK(mbedtls_pk_ec(parsed.crt.pk)->grp.id == MBEDTLS_ECP_DP_SECP384R1);
    CHECK(mbedtls_pk_check_pair(&parsed.crt.pk, &parsed.key) == 0);
    // Self-signed: the certificate verifies against itself.
    uint32_t flags = 0;
    CHECK(mbedtls_x509_crt_verify(&parsed.crt, &parsed.crt, nullptr, "kong_clustering", &flags,
                                  nullptr, nullptr) == 0);

    int64_t not_before = EpochSeconds(parsed.crt.valid_from);
    int64_t not_after = EpochSeconds(parsed.crt.valid_to);
    CHECK(not_before >= before);
    CHECK(not_before <= after);
    CHECK(not_after - not_before == 1095 * 86400);  // 94608000, no leap days
  }

  TEST_CASE("days sets the validity exactly and each call makes a new key") {
    CertGenOptions options;
    options.days = 30;
    auto first = CertGen::Generate(options);
    auto second = CertGen::Generate(options);
    REQUIRE_OK(first.status());
    REQUIRE_OK(second.status());
    ParsedPair a(*first);
    ParsedPair b(*second);
    REQUIRE(a.crt_rc == 0);
    REQUIRE(b.key_rc == 0);
    CHECK(EpochSeconds(a.crt.valid_to) - EpochSeconds(a.crt.valid_from) == 30 * 86400);
    CHECK(first->key_pem != second->key_pem);
    CHECK(mbedtls_pk_check_pair(&a.crt.pk, &b.key) != 0);
  }

  TEST_CASE("a custom common name becomes subject and issuer") {
    CertGenOptions options;
    options.common_name = "cp.example, test";
    auto pair = CertGen::Generate(options);
    REQUIRE_OK(pair.status());
    ParsedPair parsed(*pair);
    REQUIRE(parsed.crt_rc == 0);
    // mbedTLS prints a comma inside a value escaped.
    CHECK(NameText(parsed.crt.subject) == "CN=cp.example\\, test");
    CHECK(NameText(parsed.crt.issuer) == NameText(parsed.crt.subject));
  }

  TEST_CASE("bad options are rejected with invalid argument") {
    for (int days : {0, -1}) {
      CertGenOptions options;
      options.days = days;
      auto pair = CertGen::Generate(options);
      CHECK(pair.status().code() == StatusCode::kInvalidArgument);
      CHECK(pair.status().message() ==
            "invalid days: " + std::to_string(days) + " (must be 1 or more)");
    }
    CertGenOptions too_long;
    too_long.days = 4000000;  // past the year 9999
    CHECK(CertGen::Generate(too_long).status().code() == StatusCode::kInvalidArgument);
    CertGenOptions no_name;
    no_name.common_name = "";
    CHECK(CertGen::Generate(no_name).status().code() == StatusCode::kInvalidArgument);
    CertGenOptions long_name;
    long_name.common_name = std::string(65, 'a');
    CHECK(CertGen::Generate(long_name).status().code() == StatusCode::kInvalidArgument);
  }

  TEST_CASE("WriteFiles writes the certificate 0644 and the key 0600") {
    kong::test::TempDir dir;
    auto pair = CertGen::Generate(CertGenOptions());
    REQUIRE_OK(pair.status());
    std::string cert = dir.File("cluster.crt");
    std::string key = dir.File("cluster.key");
    REQUIRE_OK(CertGen::WriteFiles(*pair, cert, key));
    CHECK(ModeOf(cert) == 0644);
    CHECK(ModeOf(key) == 0600);
    CHECK(kong::test::ReadTestFile(cert) == pair->cert_pem);
    CHECK(kong::test::ReadTestFile(key) == pair->key_pem);
  }

  TEST_CASE("WriteFiles never overwrites, and leaves both files untouched") {
    kong::test::TempDir dir;
    std::string cert = dir.File("cluster.crt");
    std::string key = dir.File("cluster.key");
    auto pair = CertGen::Generate(CertGenOptions());
    REQUIRE_OK(pair.status());

    SUBCASE("certificate present") {
      kong::test::WriteTestFile(cert, "old cert");
      kong::Status st = CertGen::WriteFiles(*pair, cert, key);
      CHECK(st.code() == StatusCode::kConflict);
      CHECK(st.message() == cert + " already exists.\nWill not overwrite it.");
      CHECK(kong::test::ReadTestFile(cert) == "old cert");
      CHECK(!kong::base::PathExists(key));
    }
    SUBCASE("key present") {
      kong::test::WriteTestFile(key, "old key");
      kong::Status st = CertGen::WriteFiles(*pair, cert, key);
      CHECK(st.code() == StatusCode::kConflict);
      CHECK(st.message() == key + " already exists.\nWill not overwrite it.");
      CHECK(kong::test::ReadTestFile(key) == "old key");
      CHECK(!kong::base::PathExists(cert));
    }
    SUBCASE("both present: the certificate is named first, as in Kong") {
      REQUIRE_OK(CertGen::WriteFiles(*pair, cert, key));
      auto other = CertGen::Generate(CertGenOptions());
      REQUIRE_OK(other.status());
      kong::Status st = CertGen::WriteFiles(*other, cert, key);
      CHECK(st.code() == StatusCode::kConflict);
      CHECK(st.message() == cert + " already exists.\nWill not overwrite it.");
      CHECK(kong::test::ReadTestFile(cert) == pair->cert_pem);
      CHECK(kong::test::ReadTestFile(key) == pair->key_pem);
    }
  }

  TEST_CASE("WriteFiles leaves nothing behind when it cannot write") {
    kong::test::TempDir dir;
    auto pair = CertGen::Generate(CertGenOptions());
    REQUIRE_OK(pair.status());

    SUBCASE("missing folder for both") {
      std::string cert = dir.File("missing/cluster.crt");
      kong::Status st = CertGen::WriteFiles(*pair, cert, dir.File("missing/cluster.key"));
      CHECK(st.code() == StatusCode::kNotFound);
      CHECK(st.message().find(dir.File("missing")) != std::string::npos);
    }
    SUBCASE("key folder missing: the certificate is not written either") {
      std::string cert = dir.File("cluster.crt");
      kong::Status st = CertGen::WriteFiles(*pair, cert, dir.File("missing/cluster.key"));
      CHECK(!st.ok());
      CHECK(!kong::base::PathExists(cert));
    }
    SUBCASE("key folder is a file") {
      kong::test::WriteTestFile(dir.File("plain"), "x");
      std::string cert = dir.File("cluster.crt");
      kong::Status st = CertGen::WriteFiles(*pair, cert, dir.File("plain/cluster.key"));
      CHECK(!st.ok());
      CHECK(!kong::base::PathExists(cert));
    }
    SUBCASE("key write fails after the certificate was written: it is removed again") {
      // A file name over NAME_MAX passes the folder checks and fails only at the write.
      std::string cert = dir.File("cluster.crt");
      kong::Status st = CertGen::WriteFiles(*pair, cert, dir.File(std::string(300, 'k')));
      CHECK(!st.ok());
      CHECK(!kong::base::PathExists(cert));
    }
    SUBCASE("same path for both") {
      std::string same = dir.File("both.pem");
      kong::Status st = CertGen::WriteFiles(*pair, same, same);
      CHECK(st.code() == StatusCode::kInvalidArgument);
      CHECK(!kong::base::PathExists(same));
    }
    // Only the two files of a successful pair may ever exist; no temporaries either.
    int entries = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
      if (e.path().filename() != "plain") ++entries;
    }
    CHECK(entries == 0);
  }
}
