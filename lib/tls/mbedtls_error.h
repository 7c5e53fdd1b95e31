// mbedTLS error codes, certificate verification flags and TLS alerts as readable text.
#ifndef KONG_TLS_MBEDTLS_ERROR_H_
#define KONG_TLS_MBEDTLS_ERROR_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "kong/status.h"

namespace kong::tls {

// kTls "<what>: <mbedtls_strerror text> (-0x2700)". The text never contains key material.
Status MbedtlsError(int rc, std::string_view what);

// mbedtls_strerror() plus the code: "X509 - Certificate verification failed, ... (-0x2700)".
std::string MbedtlsErrorText(int rc);

// The reasons behind X.509 verification flags (MBEDTLS_X509_BADCERT_*), lowercase and joined
// with ", ": "certificate has expired, certificate is not trusted". "" for 0.
// `expected_name` (may be empty) names the host a CN mismatch was checked against.
std::string VerifyFailureText(uint32_t flags, std::string_view expected_name = {});

// The RFC 5246 name of an alert description ("bad_certificate"), or "alert <n>".
std::string AlertName(int description);

}  // namespace kong::tls

#endif  // KONG_TLS_MBEDTLS_ERROR_H_
