// The random source of every TLS context: one CTR-DRBG per thread, so workers never contend.
#ifndef KONG_TLS_THREAD_RANDOM_H_
#define KONG_TLS_THREAD_RANDOM_H_

#include <cstddef>

namespace kong::tls {

// mbedTLS's f_rng signature; `p_rng` is ignored. The calling thread's DRBG is seeded from the
// system entropy source on first use and freed when the thread exits. Returns 0 or a negative
// mbedTLS error (seeding failed). Safe from any thread.
int ThreadRandom(void* p_rng, unsigned char* out, size_t len) noexcept;

}  // namespace kong::tls

#endif  // KONG_TLS_THREAD_RANDOM_H_
