// UpstreamTlsContexts: client contexts towards https services, checked by handshakes with a
// loopback server whose certificate (CN=cp.example) a test CA issued.
#include <string>

#include "proxy/proxy_certificates.h"
#include "unit/net/loopback_peer.h"
#include "unit/proxy/proxy_tls_test_support.h"

using kong::EventLoop;
using kong::json::Array;
using kong::json::Object;
using kong::json::Value;
using kong::proxy::UpstreamTlsContexts;
using kong::proxy::UpstreamTlsDefaults;
using kong::test::CertificateEntity;
using kong::test::Handshake;
using kong::test::Pki;
using kong::test::TlsServer;
using kong::tls::TlsContext;
using kong::tls::TlsContextOptions;
using kong::tls::VerifyMode;

namespace {

Value Service(const std::string& id, const std::string& protocol) {
  return Object{{"id", id}, {"name", id}, {"protocol", protocol}, {"host", "cp.example"},
                {"port", 443}};
}

Value Flat(Array services) {
  return Object{
      {"services", std::move(services)},
      {"ca_certificates", Array{Object{{"id", "ca-good"}, {"cert", Pki().ca.cert_pem}},
                                Object{{"id", "ca-rogue"}, {"cert", Pki().other_ca.cert_pem}}}},
      {"certificates", Array{CertificateEntity("cert-dp", Pki().dp)}},
  };
}

std::shared_ptr<const UpstreamTlsContexts> Build(const Value& flat,
                                                 const UpstreamTlsDefaults& defaults = {}) {
  auto built = UpstreamTlsContexts::Build(flat, defaults);
  REQUIRE_OK(built.status());
  return *built;
}

// The upstream: CN=cp.example issued by the test CA; optionally demanding a client
// certificate from the same CA.
std::unique_ptr<TlsServer> Upstream(EventLoop& loop, bool require_client_certificate) {
  TlsContextOptions o;
  o.role = kong::tls::TlsRole::kServer;
  o.cert_chain_pem = Pki().cp.cert_pem;
  o.key_pem = Pki().cp.key_pem;
  o.verify = require_client_certificate ? VerifyMode::kRequired : VerifyMode::kNone;
  if (require_client_certificate) o.ca_pem = Pki().ca.cert_pem;
  auto ctx = TlsContext::Create(std::move(o));
  REQUIRE_OK(ctx.status());
  return TlsServer::Listen(loop, *ctx);
}

}  // namespace

TEST_SUITE("proxy") {
  TEST_CASE("upstream tls: contexts per service, shared by equal settings") {
    Value verified = Service("s-verified", "https");
    verified.Set("tls_verify", true);
    verified.Set("ca_certificates", Array{"ca-good"});
    Value verified_too = Service("s-verified-too", "grpcs");
    verified_too.Set("tls_verify", true);
    verified_too.Set("ca_certificates", Array{"ca-good"});
    Value plain_tls = Service("s-tls", "tls");
    Value http = Service("s-http", "http");
    auto contexts = Build(Flat(Array{verified, verified_too, plain_tls, http}));
    REQUIRE(contexts->ForService("s-verified") != nullptr);
    CHECK(contexts->ForService("s-verified") == contexts->ForService("s-verified-too"));
    CHECK(contexts->ForService("s-verified")->verify() == VerifyMode::kRequired);
    REQUIRE(contexts->ForService("s-tls") != nullptr);
    CHECK(contexts->ForService("s-tls")->verify() == VerifyMode::kNone);  // Kong's default: off
    CHECK(contexts->ForService("s-tls") != contexts->ForService("s-verified"));
    CHECK(contexts->ForService("s-http") == nullptr);
    CHECK(contexts->ForService("s-unknown") == nullptr);

    // proxy_ssl_verify on: a service leaving tls_verify null verifies against the defaults.
    UpstreamTlsDefaults defaults;
    defaults.verify_by_default = true;
    defaults.trusted_ca_pem = Pki().ca.cert_pem;
    auto strict = Build(Flat(Array{plain_tls}), defaults);
    CHECK(strict->ForService("s-tls")->verify() == VerifyMode::kRequired);
  }

  TEST_CASE("upstream tls: verification, trust and client certificates over real handshakes") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      auto upstream = Upstream(l, false);
      Value right_ca = Service("right-ca", "https");
      right_ca.Set("tls_verify", true);
      right_ca.Set("ca_certificates", Array{"ca-rogue", "ca-good"});
      Value wrong_ca = Service("wrong-ca", "https");
      wrong_ca.Set("tls_verify", true);
      wrong_ca.Set("ca_certificates", Array{"ca-rogue"});
      Value no_verify = Service("no-verify", "https");
      no_verify.Set("tls_verify", false);
      no_verify.Set("ca_certificates", Array{"ca-rogue"});
      Value default_trust = Service("default-trust", "https");
      default_trust.Set("tls_verify", true);
      Value shallow = Service("shallow", "https");
      shallow.Set("tls_verify", true);
      shallow.Set("tls_verify_depth", 0);
      shallow.Set("ca_certificates", Array{"ca-good"});
      Value deep_enough = Service("deep-enough", "https");
      deep_enough.Set("tls_verify", true);
      deep_enough.Set("tls_verify_depth", 1);
      deep_enough.Set("ca_certificates", Array{"ca-good"});
      UpstreamTlsDefaults defaults;
      defaults.trusted_ca_pem = Pki().ca.cert_pem;  // lua_ssl_trusted_certificate
      auto contexts = Build(
          Flat(Array{right_ca, wrong_ca, no_verify, default_trust, shallow, deep_enough}),
          defaults);

      auto r = Handshake(l, *upstream, contexts->ForService("right-ca"), "cp.example");
      CHECK_MESSAGE(r.ok, r.error);
      CHECK(r.server_cn == "cp.example");
      // The name is checked per connection: the same context refuses another host name.
      r = Handshake(l, *upstream, contexts->ForService("right-ca"), "other.example");
      CHECK_FALSE(r.ok);
      r = Handshake(l, *upstream, contexts->ForService("wrong-ca"), "cp.example");
      CHECK_FALSE(r.ok);
      CHECK(r.error.find("cp.example") != std::string::npos);
      r = Handshake(l, *upstream, contexts->ForService("no-verify"), "cp.example");
      CHECK_MESSAGE(r.ok, r.error);
      r = Handshake(l, *upstream, contexts->ForService("default-trust"), "cp.example");
      CHECK_MESSAGE(r.ok, r.error);
      // cp.example -> the CA is a chain of depth 1.
      r = Handshake(l, *upstream, contexts->ForService("shallow"), "cp.example");
      CHECK_FALSE(r.ok);
      r = Handshake(l, *upstream, contexts->ForService("deep-enough"), "cp.example");
      CHECK_MESSAGE(r.ok, r.error);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("upstream tls: client_certificate is presented to an upstream that requires one") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      auto upstream = Upstream(l, true);
      Value mutual = Service("mutual", "https");
      mutual.Set("client_certificate", Object{{"id", "cert-dp"}});
      Value anonymous = Service("anonymous", "https");
      auto contexts = Build(Flat(Array{mutual, anonymous}));

      auto r = Handshake(l, *upstream, contexts->ForService("mutual"), "cp.example");
      CHECK_MESSAGE(r.ok, r.error);
      CHECK(r.client_cn == "dp.example");
      r = Handshake(l, *upstream, contexts->ForService("anonymous"), "cp.example");
      CHECK_FALSE(r.ok);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("upstream tls: bad references name the service") {
    Value s = Service("s1", "https");
    std::string expected;
    SUBCASE("unknown ca certificate") {
      s.Set("tls_verify", true);
      s.Set("ca_certificates", Array{"ca-nope"});
      expected = "service s1: ca_certificate ca-nope does not exist";
    }
    SUBCASE("unknown client certificate") {
      s.Set("client_certificate", Object{{"id", "cert-nope"}});
      expected = "service s1: client_certificate cert-nope does not exist";
    }
    SUBCASE("verification without anything to trust") {
      s.Set("tls_verify", true);
      expected =
          "service s1: tls_verify needs trusted certificates: set ca_certificates or "
          "lua_ssl_trusted_certificate";
    }
    SUBCASE("a depth out of range") {
      s.Set("tls_verify", true);
      s.Set("tls_verify_depth", 65);
      expected = "service s1: tls_verify_depth: expected an integer 0..64";
    }
    auto built = UpstreamTlsContexts::Build(Flat(Array{s}), UpstreamTlsDefaults{});
    REQUIRE_FALSE(built.ok());
    CHECK(built.status().code() == kong::StatusCode::kInvalidArgument);
    CHECK(built.status().message() == expected);
  }
}
