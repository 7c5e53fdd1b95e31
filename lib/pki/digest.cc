// mbedTLS 3 renamed the *_ret one-shot digest functions; both return 0 unless the platform
// hardware accelerator fails, which Debian's software build never does.
#include "pki/digest.h"

#include <mbedtls/md5.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "base/macros.h"

namespace kong::pki {
namespace {

const unsigned char* Bytes(std::string_view data) {
  return reinterpret_cast<const unsigned char*>(data.data());
}

}  // namespace

std::array<unsigned char, 16> Md5(std::string_view data) {
  std::array<unsigned char, 16> out{};
#if MBEDTLS_VERSION_MAJOR >= 3
  int rc = mbedtls_md5(Bytes(data), data.size(), out.data());
#else
  int rc = mbedtls_md5_ret(Bytes(data), data.size(), out.data());
#endif
  KONG_DCHECK(rc == 0);
  return out;
}

std::array<unsigned char, 20> Sha1(std::string_view data) {
  std::array<unsigned char, 20> out{};
#if MBEDTLS_VERSION_MAJOR >= 3
  int rc = mbedtls_sha1(Bytes(data), data.size(), out.data());
#else
  int rc = mbedtls_sha1_ret(Bytes(data), data.size(), out.data());
#endif
  KONG_DCHECK(rc == 0);
  return out;
}

std::array<unsigned char, 32> Sha256(std::string_view data) {
  std::array<unsigned char, 32> out{};
#if MBEDTLS_VERSION_MAJOR >= 3
  int rc = mbedtls_sha256(Bytes(data), data.size(), out.data(), 0);
#else
  int rc = mbedtls_sha256_ret(Bytes(data), data.size(), out.data(), 0);
#endif
  KONG_DCHECK(rc == 0);
  return out;
}

}  // namespace kong::pki
