// The X.509/PEM facts that certificate schemas check, computed with mbedTLS (no mbedTLS type
// leaves this file): parse errors, cert/key match, key types, CA constraint, expiry, digest.
#ifndef KONG_SCHEMA_PEM_CHECK_H_
#define KONG_SCHEMA_PEM_CHECK_H_

#include <optional>
#include <string>
#include <string_view>

namespace kong::schema {

// nullopt when `pem` holds at least one parseable certificate, else the parser's reason.
std::optional<std::string> CertificateParseError(std::string_view pem);
// nullopt when `pem` holds a parseable (unencrypted) private key, else the reason. The key
// text never appears in the reason.
std::optional<std::string> KeyParseError(std::string_view pem);

// Whether the first certificate's public key is the key's public half. nullopt when either
// does not parse.
std::optional<bool> CertificateMatchesKey(std::string_view cert_pem, std::string_view key_pem);

enum class KeyKind { kUnknown, kRsa, kEc, kOther };
// The public key algorithm of the first certificate.
KeyKind CertificateKeyKind(std::string_view cert_pem);

struct CertificateFacts {
  bool is_ca = false;      // basicConstraints present with CA:TRUE
  double not_after = 0;    // seconds since the epoch
  std::string sha256_hex;  // digest of the DER encoding (Kong's cert_digest)
};
// Facts about the first certificate; nullopt when it does not parse.
std::optional<CertificateFacts> InspectCertificate(std::string_view cert_pem);

}  // namespace kong::schema

#endif  // KONG_SCHEMA_PEM_CHECK_H_
