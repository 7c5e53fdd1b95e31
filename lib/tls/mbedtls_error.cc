// mbedTLS errors become Status here, once (style.md §2.6).
#include "tls/mbedtls_error.h"

#include <mbedtls/error.h>
#include <mbedtls/x509.h>

#include <cstdio>

namespace kong::tls {

std::string MbedtlsErrorText(int rc) {
  char text[160];
  mbedtls_strerror(rc, text, sizeof text);
  char code[24];
  std::snprintf(code, sizeof code, " (-0x%04x)", static_cast<unsigned>(rc < 0 ? -rc : rc));
  return std::string(text) + code;
}

Status MbedtlsError(int rc, std::string_view what) {
  return Status::Tls(std::string(what) + ": " + MbedtlsErrorText(rc));
}

std::string VerifyFailureText(uint32_t flags, std::string_view expected_name) {
  struct Reason {
    uint32_t flag;
    const char* text;
  };
  // Certificate reasons first, in the order an operator would look at them; CRL flags last.
  static constexpr Reason kReasons[] = {
      {MBEDTLS_X509_BADCERT_MISSING, "no certificate was presented"},
      {MBEDTLS_X509_BADCERT_EXPIRED, "certificate has expired"},
      {MBEDTLS_X509_BADCERT_FUTURE, "certificate is not yet valid"},
      {MBEDTLS_X509_BADCERT_NOT_TRUSTED, "certificate is not trusted (not signed by a trusted ca)"},
      {MBEDTLS_X509_BADCERT_CN_MISMATCH, nullptr},  // needs the expected name, below
      {MBEDTLS_X509_BADCERT_REVOKED, "certificate has been revoked"},
      {MBEDTLS_X509_BADCERT_KEY_USAGE, "certificate key usage does not allow this use"},
      {MBEDTLS_X509_BADCERT_EXT_KEY_USAGE,
       "certificate extended key usage does not allow this use"},
      {MBEDTLS_X509_BADCERT_NS_CERT_TYPE, "certificate netscape type does not allow this use"},
      {MBEDTLS_X509_BADCERT_BAD_MD, "certificate is signed with an unacceptable hash"},
      {MBEDTLS_X509_BADCERT_BAD_PK, "certificate is signed with an unacceptable key algorithm"},
      {MBEDTLS_X509_BADCERT_BAD_KEY, "certificate key is unacceptable (curve or size)"},
      {MBEDTLS_X509_BADCERT_SKIP_VERIFY, "certificate verification was skipped"},
      {MBEDTLS_X509_BADCERT_OTHER, "certificate was refused"},
      {MBEDTLS_X509_BADCRL_NOT_TRUSTED, "crl is not trusted"},
      {MBEDTLS_X509_BADCRL_EXPIRED, "crl has expired"},
      {MBEDTLS_X509_BADCRL_FUTURE, "crl is not yet valid"},
      {MBEDTLS_X509_BADCRL_BAD_MD, "crl is signed with an unacceptable hash"},
      {MBEDTLS_X509_BADCRL_BAD_PK, "crl is signed with an unacceptable key algorithm"},
      {MBEDTLS_X509_BADCRL_BAD_KEY, "crl key is unacceptable"},
  };
  std::string out;
  uint32_t known = 0;
  for (const Reason& r : kReasons) {
    known |= r.flag;
    if ((flags & r.flag) == 0) continue;
    if (!out.empty()) out += ", ";
    if (r.flag == MBEDTLS_X509_BADCERT_CN_MISMATCH) {
      out += expected_name.empty()
                 ? std::string("certificate name does not match")
                 : "certificate name does not match '" + std::string(expected_name) + "'";
    } else {
      out += r.text;
    }
  }
  if ((flags & ~known) != 0) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "verification flags 0x%x", flags & ~known);
    if (!out.empty()) out += ", ";
    out += buf;
  }
  return out;
}

std::string AlertName(int description) {
  switch (description) {
    case 0:
      return "close_notify";
    case 10:
      return "unexpected_message";
    case 20:
      return "bad_record_mac";
    case 22:
      return "record_overflow";
    case 40:
      return "handshake_failure";
    case 42:
      return "bad_certificate";
    case 43:
      return "unsupported_certificate";
    case 44:
      return "certificate_revoked";
    case 45:
      return "certificate_expired";
    case 46:
      return "certificate_unknown";
    case 47:
      return "illegal_parameter";
    case 48:
      return "unknown_ca";
    case 49:
      return "access_denied";
    case 50:
      return "decode_error";
    case 51:
      return "decrypt_error";
    case 70:
      return "protocol_version";
    case 71:
      return "insufficient_security";
    case 80:
      return "internal_error";
    case 90:
      return "user_canceled";
    case 100:
      return "no_renegotiation";
    case 112:
      return "unrecognized_name";
    case 116:
      return "certificate_required";
    case 120:
      return "no_application_protocol";
    default:
      return "alert " + std::to_string(description);
  }
}

}  // namespace kong::tls
