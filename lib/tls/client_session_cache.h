// Saved TLS sessions of a client context, per server, so reconnects resume (no ECDHE, no ECDSA).
#ifndef KONG_TLS_CLIENT_SESSION_CACHE_H_
#define KONG_TLS_CLIENT_SESSION_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace kong::tls {

// Serialized mbedTLS sessions (mbedtls_ssl_session_save) keyed by "host:port". Thread-safe:
// a client context may be shared by several loop threads.
class ClientSessionCache {
 public:
  explicit ClientSessionCache(size_t max_entries) : max_entries_(max_entries) {}

  // The saved session for `key`, or "" if none.
  std::string Find(const std::string& key) const;
  // Replaces the session for `key`; drops the oldest entry beyond max_entries.
  void Store(const std::string& key, std::string session);
  void Forget(const std::string& key);
  size_t size() const;
  bool enabled() const { return max_entries_ > 0; }

 private:
  struct Entry {
    std::string session;
    uint64_t stored_at = 0;  // insertion counter, for eviction
  };
  const size_t max_entries_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
  uint64_t counter_ = 0;
};

}  // namespace kong::tls

#endif  // KONG_TLS_CLIENT_SESSION_CACHE_H_
