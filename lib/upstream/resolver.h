// Resolver: asynchronous DNS for service hosts, with a per-loop cache.
#ifndef KONG_UPSTREAM_RESOLVER_H_
#define KONG_UPSTREAM_RESOLVER_H_

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kong/event_loop.h"
#include "kong/status.h"

namespace kong::upstream {

struct ResolverOptions {
  // How long an answer is reused. getaddrinfo exposes no record TTL, so one TTL applies to
  // every name (Kong's dns_valid_ttl, when set, does the same); documented in
  // docs/differences-from-kong.md.
  uint64_t valid_ttl_ms = 30000;
  // After the TTL, a stale answer keeps being used while one refresh runs in the background
  // (kong.conf dns_stale_ttl, default 4 s): a slow DNS server never stalls known names.
  uint64_t stale_ttl_ms = 4000;
  // A failed lookup is remembered this long (Kong's dns_error_ttl 1 s).
  uint64_t error_ttl_ms = 1000;
  // Deadline for one lookup; the error is "dns lookup <host>: timed out".
  uint64_t timeout_ms = 5000;
};

// One per worker loop. Loop thread only. IP literals ("10.0.0.1", "::1", "[::1]") answer inside
// Resolve() without a lookup; names go through uv_getaddrinfo (libuv's thread pool, so
// /etc/hosts applies). Concurrent lookups of one name share a single getaddrinfo call.
class Resolver {
 public:
  // Addresses with port 0 (the caller sets the port); IPv4 first, then IPv6, as returned.
  using Callback = std::function<void(Result<std::vector<sockaddr_storage>> addresses)>;

  Resolver(EventLoop& loop, ResolverOptions options = {});
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;
  // Pending callbacks are dropped (never called); in-flight getaddrinfo requests finish in
  // libuv's pool and are discarded.
  ~Resolver();

  // Cached answers call `done` inside Resolve() (no extra loop turn: this is the hot path);
  // misses call it later. Errors: kNotFound "dns lookup <host>: name not found",
  // kUnavailable for timeouts and server failures.
  void Resolve(const std::string& host, Callback done);

  // Drops every cached answer (tests, reload).
  void Clear();

  // getaddrinfo calls started so far (tests: proves caching and coalescing).
  size_t lookups_started() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kong::upstream

#endif  // KONG_UPSTREAM_RESOLVER_H_
