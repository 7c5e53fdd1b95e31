// Feeding PEM (or DER) text to mbedTLS's certificate and key parsers.
#ifndef KONG_TLS_PEM_TEXT_H_
#define KONG_TLS_PEM_TEXT_H_

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <string_view>

namespace kong::tls {

// Appends every certificate of `text` (PEM, one or more, or one DER) to `chain`. Returns 0 or
// a negative mbedTLS error; a PEM bundle with any unparsable entry is an error.
int ParseCertificates(mbedtls_x509_crt* chain, std::string_view text);

// Parses an unencrypted private key (PEM or DER) into `key`. 0 or a negative mbedTLS error.
int ParsePrivateKey(mbedtls_pk_context* key, std::string_view text);

}  // namespace kong::tls

#endif  // KONG_TLS_PEM_TEXT_H_
