// Loading certificates and keys given as a path, inline PEM or base64 of PEM (Kong 3.x rules).
#ifndef KONG_PKI_PEM_H_
#define KONG_PKI_PEM_H_

#include <optional>
#include <string>
#include <string_view>

#include "kong/status.h"

namespace kong::pki {

enum class PemKind {
  kCertificate,  // one X.509 certificate or a chain/bundle of them
  kPrivateKey,   // an unencrypted private key (PKCS#1, SEC1 or PKCS#8)
};

// Reads `value` the way Kong 3.x reads cluster_cert, cluster_cert_key, cluster_ca_cert and
// ssl_cert: the path of an existing file (relative to the current directory), else base64 of
// the content if `value` decodes as base64, else the content itself. The content must then
// parse with mbedTLS as `kind` (PEM or DER). Returns the content as PEM text: PEM input is
// returned unchanged, DER input is converted.
// Errors (kInvalidArgument): "failed loading certificate from <source>" or "failed loading key
// from <source>", where <source> is the path for a file and SourceName(value) otherwise, so no
// key material is ever printed.
Result<std::string> LoadPemSource(std::string_view value, PemKind kind);

// True when `value` names an existing file or folder (Kong's pl.path.exists test).
bool IsExistingPath(std::string_view value);

// How to name `value` in a message: the value itself when it reads like a path, otherwise
// "<inline PEM>" (it holds PEM armour or line breaks) or "<base64 PEM>" (base64 of PEM, or any
// run of more than 32 base64 characters).
std::string SourceName(std::string_view value);

// Standard base64 (RFC 4648 alphabet, '=' padding; line breaks tolerated as by mbedTLS).
// nullopt when `text` is not valid base64 or decodes to nothing.
std::optional<std::string> DecodeBase64(std::string_view text);

// True when `content` (PEM or DER) parses as `kind`.
bool ParsesAs(std::string_view content, PemKind kind);

}  // namespace kong::pki

#endif  // KONG_PKI_PEM_H_
