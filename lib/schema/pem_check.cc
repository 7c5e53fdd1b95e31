// mbedTLS-backed certificate and key checks for the certificates and ca_certificates schemas.
#include "schema/pem_check.h"

#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "pki/digest.h"

#if MBEDTLS_VERSION_MAJOR >= 3
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#define KONG_CRT_CA_ISTRUE(crt) ((crt).MBEDTLS_PRIVATE(ca_istrue))
#else
#define KONG_CRT_CA_ISTRUE(crt) ((crt).ca_istrue)
#endif

namespace kong::schema {
namespace {

std::string MbedtlsReason(int rc) {
  char buf[160];
  mbedtls_strerror(rc, buf, sizeof buf);
  return buf;
}

// RAII owners so every exit path frees the mbedTLS contexts.
struct Crt {
  mbedtls_x509_crt crt;
  Crt() { mbedtls_x509_crt_init(&crt); }
  ~Crt() { mbedtls_x509_crt_free(&crt); }
  int Parse(std::string_view pem) {
    // PEM parsing needs the terminating NUL counted in the length.
    std::string buf(pem);
    return mbedtls_x509_crt_parse(&crt, reinterpret_cast<const unsigned char*>(buf.c_str()),
                                  buf.size() + 1);
  }
};

struct Pk {
  mbedtls_pk_context pk;
  Pk() { mbedtls_pk_init(&pk); }
  ~Pk() { mbedtls_pk_free(&pk); }
  int Parse(std::string_view pem) {
    std::string buf(pem);
    const auto* p = reinterpret_cast<const unsigned char*>(buf.c_str());
#if MBEDTLS_VERSION_MAJOR >= 3
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    int rc = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, nullptr, 0);
    if (rc == 0) {
      rc = mbedtls_pk_parse_key(&pk, p, buf.size() + 1, nullptr, 0, mbedtls_ctr_drbg_random,
                                &drbg);
    }
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return rc;
#else
    return mbedtls_pk_parse_key(&pk, p, buf.size() + 1, nullptr, 0);
#endif
  }
};

// DER of a public key; empty on failure. mbedtls writes at the end of the buffer.
std::string PublicDer(mbedtls_pk_context* pk) {
  std::vector<unsigned char> buf(8192);
  int n = mbedtls_pk_write_pubkey_der(pk, buf.data(), buf.size());
  if (n <= 0) return {};
  return std::string(reinterpret_cast<const char*>(buf.data() + buf.size() - n),
                     static_cast<size_t>(n));
}

KeyKind KindOf(const mbedtls_pk_context* pk) {
  switch (mbedtls_pk_get_type(pk)) {
    case MBEDTLS_PK_RSA:
    case MBEDTLS_PK_RSA_ALT:
    case MBEDTLS_PK_RSASSA_PSS: return KeyKind::kRsa;
    case MBEDTLS_PK_ECKEY:
    case MBEDTLS_PK_ECKEY_DH:
    case MBEDTLS_PK_ECDSA: return KeyKind::kEc;
    case MBEDTLS_PK_NONE: return KeyKind::kUnknown;
    default: return KeyKind::kOther;
  }
}

}  // namespace

std::optional<std::string> CertificateParseError(std::string_view pem) {
  Crt c;
  int rc = c.Parse(pem);
  if (rc < 0) return MbedtlsReason(rc);
  // A positive return counts certificates that failed inside a chain; the first must parse.
  if (c.crt.raw.len == 0) return std::string("no certificate found");
  return std::nullopt;
}

std::optional<std::string> KeyParseError(std::string_view pem) {
  Pk k;
  int rc = k.Parse(pem);
  if (rc != 0) return MbedtlsReason(rc);
  return std::nullopt;
}

std::optional<bool> CertificateMatchesKey(std::string_view cert_pem, std::string_view key_pem) {
  Crt c;
  Pk k;
  if (c.Parse(cert_pem) < 0 || c.crt.raw.len == 0 || k.Parse(key_pem) != 0) return std::nullopt;
  std::string a = PublicDer(&c.crt.pk);
  std::string b = PublicDer(&k.pk);
  return !a.empty() && a == b;
}

KeyKind CertificateKeyKind(std::string_view cert_pem) {
  Crt c;
  if (c.Parse(cert_pem) < 0 || c.crt.raw.len == 0) return KeyKind::kUnknown;
  return KindOf(&c.crt.pk);
}

std::optional<CertificateFacts> InspectCertificate(std::string_view cert_pem) {
  Crt c;
  if (c.Parse(cert_pem) < 0 || c.crt.raw.len == 0) return std::nullopt;
  CertificateFacts f;
  f.is_ca = KONG_CRT_CA_ISTRUE(c.crt) != 0;
  struct tm t = {};
  t.tm_year = c.crt.valid_to.year - 1900;
  t.tm_mon = c.crt.valid_to.mon - 1;
  t.tm_mday = c.crt.valid_to.day;
  t.tm_hour = c.crt.valid_to.hour;
  t.tm_min = c.crt.valid_to.min;
  t.tm_sec = c.crt.valid_to.sec;
  f.not_after = static_cast<double>(timegm(&t));
  std::array<unsigned char, 32> digest =
      pki::Sha256({reinterpret_cast<const char*>(c.crt.raw.p), c.crt.raw.len});
  char hex[65];
  for (int i = 0; i < 32; ++i) std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  f.sha256_hex = hex;
  return f;
}

}  // namespace kong::schema
