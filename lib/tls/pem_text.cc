// mbedTLS's PEM parsers need the terminating NUL counted in the length (style.md §3.1 gotcha).
#include "tls/pem_text.h"

#include <mbedtls/platform_util.h>
#include <mbedtls/x509.h>

#include <string>

#include "tls/mbedtls_compat.h"
#include "tls/thread_random.h"

namespace kong::tls {
namespace {

bool IsPem(std::string_view text) { return text.find("-----BEGIN ") != std::string_view::npos; }

}  // namespace

int ParseCertificates(mbedtls_x509_crt* chain, std::string_view text) {
  if (text.empty()) return MBEDTLS_ERR_X509_BAD_INPUT_DATA;
  const std::string copy(text);  // NUL-terminated
  const auto* data = reinterpret_cast<const unsigned char*>(copy.c_str());
  size_t len = IsPem(text) ? copy.size() + 1 : copy.size();
  int rc = mbedtls_x509_crt_parse(chain, data, len);
  // A positive result counts the bundle entries that failed to parse.
  return rc > 0 ? MBEDTLS_ERR_X509_INVALID_FORMAT : rc;
}

int ParsePrivateKey(mbedtls_pk_context* key, std::string_view text) {
  if (text.empty()) return MBEDTLS_ERR_PK_KEY_INVALID_FORMAT;
  std::string copy(text);
  size_t len = IsPem(text) ? copy.size() + 1 : copy.size();
  int rc = compat::ParseKey(key, reinterpret_cast<const unsigned char*>(copy.c_str()), len,
                            &ThreadRandom);
  mbedtls_platform_zeroize(copy.data(), copy.size());  // key material: wipe the copy
  return rc;
}

}  // namespace kong::tls
