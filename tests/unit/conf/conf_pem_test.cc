// cluster_cert, cluster_cert_key, cluster_ca_cert as a path, inline PEM or base64 of PEM, and
// lib/pki's loader behind them.
#include <mbedtls/base64.h>
#include <unistd.h>

#include "pki/pem.h"
#include "unit/conf/conf_fixture.h"

using kong::pki::LoadPemSource;
using kong::pki::PemKind;
using kong::test::ClusterPairFiles;
using kong::test::kTestCertDerBase64;
using kong::test::kTestCertPem;
using kong::test::kTestKeyPem;
using kong::test::LoadOverrides;
using kong::test::StringMap;
using kong::test::TempDir;
using kong::test::With;
using kong::test::WriteTestFile;

namespace {

std::string Base64(const std::string& data) {
  size_t len = 0;
  const auto* src = reinterpret_cast<const unsigned char*>(data.data());
  mbedtls_base64_encode(nullptr, 0, &len, src, data.size());
  std::string out(len, '\0');
  REQUIRE(mbedtls_base64_encode(reinterpret_cast<unsigned char*>(out.data()), out.size(), &len, src,
                                data.size()) == 0);
  out.resize(len);
  return out;
}

const std::string kKeyBody = "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAW";

}  // namespace

TEST_SUITE("conf") {
  TEST_CASE("LoadPemSource reads paths, inline PEM, base64 of PEM and DER") {
    ClusterPairFiles pair;
    auto cert = LoadPemSource(pair.cert, PemKind::kCertificate);
    REQUIRE_OK(cert.status());
    CHECK(*cert == kTestCertPem);
    CHECK(*LoadPemSource(kTestKeyPem, PemKind::kPrivateKey) == kTestKeyPem);
    CHECK(*LoadPemSource(Base64(kTestCertPem), PemKind::kCertificate) == kTestCertPem);

    auto der = kong::pki::DecodeBase64(kTestCertDerBase64);
    REQUIRE(der.has_value());
    WriteTestFile(pair.dir.File("cluster.der"), *der);
    auto from_der = LoadPemSource(pair.dir.File("cluster.der"), PemKind::kCertificate);
    REQUIRE_OK(from_der.status());
    CHECK(from_der->starts_with("-----BEGIN CERTIFICATE-----\n"));
    CHECK(kong::pki::ParsesAs(*from_der, PemKind::kCertificate));
    CHECK(*LoadPemSource(*from_der, PemKind::kCertificate) == *from_der);
  }

  TEST_CASE("LoadPemSource rejects the wrong kind and never echoes content") {
    ClusterPairFiles pair;
    auto r = LoadPemSource(pair.key, PemKind::kCertificate);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "failed loading certificate from " + pair.key);

    r = LoadPemSource(kTestCertPem, PemKind::kPrivateKey);
    CHECK(r.status().message() == "failed loading key from <inline PEM>");
    r = LoadPemSource(Base64(kTestCertPem), PemKind::kPrivateKey);
    CHECK(r.status().message() == "failed loading key from <base64 PEM>");
    // A truncated key, one line of base64 that does not even decode.
    r = LoadPemSource(kKeyBody + kKeyBody + "A", PemKind::kPrivateKey);
    CHECK(r.status().message() == "failed loading key from <base64 PEM>");
    r = LoadPemSource("/no/such/cluster.key", PemKind::kPrivateKey);
    CHECK(r.status().message() == "failed loading key from /no/such/cluster.key");
  }

  TEST_CASE("cluster_cert as a relative path is made absolute") {
    ClusterPairFiles pair;
    char cwd[4096];
    REQUIRE(getcwd(cwd, sizeof cwd) != nullptr);
    REQUIRE(chdir(pair.dir.path().c_str()) == 0);
    auto out = LoadOverrides({{"role", "control_plane"},
                              {"cluster_cert", "cluster.crt"},
                              {"cluster_cert_key", "./cluster.key"},
                              {"cluster_ca_cert", "cluster.crt"}});
    REQUIRE(chdir(cwd) == 0);
    REQUIRE_MESSAGE(out.ok(), out.first());
    CHECK(out.conf->GetString("cluster_cert") == pair.cert);
    CHECK(out.conf->GetString("cluster_cert_key") == pair.key);
    CHECK(out.conf->GetString("cluster_ca_cert") == pair.cert);
    CHECK(out.conf->Pem("cluster_cert") == kTestCertPem);
    CHECK(out.conf->Pem("cluster_cert_key") == kTestKeyPem);
    CHECK(out.conf->Pem("cluster_ca_cert") == kTestCertPem);
  }

  TEST_CASE("cluster_cert as inline PEM or base64 of PEM, from env") {
    for (bool base64 : {false, true}) {
      CAPTURE(base64);
      const std::string cert = base64 ? Base64(kTestCertPem) : kTestCertPem;
      const std::string key = base64 ? Base64(kTestKeyPem) : kTestKeyPem;
      auto out = LoadOverrides({{"role", "data_plane"}, {"database", "off"}},
                               {{"KONG_CLUSTER_CERT", cert},
                                {"KONG_CLUSTER_CERT_KEY", key},
                                {"KONG_CLUSTER_CA_CERT", cert}});
      REQUIRE_MESSAGE(out.ok(), out.first());
      CHECK(out.conf->Pem("cluster_cert") == kTestCertPem);
      CHECK(out.conf->Pem("cluster_cert_key") == kTestKeyPem);
      CHECK(out.conf->Pem("cluster_ca_cert") == kTestCertPem);
      CHECK(out.conf->GetString("cluster_cert") == kTestCertPem);
      for (const auto& [name, value] : out.conf->Entries(true)) {
        CHECK(value.find(kKeyBody) == std::string::npos);
      }
    }
  }

  TEST_CASE("cluster certificate load errors, without key material") {
    ClusterPairFiles pair;
    const StringMap cp = pair.Hybrid("control_plane");
    auto only = [](const StringMap& m, const std::string& error) {
      auto out = LoadOverrides(m);
      REQUIRE_FALSE(out.ok());
      CHECK_MESSAGE(out.errors == std::vector<std::string>{error}, out.first());
      for (const auto& e : out.errors) CHECK(e.find(kKeyBody) == std::string::npos);
    };
    only(With(cp, {{"cluster_cert", "/nonexistent/cluster.crt"}}),
         "cluster_cert: failed loading certificate from /nonexistent/cluster.crt");
    only(With(cp, {{"cluster_cert", pair.key}}),
         "cluster_cert: failed loading certificate from " + pair.key);
    only(With(cp, {{"cluster_cert", kTestKeyPem}}),
         "cluster_cert: failed loading certificate from <inline PEM>");
    only(With(cp, {{"cluster_cert_key", pair.cert}}),
         "cluster_cert_key: failed loading key from " + pair.cert);
    only(With(cp, {{"cluster_cert_key", Base64(std::string(kTestKeyPem).substr(0, 120))}}),
         "cluster_cert_key: failed loading key from <base64 PEM>");
    only(With(cp, {{"cluster_ca_cert", "garbage"}}),
         "cluster_ca_cert: failed loading certificate from garbage");

    auto out = LoadOverrides(With(cp, {{"cluster_cert", kTestKeyPem},
                                       {"cluster_cert_key", kTestCertPem},
                                       {"cluster_ca_cert", kTestKeyPem}}));
    CHECK(out.errors == std::vector<std::string>{
                            "cluster_cert: failed loading certificate from <inline PEM>",
                            "cluster_cert_key: failed loading key from <inline PEM>",
                            "cluster_ca_cert: failed loading certificate from <inline PEM>"});
  }

  TEST_CASE("a traditional node ignores broken cluster certificates") {
    auto out = LoadOverrides({{"cluster_cert", "/nonexistent/cluster.crt"}});
    REQUIRE_MESSAGE(out.ok(), out.first());
    CHECK(out.conf->Pem("cluster_cert") == "");
    CHECK(out.conf->GetString("cluster_cert") == "/nonexistent/cluster.crt");
  }

  TEST_CASE("lua_ssl_trusted_certificate entries must load") {
    ClusterPairFiles pair;
    auto out = LoadOverrides({{"lua_ssl_trusted_certificate", "system, " + pair.cert}});
    REQUIRE_MESSAGE(out.ok(), out.first());
    CHECK(out.conf->GetList("lua_ssl_trusted_certificate") ==
          std::vector<std::string>{"system", pair.cert});
    out = LoadOverrides({{"lua_ssl_trusted_certificate", "/nonexistent/ca.pem"}});
    CHECK(out.errors ==
          std::vector<std::string>{"lua_ssl_trusted_certificate: failed loading certificate from "
                                   "/nonexistent/ca.pem"});
  }
}
