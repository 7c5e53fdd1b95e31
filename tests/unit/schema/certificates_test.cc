// certificates, snis and ca_certificates, with keys and certificates made by mbedTLS.
#include "test_pki.h"
#include "schema_test_util.h"

using kong::json::Value;
using namespace kong::schema;
using namespace kong::schema::test;

namespace {

Value CertBody(const std::string& cert, const std::string& key) {
  Value v = Value::EmptyObject();
  v.Set("cert", cert);
  v.Set("key", key);
  return v;
}

EntityResult InsertValue(const Catalog& c, const char* entity, const Value& v) {
  return c.ValidateInsert(*c.Find(entity), v, At(1700000000));
}

// Keys are slow to make; share them across the test cases.
struct Material {
  std::string ec_key = EcKeyPem();
  std::string ec_key2 = EcKeyPem();
  std::string rsa_key = RsaKeyPem();
  std::string ec_cert = SelfSignedPem(ec_key, false);
  std::string rsa_cert = SelfSignedPem(rsa_key, false);
  std::string ca_cert = SelfSignedPem(ec_key, true);
  std::string expired_ca = SelfSignedPem(ec_key, true, "20100101000000", "20110101000000");
};

const Material& M() {
  static const Material m;
  return m;
}

}  // namespace

TEST_SUITE("schema") {
  TEST_CASE("certificates: cert and key must parse and match") {
    Catalog c(nullptr);
    EntityResult r = InsertValue(c, "certificates", CertBody(M().ec_cert, M().ec_key));
    REQUIRE_MESSAGE(r.ok(), Message(r));
    CHECK(r.entity().Find("cert_alt")->is_null());
    CHECK(r.entity().Find("snis") == nullptr);  // transient: absent unless given

    r = InsertValue(c, "certificates", CertBody(M().ec_cert, M().ec_key2));
    CHECK(Message(r) == "schema violation (certificate does not match key)");

    r = InsertValue(c, "certificates", CertBody("not a cert", M().ec_key));
    REQUIRE(!r.ok());
    CHECK(r.error().message.rfind("schema violation (cert: invalid certificate: ", 0) == 0);
    r = InsertValue(c, "certificates", CertBody(M().ec_cert, "not a key"));
    REQUIRE(!r.ok());
    CHECK(r.error().message.rfind("schema violation (key: invalid key: ", 0) == 0);
    CHECK(r.error().message.find("not a key") == std::string::npos);
    std::string both = Message(InsertValue(c, "certificates", J(R"({"cert":"x"})")));
    CHECK(both.rfind("2 schema violations (cert: invalid certificate: ", 0) == 0);
    CHECK(both.size() > 30);
    CHECK(both.substr(both.size() - 30) == "; key: required field missing)");
  }

  TEST_CASE("certificates: alternative certificate rules") {
    Catalog c(nullptr);
    Value v = CertBody(M().ec_cert, M().ec_key);
    v.Set("cert_alt", M().rsa_cert);
    CHECK(Message(InsertValue(c, "certificates", v)) ==
          "schema violation (all or none of these fields must be set: 'cert_alt', 'key_alt')");
    v.Set("key_alt", M().rsa_key);
    CHECK(Message(InsertValue(c, "certificates", v)) == "");
    v.Set("key_alt", M().ec_key);
    CHECK(Message(InsertValue(c, "certificates", v)) ==
          "schema violation (alternative certificate does not match key)");
    Value same = CertBody(M().ec_cert, M().ec_key);
    same.Set("cert_alt", M().ca_cert);
    same.Set("key_alt", M().ec_key);
    CHECK(Message(InsertValue(c, "certificates", same)) ==
          "schema violation (certificate and alternative certificate need to have different "
          "type (e.g. RSA and ECDSA), the provided certificates were both of the same type)");
  }

  TEST_CASE("certificates: snis input and vault references") {
    Catalog c(nullptr);
    Value v = CertBody(M().ec_cert, M().ec_key);
    v.Set("snis", J(R"(["a.example","*.b.example"])"));
    EntityResult r = InsertValue(c, "certificates", v);
    REQUIRE_MESSAGE(r.ok(), Message(r));
    CHECK(S(*r.entity().Find("snis")) == R"(["a.example","*.b.example"])");
    v.Set("snis", J(R"(["a.example","a.example"])"));
    CHECK(Message(InsertValue(c, "certificates", v)) == "schema violation (snis: a.example is duplicated)");
    v.Set("snis", J(R"(["a.*.example"])"));
    CHECK(Message(InsertValue(c, "certificates", v)) ==
          "schema violation (snis.1: wildcard must be leftmost or rightmost character)");
    Value ref = CertBody("{vault://env/cert}", "{vault://env/key}");
    CHECK(Message(InsertValue(c, "certificates", ref)) == "");
  }

  TEST_CASE("snis: name rules and a required certificate") {
    Catalog c(nullptr);
    const char* cert = R"("certificate":{"id":"0b0b0b0b-1c1c-4d4d-8e8e-9f9f9f9f9f9f"})";
    auto msg = [&](const std::string& name) {
      return Message(Insert(c, "snis", std::string("{") + cert + R"(,"name":")" + name + "\"}"));
    };
    CHECK(msg("example.com") == "");
    CHECK(msg("*.example.com") == "");
    CHECK(msg("*.*.example.com") == "schema violation (name: only one wildcard must be specified)");
    CHECK(msg("1.2.3.4") == "schema violation (name: must not be an IP)");
    CHECK(msg("example.com:443") == "schema violation (name: must not have a port)");
    CHECK(msg("exa mple.com") == "schema violation (name: invalid value: exa mple.com)");
    CHECK(Message(Insert(c, "snis", R"({"name":"a.com"})")) ==
          "schema violation (certificate: required field missing)");
  }

  TEST_CASE("ca_certificates: one unexpired CA certificate; digest computed") {
    Catalog c(nullptr);
    Value v = Value::EmptyObject();
    v.Set("cert", M().ca_cert);
    EntityResult r = InsertValue(c, "ca_certificates", v);
    REQUIRE_MESSAGE(r.ok(), Message(r));
    const std::string& digest = r.entity().Find("cert_digest")->as_string();
    CHECK(digest.size() == 64);
    CHECK(digest.find_first_not_of("0123456789abcdef") == std::string::npos);

    v.Set("cert", M().ec_cert);
    CHECK(Message(InsertValue(c, "ca_certificates", v)) ==
          "schema violation (certificate does not appear to be a CA because it is missing the "
          "\"CA\" basic constraint)");
    v.Set("cert", M().expired_ca);
    CHECK(Message(InsertValue(c, "ca_certificates", v)) ==
          "schema violation (certificate expired, \"Not After\" time is in the past)");
    v.Set("cert", M().ca_cert + M().ca_cert);
    CHECK(Message(InsertValue(c, "ca_certificates", v)) ==
          "schema violation (please submit only one certificate at a time)");
  }
}
