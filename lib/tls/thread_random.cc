// One CTR-DRBG per thread: a shared ssl_config may be used from several loop threads at once.
#include "tls/thread_random.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>

namespace kong::tls {
namespace {

class ThreadDrbg {
 public:
  ThreadDrbg() {
    mbedtls_entropy_init(&entropy_);
    mbedtls_ctr_drbg_init(&drbg_);
    static constexpr char kPersonalization[] = "libkonghybrid tls";
    seed_rc_ = mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_,
                                     reinterpret_cast<const unsigned char*>(kPersonalization),
                                     sizeof kPersonalization - 1);
  }
  ~ThreadDrbg() {
    mbedtls_ctr_drbg_free(&drbg_);
    mbedtls_entropy_free(&entropy_);
  }
  ThreadDrbg(const ThreadDrbg&) = delete;
  ThreadDrbg& operator=(const ThreadDrbg&) = delete;

  int Random(unsigned char* out, size_t len) {
    if (seed_rc_ != 0) return seed_rc_;
    // mbedtls_ctr_drbg_random serves at most MBEDTLS_CTR_DRBG_MAX_REQUEST bytes per call.
    while (len > 0) {
      size_t n = len < MBEDTLS_CTR_DRBG_MAX_REQUEST ? len : MBEDTLS_CTR_DRBG_MAX_REQUEST;
      int rc = mbedtls_ctr_drbg_random(&drbg_, out, n);
      if (rc != 0) return rc;
      out += n;
      len -= n;
    }
    return 0;
  }

 private:
  mbedtls_entropy_context entropy_;
  mbedtls_ctr_drbg_context drbg_;
  int seed_rc_ = 0;
};

}  // namespace

int ThreadRandom(void*, unsigned char* out, size_t len) noexcept {
  thread_local ThreadDrbg drbg;
  return drbg.Random(out, len);
}

}  // namespace kong::tls
