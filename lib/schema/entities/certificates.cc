// certificates, snis and ca_certificates: TLS material checked with mbedTLS.
#include <algorithm>

#include "schema/entities/entities.h"
#include "schema/pem_check.h"
#include "schema/typedefs.h"
#include "schema/uuid.h"

namespace kong::schema {
namespace {

bool IsString(const json::Value* v) { return v != nullptr && v->is_string(); }

}  // namespace

EntitySchema CertificatesSchema() {
  EntitySchema s;
  s.name = "certificates";
  s.workspaceable = true;
  Field cert = typedefs::Certificate();
  cert.required = true;
  cert.referenceable = true;
  Field key = typedefs::Key();
  key.required = true;
  key.referenceable = true;
  key.encrypted = true;
  Field cert_alt = typedefs::Certificate();
  cert_alt.referenceable = true;
  Field key_alt = typedefs::Key();
  key_alt.referenceable = true;
  key_alt.encrypted = true;
  // Input-only: the DAO creates/updates the sni entities from it; names must be distinct.
  Field snis = ArrayOf(typedefs::WildcardHost());
  snis.transient = true;
  snis.custom_validator = [](const json::Value& v) -> std::optional<std::string> {
    if (!v.is_array()) return std::nullopt;
    const json::Array& a = v.as_array();
    for (size_t i = 0; i < a.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (a[j] == a[i] && a[i].is_string()) return a[i].as_string() + " is duplicated";
      }
    }
    return std::nullopt;
  };
  s.fields = {
      {"id", typedefs::Uuid()},
      {"created_at", typedefs::AutoTimestampS()},
      {"updated_at", typedefs::AutoTimestampS()},
      {"cert", cert},
      {"key", key},
      {"cert_alt", cert_alt},
      {"key_alt", key_alt},
      {"tags", typedefs::Tags()},
      {"snis", snis},
  };
  s.entity_checks = {
      MutuallyRequired({"cert_alt", "key_alt"}),
      CustomCheck({"cert", "key"},
                  [](const json::Value& e) -> std::optional<std::string> {
                    const json::Value* c = e.Find("cert");
                    const json::Value* k = e.Find("key");
                    if (!IsString(c) || !IsString(k)) return std::nullopt;
                    std::optional<bool> match = CertificateMatchesKey(c->as_string(), k->as_string());
                    if (match && !*match) return std::string("certificate does not match key");
                    return std::nullopt;
                  }),
      CustomCheck({"cert_alt", "key_alt"},
                  [](const json::Value& e) -> std::optional<std::string> {
                    const json::Value* c = e.Find("cert_alt");
                    const json::Value* k = e.Find("key_alt");
                    if (!IsString(c) || !IsString(k)) return std::nullopt;
                    std::optional<bool> match = CertificateMatchesKey(c->as_string(), k->as_string());
                    if (match && !*match) {
                      return std::string("alternative certificate does not match key");
                    }
                    return std::nullopt;
                  }),
      CustomCheck({"cert", "cert_alt"},
                  [](const json::Value& e) -> std::optional<std::string> {
                    const json::Value* c = e.Find("cert");
                    const json::Value* a = e.Find("cert_alt");
                    if (!IsString(c) || !IsString(a)) return std::nullopt;
                    if (CertificateKeyKind(c->as_string()) == CertificateKeyKind(a->as_string())) {
                      return std::string(
                          "certificate and alternative certificate need to have different type "
                          "(e.g. RSA and ECDSA), the provided certificates were both of the same "
                          "type");
                    }
                    return std::nullopt;
                  }),
  };
  return s;
}

EntitySchema SnisSchema() {
  EntitySchema s;
  s.name = "snis";
  s.endpoint_key = "name";
  s.workspaceable = true;
  Field name = typedefs::WildcardHost();
  name.required = true;
  name.unique = true;
  // Kong's FK has no ON DELETE; the certificates DAO deletes a certificate's SNIs itself,
  // which is a cascade as far as callers can tell.
  Field certificate = Foreign("certificates", "cascade");
  certificate.required = true;
  s.fields = {
      {"id", typedefs::Uuid()},
      {"name", name},
      {"created_at", typedefs::AutoTimestampS()},
      {"updated_at", typedefs::AutoTimestampS()},
      {"tags", typedefs::Tags()},
      {"certificate", certificate},
  };
  return s;
}

EntitySchema CaCertificatesSchema() {
  EntitySchema s;
  s.name = "ca_certificates";
  Field cert = typedefs::Certificate();
  cert.required = true;
  Field digest = StringField();
  digest.unique = true;
  s.fields = {
      {"id", typedefs::Uuid()},
      {"created_at", typedefs::AutoTimestampS()},
      {"updated_at", typedefs::AutoTimestampS()},
      {"cert", cert},
      {"cert_digest", digest},
      {"tags", typedefs::Tags()},
  };
  s.entity_checks = {CustomCheck({"cert"}, [](const json::Value& e) -> std::optional<std::string> {
    const json::Value* c = e.Find("cert");
    if (!IsString(c)) return std::nullopt;
    const std::string& pem = c->as_string();
    size_t count = 0;
    for (size_t p = pem.find("-----BEGIN CERTIFICATE-----"); p != std::string::npos;
         p = pem.find("-----BEGIN CERTIFICATE-----", p + 1)) {
      ++count;
    }
    if (count > 1) return std::string("please submit only one certificate at a time");
    std::optional<CertificateFacts> facts = InspectCertificate(pem);
    if (!facts) return std::nullopt;
    if (facts->not_after < NowSeconds()) {
      return std::string("certificate expired, \"Not After\" time is in the past");
    }
    if (!facts->is_ca) {
      return std::string(
          "certificate does not appear to be a CA because it is missing the \"CA\" basic "
          "constraint");
    }
    return std::nullopt;
  })};
  s.on_write = [](json::Value& e) {
    const json::Value* c = e.Find("cert");
    if (!IsString(c)) return;
    if (std::optional<CertificateFacts> facts = InspectCertificate(c->as_string())) {
      e.Set("cert_digest", facts->sha256_hex);
    }
  };
  return s;
}

}  // namespace kong::schema
