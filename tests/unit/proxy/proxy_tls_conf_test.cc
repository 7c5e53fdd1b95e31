// ProxyCertificateFromConf and TrustedCaFromConf: kong.conf's TLS settings as PEM text.
#include <map>
#include <string>

#include "proxy/proxy_tls_conf.h"
#include "support/test_support.h"
#include "tls/tls_context.h"
#include "unit/tls/test_certs.h"

using kong::Conf;
using kong::ConfSources;
using kong::proxy::ProxyCertificateFromConf;
using kong::proxy::TrustedCaFromConf;
using kong::test::Pki;
using kong::test::TempDir;
using kong::test::WriteTestFile;

namespace {

Conf Load(std::map<std::string, std::string> overrides) {
  auto conf = Conf::Load(ConfSources{.overrides = std::move(overrides)});
  REQUIRE_OK(conf.status());
  return std::move(conf).value();
}

}  // namespace

TEST_SUITE("proxy") {
  TEST_CASE("ssl_cert and ssl_cert_key: files or inline PEM, else the generated default") {
    TempDir dir;
    WriteTestFile(dir.File("proxy.crt"), Pki().server.cert_pem);
    WriteTestFile(dir.File("proxy.key"), Pki().server.key_pem);

    auto from_files = ProxyCertificateFromConf(Load({{"prefix", dir.path()},
                                                     {"ssl_cert", dir.File("proxy.crt")},
                                                     {"ssl_cert_key", dir.File("proxy.key")}}));
    REQUIRE_OK(from_files.status());
    CHECK(from_files->cert_pem == Pki().server.cert_pem);
    CHECK(from_files->key_pem == Pki().server.key_pem);

    auto inline_pem = ProxyCertificateFromConf(Load({{"prefix", dir.path()},
                                                     {"ssl_cert", Pki().cp.cert_pem},
                                                     {"ssl_cert_key", Pki().cp.key_pem}}));
    REQUIRE_OK(inline_pem.status());
    CHECK(inline_pem->cert_pem == Pki().cp.cert_pem);

    // Unset: Kong's fallback under <prefix>/ssl.
    auto fallback = ProxyCertificateFromConf(Load({{"prefix", dir.path()}}));
    REQUIRE_OK(fallback.status());
    CHECK(kong::test::ReadTestFile(dir.File("ssl/kong-default.crt")) == fallback->cert_pem);

    // A file that went away after the Conf was loaded: the setting and the file are named.
    const Conf conf = Load({{"prefix", dir.path()},
                            {"ssl_cert", dir.File("proxy.crt")},
                            {"ssl_cert_key", dir.File("proxy.key")}});
    WriteTestFile(dir.File("proxy.crt"), "no longer a certificate");
    auto broken = ProxyCertificateFromConf(conf);
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.status().message() ==
          "ssl_cert: failed loading certificate from " + dir.File("proxy.crt"));
  }

  TEST_CASE("lua_ssl_trusted_certificate: system, files and inline PEM in one bundle") {
    TempDir dir;
    WriteTestFile(dir.File("ca.crt"), Pki().ca.cert_pem);
    auto bundle = TrustedCaFromConf(Load(
        {{"lua_ssl_trusted_certificate", dir.File("ca.crt") + "," + Pki().other_ca.cert_pem}}));
    REQUIRE_OK(bundle.status());
    CHECK(*bundle == Pki().ca.cert_pem + Pki().other_ca.cert_pem);

    auto none = TrustedCaFromConf(Load({{"lua_ssl_trusted_certificate", "NONE"}}));
    REQUIRE_OK(none.status());
    CHECK(none->empty());

    if (kong::test::ReadTestFile(kong::proxy::kSystemCaBundle).empty()) return;
    auto system = TrustedCaFromConf(Load({}));  // Kong's default: "system"
    REQUIRE_OK(system.status());
    CHECK(system->size() > 10000);
    // mbedTLS takes the whole OS bundle as trust anchors.
    kong::tls::TlsContextOptions o;
    o.ca_pem = *system;
    CHECK_OK(kong::tls::TlsContext::Create(std::move(o)).status());
  }
}
