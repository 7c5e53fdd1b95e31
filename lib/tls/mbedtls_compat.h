// The few mbedTLS 2.28 / 3.x differences lib/tls depends on, kept in one place (style.md §3.1).
#ifndef KONG_TLS_MBEDTLS_COMPAT_H_
#define KONG_TLS_MBEDTLS_COMPAT_H_

#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>

#include <cstddef>

namespace kong::tls::compat {

#if MBEDTLS_VERSION_MAJOR >= 3
#define KONG_MBEDTLS_FIELD(f) MBEDTLS_PRIVATE(f)
#else
#define KONG_MBEDTLS_FIELD(f) f
#endif

// The handshake state the next mbedtls_ssl_handshake_step() will process. 2.28 has no public
// "was this session resumed" query, so TlsTransport watches which states a handshake visits.
inline int HandshakeState(const mbedtls_ssl_context& ssl) { return ssl.KONG_MBEDTLS_FIELD(state); }

// The description byte of the last alert received; meaningful right after an
// MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE (the record is still in the input buffer).
inline int LastAlertDescription(const mbedtls_ssl_context& ssl) {
  const unsigned char* msg = ssl.KONG_MBEDTLS_FIELD(in_msg);
  return msg == nullptr ? -1 : msg[1];
}

inline int Sha256(const unsigned char* data, size_t len, unsigned char out[32]) {
#if MBEDTLS_VERSION_MAJOR >= 3
  return mbedtls_sha256(data, len, out, 0);
#else
  return mbedtls_sha256_ret(data, len, out, 0);
#endif
}

inline int ParseKey(mbedtls_pk_context* pk, const unsigned char* key, size_t len,
                    int (*f_rng)(void*, unsigned char*, size_t)) {
#if MBEDTLS_VERSION_MAJOR >= 3
  return mbedtls_pk_parse_key(pk, key, len, nullptr, 0, f_rng, nullptr);
#else
  (void)f_rng;
  return mbedtls_pk_parse_key(pk, key, len, nullptr, 0);
#endif
}

inline int CheckKeyPair(const mbedtls_pk_context* pub, const mbedtls_pk_context* prv,
                        int (*f_rng)(void*, unsigned char*, size_t)) {
#if MBEDTLS_VERSION_MAJOR >= 3
  return mbedtls_pk_check_pair(pub, prv, f_rng, nullptr);
#else
  (void)f_rng;
  return mbedtls_pk_check_pair(pub, prv);
#endif
}

}  // namespace kong::tls::compat

#endif  // KONG_TLS_MBEDTLS_COMPAT_H_
