// SniCertificates and the proxy listener's TLS context: Kong's certificate choice by SNI,
// checked through real handshakes on loopback.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "proxy/proxy_certificates.h"
#include "unit/net/loopback_peer.h"
#include "unit/proxy/proxy_tls_test_support.h"

using kong::EventLoop;
using kong::json::Array;
using kong::json::Object;
using kong::json::Value;
using kong::proxy::CreateProxyTlsContext;
using kong::proxy::ProxyTlsOptions;
using kong::proxy::SniCertificates;
using kong::test::CertificateEntity;
using kong::test::Handshake;
using kong::test::MakeTestCert;
using kong::test::Pki;
using kong::test::SniEntity;
using kong::test::TestCert;
using kong::test::TlsServer;

namespace {

TestCert Cert(const std::string& cn) {
  auto c = MakeTestCert({.common_name = cn});
  REQUIRE_OK(c.status());
  return std::move(c).value();
}

// One certificate per sni name, its CN the name with '*' spelled "star".
struct Fixture {
  TestCert exact = Cert("exact.example.com");
  TestCert prefix = Cert("star.example.com");
  TestCert suffix = Cert("example.star");
  TestCert deep = Cert("star.deep.example.org");

  Value Flat() const {
    return Object{
        {"certificates", Array{CertificateEntity("c-exact", exact),
                               CertificateEntity("c-prefix", prefix),
                               CertificateEntity("c-suffix", suffix),
                               CertificateEntity("c-deep", deep)}},
        {"snis", Array{SniEntity("exact.example.com", "c-exact"),
                       SniEntity("*.example.com", "c-prefix"), SniEntity("example.*", "c-suffix"),
                       SniEntity("*.deep.example.org", "c-deep")}},
    };
  }
};

std::string CnOf(const std::shared_ptr<const kong::tls::TlsCertificate>& c) {
  return c ? c->leaf().subject_cn : "(none)";
}

std::shared_ptr<const kong::tls::TlsContext> AnyServerClient(
    std::vector<std::string> ciphersuites = {}) {
  kong::tls::TlsContextOptions o;
  o.role = kong::tls::TlsRole::kClient;
  o.verify = kong::tls::VerifyMode::kNone;
  o.ciphersuites = std::move(ciphersuites);
  auto ctx = kong::tls::TlsContext::Create(std::move(o));
  REQUIRE_OK(ctx.status());
  return *ctx;
}

}  // namespace

TEST_SUITE("proxy") {
  TEST_CASE("sni selection: exact, then *.prefix wildcard, then suffix.* wildcard") {
    Fixture f;
    auto built = SniCertificates::Build(f.Flat());
    REQUIRE_OK(built.status());
    const SniCertificates& certs = **built;
    CHECK(certs.size() == 4);
    // The exact name wins over "*.example.com", which also matches it.
    CHECK(CnOf(certs.Select("exact.example.com")) == "exact.example.com");
    CHECK(CnOf(certs.Select("other.example.com")) == "star.example.com");
    // A prefix wildcard stands for one label only.
    CHECK(CnOf(certs.Select("a.b.example.com")) == "(none)");
    CHECK(CnOf(certs.Select("example.com")) == "example.star");  // "example.*" matches it
    CHECK(CnOf(certs.Select("x.deep.example.org")) == "star.deep.example.org");
    // The suffix wildcard replaces the last label.
    CHECK(CnOf(certs.Select("example.org")) == "example.star");
    CHECK(CnOf(certs.Select("example.co.uk")) == "(none)");
    // Case-insensitive, trailing dot ignored.
    CHECK(CnOf(certs.Select("EXACT.Example.COM.")) == "exact.example.com");
    CHECK(CnOf(certs.Select("Other.EXAMPLE.com.")) == "star.example.com");
    CHECK(CnOf(certs.Select("unknown.test")) == "(none)");
    CHECK(CnOf(certs.Select("")) == "(none)");
  }

  TEST_CASE("sni names listed on the certificate itself are bound too") {
    TestCert c = Cert("nested.example.com");
    Value cert = CertificateEntity("c1", c);
    cert.Set("snis", Array{"nested.example.com", Object{{"name", "*.nested.example.com"}}});
    auto built = SniCertificates::Build(Object{{"certificates", Array{cert}}});
    REQUIRE_OK(built.status());
    CHECK(CnOf((*built)->Select("nested.example.com")) == "nested.example.com");
    CHECK(CnOf((*built)->Select("a.nested.example.com")) == "nested.example.com");
    CHECK(SniCertificates::Build(Value::EmptyObject()).ok());
  }

  TEST_CASE("sni build errors name the entity and never print key material") {
    Fixture f;
    Value flat = f.Flat();
    std::string secret;
    SUBCASE("a key that does not parse") {
      secret = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETSECRET";
      flat.Find("certificates")->as_array()[1].Set(
          "key", "-----BEGIN PRIVATE KEY-----\n" + secret + "\n-----END PRIVATE KEY-----\n");
      auto built = SniCertificates::Build(flat);
      REQUIRE_FALSE(built.ok());
      CHECK(built.status().code() == kong::StatusCode::kInvalidArgument);
      CHECK(built.status().message().find("certificate c-prefix: private key") == 0);
    }
    SUBCASE("a key of another certificate") {
      secret = f.exact.key_pem;
      flat.Find("certificates")->as_array()[1].Set("key", f.exact.key_pem);
      auto built = SniCertificates::Build(flat);
      REQUIRE_FALSE(built.ok());
      CHECK(built.status().message() ==
            "certificate c-prefix: private key does not belong to the certificate");
    }
    SUBCASE("a certificate that does not parse") {
      secret = f.prefix.key_pem;
      flat.Find("certificates")->as_array()[1].Set("cert", "not a certificate");
      auto built = SniCertificates::Build(flat);
      REQUIRE_FALSE(built.ok());
      CHECK(built.status().message().find("certificate c-prefix: certificate chain: cannot parse") ==
            0);
    }
    SUBCASE("an sni pointing at a missing certificate") {
      flat.Find("snis")->as_array().push_back(SniEntity("lost.example.com", "c-missing"));
      auto built = SniCertificates::Build(flat);
      REQUIRE_FALSE(built.ok());
      CHECK(built.status().message() ==
            "sni lost.example.com: certificate c-missing does not exist");
    }
    SUBCASE("one name bound to two certificates") {
      flat.Find("snis")->as_array().push_back(SniEntity("EXACT.example.com", "c-suffix"));
      auto built = SniCertificates::Build(flat);
      REQUIRE_FALSE(built.ok());
      CHECK(built.status().message() == "sni EXACT.example.com: bound to two certificates");
    }
    SUBCASE("an alternate of the same key type") {
      Value& c = flat.Find("certificates")->as_array()[0];
      c.Set("cert_alt", f.deep.cert_pem);
      c.Set("key_alt", f.deep.key_pem);
      secret = f.deep.key_pem;
      auto built = SniCertificates::Build(flat);
      REQUIRE_FALSE(built.ok());
      CHECK(built.status().message() ==
            "certificate c-exact: certificate and alternate certificate must be of different key "
            "types (RSA and ECDSA)");
    }
    if (!secret.empty()) {
      auto built = SniCertificates::Build(flat);
      REQUIRE_FALSE(built.ok());
      // No line of the key (armour aside) shows up in the message.
      const std::string message = built.status().message();
      size_t start = secret.find('\n');
      std::string body_line = secret.substr(start == std::string::npos ? 0 : start + 1, 40);
      CHECK(message.find(body_line) == std::string::npos);
      CHECK(message.find("SECRET") == std::string::npos);
    }
  }

  TEST_CASE("the proxy listener presents the certificate SNI selects, else the default") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      Fixture f;
      auto first = SniCertificates::Build(f.Flat());
      REQUIRE_OK(first.status());
      // What a worker would hold: the current snapshot's certificates, swapped on new config.
      std::mutex mu;
      std::shared_ptr<const SniCertificates> current = *first;
      std::atomic<int> lookups{0};
      ProxyTlsOptions options;
      options.default_cert_pem = Pki().server.cert_pem;  // CN=localhost
      options.default_key_pem = Pki().server.key_pem;
      options.current = [&] {
        ++lookups;
        std::lock_guard<std::mutex> lock(mu);
        return current;
      };
      auto context = CreateProxyTlsContext(std::move(options));
      REQUIRE_OK(context.status());
      CHECK((*context)->verify() == kong::tls::VerifyMode::kNone);
      auto server = TlsServer::Listen(l, *context);
      auto client = AnyServerClient();

      auto r = Handshake(l, *server, client, "exact.example.com");
      REQUIRE_MESSAGE(r.ok, r.error);
      CHECK(r.server_cn == "exact.example.com");
      CHECK(server->last().transport->server_name() == "exact.example.com");
      r = Handshake(l, *server, client, "api.example.com");
      CHECK(r.server_cn == "star.example.com");
      r = Handshake(l, *server, client, "example.net");
      CHECK(r.server_cn == "example.star");
      r = Handshake(l, *server, client, "unknown.test");
      REQUIRE_MESSAGE(r.ok, r.error);
      CHECK(r.server_cn == "localhost");
      r = Handshake(l, *server, client, "");  // no SNI at all
      REQUIRE_MESSAGE(r.ok, r.error);
      CHECK(r.server_cn == "localhost");
      CHECK(lookups.load() == 4);

      // A new snapshot: exact.example.com now has another certificate, and the wildcard is
      // gone. The next handshake sees it, without a new context.
      TestCert replacement = Cert("replacement.example.com");
      Value flat = Object{{"certificates", Array{CertificateEntity("c-new", replacement)}},
                          {"snis", Array{SniEntity("exact.example.com", "c-new")}}};
      auto second = SniCertificates::Build(flat);
      REQUIRE_OK(second.status());
      {
        std::lock_guard<std::mutex> lock(mu);
        current = *second;
      }
      r = Handshake(l, *server, client, "exact.example.com");
      CHECK(r.server_cn == "replacement.example.com");
      r = Handshake(l, *server, client, "api.example.com");
      CHECK(r.server_cn == "localhost");
      // No snapshot yet (a worker before its first config): the default certificate.
      {
        std::lock_guard<std::mutex> lock(mu);
        current = nullptr;
      }
      r = Handshake(l, *server, client, "exact.example.com");
      REQUIRE_MESSAGE(r.ok, r.error);
      CHECK(r.server_cn == "localhost");
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("cert_alt: the client's suites pick the RSA or the ECDSA certificate") {
    auto rsa = MakeTestCert({.common_name = "rsa.example.com", .rsa = true});
    REQUIRE_OK(rsa.status());
    TestCert ecdsa = Cert("ecdsa.example.com");
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      Value cert = Object{{"id", "c-dual"},       {"cert", rsa->cert_pem},
                          {"key", rsa->key_pem},  {"cert_alt", ecdsa.cert_pem},
                          {"key_alt", ecdsa.key_pem}};
      auto built = SniCertificates::Build(
          Object{{"certificates", Array{cert}}, {"snis", Array{SniEntity("dual.test", "c-dual")}}});
      REQUIRE_OK(built.status());
      std::shared_ptr<const SniCertificates> current = *built;
      ProxyTlsOptions options;
      options.default_cert_pem = Pki().server.cert_pem;
      options.default_key_pem = Pki().server.key_pem;
      options.current = [current] { return current; };
      auto context = CreateProxyTlsContext(std::move(options));
      REQUIRE_OK(context.status());
      auto server = TlsServer::Listen(l, *context);

      auto r = Handshake(l, *server, AnyServerClient({"TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256"}),
                         "dual.test");
      REQUIRE_MESSAGE(r.ok, r.error);
      CHECK(r.server_cn == "rsa.example.com");
      r = Handshake(l, *server, AnyServerClient({"TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256"}),
                    "dual.test");
      REQUIRE_MESSAGE(r.ok, r.error);
      CHECK(r.server_cn == "ecdsa.example.com");
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
