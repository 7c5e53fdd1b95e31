// Resolver: uv_getaddrinfo behind a per-loop cache with stale-while-refresh and coalescing.
#include "upstream/resolver.h"

#include <netdb.h>
#include <uv.h>

#include <cstring>
#include <unordered_map>

#include "base/macros.h"
#include "kong/uv.h"
#include "net/socket_address.h"
#include "net/timer.h"

namespace kong::upstream {
namespace {

using Addresses = std::vector<sockaddr_storage>;

// IPv4 answers first, then IPv6, each in getaddrinfo's order, ports zeroed.
Addresses CollectAddresses(const addrinfo* list) {
  Addresses out;
  for (int family : {AF_INET, AF_INET6}) {
    for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
      if (ai->ai_family != family) continue;
      sockaddr_storage ss;
      std::memset(&ss, 0, sizeof ss);
      std::memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
      if (family == AF_INET) {
        reinterpret_cast<sockaddr_in*>(&ss)->sin_port = 0;
      } else {
        reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port = 0;
      }
      out.push_back(ss);
    }
  }
  return out;
}

Status LookupError(const std::string& host, int status) {
  std::string what = "dns lookup " + host;
  switch (status) {
    case UV_EAI_NONAME:
    case UV_EAI_NODATA:
    case UV_EAI_ADDRFAMILY:
      return Status::NotFound(what + ": name not found");
    default:
      return Status::Unavailable(what + ": " + uv_strerror(status));
  }
}

}  // namespace

struct Resolver::Impl {
  struct Lookup;

  struct Entry {
    Addresses addresses;       // the last answer (may be stale)
    uint64_t fresh_until = 0;  // answer reused without a lookup until then
    uint64_t stale_until = 0;  // ...and served while a refresh runs until then
    Status error;              // the last failure, when there is no usable answer
    uint64_t error_until = 0;
    Lookup* lookup = nullptr;  // the getaddrinfo in flight
    std::vector<Callback> waiters;
    std::unique_ptr<net::Timer> deadline;
  };

  // Freed in its callback; `owner` is cleared when the resolver (or the timeout) lets go.
  struct Lookup {
    uv_getaddrinfo_t req;
    Impl* owner;
    std::string host;
  };

  Impl(EventLoop& l, ResolverOptions o) : loop(l), options(o) {}
  ~Impl() {
    if (destroyed != nullptr) *destroyed = true;
    for (auto& [host, entry] : cache) {
      if (entry.lookup != nullptr) entry.lookup->owner = nullptr;
    }
  }

  uint64_t Now() const { return uv_now(NativeHandle(loop)); }

  void StartLookup(const std::string& host, Entry& entry) {
    addrinfo hints;
    std::memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    auto* lookup = new Lookup{uv_getaddrinfo_t{}, this, host};
    lookup->req.data = lookup;
    ++lookups_started;
    int rc = uv_getaddrinfo(NativeHandle(loop), &lookup->req, &OnResolved, lookup->host.c_str(),
                            nullptr, &hints);
    if (rc != 0) {
      delete lookup;
      // Reported from the loop, like any miss.
      if (!entry.deadline) entry.deadline = std::make_unique<net::Timer>(loop);
      entry.deadline->Start(0, [this, host, rc] { Finish(host, LookupError(host, rc)); });
      return;
    }
    entry.lookup = lookup;
    if (!entry.deadline) entry.deadline = std::make_unique<net::Timer>(loop);
    entry.deadline->Start(options.timeout_ms, [this, host] {
      Finish(host, Status::Unavailable("dns lookup " + host + ": timed out"));
    });
  }

  static void OnResolved(uv_getaddrinfo_t* req, int status, addrinfo* res) noexcept {
    // Freed on return, after Finish() (which still clears the entry's pointer to it).
    std::unique_ptr<Lookup> lookup(static_cast<Lookup*>(req->data));
    Impl* owner = lookup->owner;
    const std::string& host = lookup->host;
    if (owner == nullptr) {
      uv_freeaddrinfo(res);
      return;
    }
    if (status < 0) {
      owner->Finish(host, LookupError(host, status));
      return;
    }
    Addresses addresses = CollectAddresses(res);
    uv_freeaddrinfo(res);
    if (addresses.empty()) {
      owner->Finish(host, Status::NotFound("dns lookup " + host + ": no ipv4 or ipv6 address"));
      return;
    }
    owner->Finish(host, std::move(addresses));
  }

  // Records the outcome and answers everyone waiting for `host`.
  void Finish(const std::string& host, Result<Addresses> outcome) {
    auto it = cache.find(host);
    if (it == cache.end()) return;
    Entry& entry = it->second;
    if (entry.lookup != nullptr) entry.lookup->owner = nullptr;  // a timeout wins the race
    entry.lookup = nullptr;
    if (entry.deadline) entry.deadline->Stop();
    const uint64_t now = Now();
    if (outcome.ok()) {
      entry.addresses = *outcome;
      entry.fresh_until = now + options.valid_ttl_ms;
      entry.stale_until = entry.fresh_until + options.stale_ttl_ms;
      entry.error = Status();
      entry.error_until = 0;
    } else if (entry.addresses.empty() || now >= entry.stale_until) {
      // A failed refresh keeps a stale answer usable until its stale window ends.
      entry.addresses.clear();
      entry.error = outcome.status();
      entry.error_until = now + options.error_ttl_ms;
    }
    std::vector<Callback> waiters = std::move(entry.waiters);
    entry.waiters.clear();
    bool gone = false;
    bool* previous = destroyed;
    destroyed = &gone;
    for (auto& done : waiters) {
      done(outcome);
      if (gone) {  // a callback destroyed the resolver
        if (previous != nullptr) *previous = true;
        return;
      }
    }
    destroyed = previous;
  }

  EventLoop& loop;
  ResolverOptions options;
  std::unordered_map<std::string, Entry> cache;
  size_t lookups_started = 0;
  bool* destroyed = nullptr;
};

Resolver::Resolver(EventLoop& loop, ResolverOptions options)
    : impl_(std::make_unique<Impl>(loop, options)) {}

Resolver::~Resolver() = default;

void Resolver::Resolve(const std::string& host, Callback done) {
  KONG_DCHECK(impl_->loop.IsCurrentThread());
  sockaddr_storage literal;
  if (net::ParseIpAddress(host, 0, &literal)) {
    done(Addresses{literal});
    return;
  }
  const uint64_t now = impl_->Now();
  Impl::Entry& entry = impl_->cache[host];
  if (!entry.addresses.empty() && now < entry.stale_until) {
    // Stale: answer now and refresh once in the background (dns_stale_ttl).
    if (now >= entry.fresh_until && entry.lookup == nullptr) impl_->StartLookup(host, entry);
    done(entry.addresses);
    return;
  }
  if (!entry.error.ok() && now < entry.error_until && entry.lookup == nullptr) {
    done(entry.error);
    return;
  }
  entry.waiters.push_back(std::move(done));
  if (entry.lookup == nullptr && !(entry.deadline && entry.deadline->active())) {
    impl_->StartLookup(host, entry);
  }
}

void Resolver::Clear() {
  for (auto it = impl_->cache.begin(); it != impl_->cache.end();) {
    Impl::Entry& entry = it->second;
    if (entry.lookup == nullptr && entry.waiters.empty()) {
      it = impl_->cache.erase(it);
      continue;
    }
    entry.addresses.clear();
    entry.error = Status();
    entry.fresh_until = entry.stale_until = entry.error_until = 0;
    ++it;
  }
}

size_t Resolver::lookups_started() const { return impl_->lookups_started; }

}  // namespace kong::upstream
