// What the TLS layer and the cluster rules need to know about one X.509 certificate.
#ifndef KONG_TLS_CERTIFICATE_INFO_H_
#define KONG_TLS_CERTIFICATE_INFO_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "kong/status.h"

namespace kong::tls {

struct CertificateInfo {
  std::string der;         // the certificate as DER; empty when there is none
  std::string sha256_hex;  // lowercase hex SHA-256 of `der` (Kong's shared-mode fingerprint)
  std::string subject_cn;  // first CN of the subject, "" if none
  int64_t not_before = 0;  // validity, Unix seconds (UTC)
  int64_t not_after = 0;

  bool present() const { return !der.empty(); }
};

// Describes a DER certificate. kTls if it does not parse.
Result<CertificateInfo> DescribeDer(std::string_view der);

// Describes the first certificate of `pem_or_der` (PEM text, possibly a chain, or DER).
// kInvalidArgument naming `what` if nothing parses.
Result<CertificateInfo> DescribeCertificate(std::string_view pem_or_der, std::string_view what);

// Unix seconds as "2024-05-01T12:00:00Z", for messages.
std::string FormatUtc(int64_t unix_seconds);

}  // namespace kong::tls

#endif  // KONG_TLS_CERTIFICATE_INFO_H_
