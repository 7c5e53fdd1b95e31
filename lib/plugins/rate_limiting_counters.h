// LocalCounters: rate-limiting's `local` policy store (Kong's kong_rate_limiting_counters
// shm), one per node: every worker thread counts in it and it outlives configuration
// snapshots (held in SharedState). Thread-safe; keys hash to one of 64 shards, each with its
// own mutex, so threads counting different clients rarely meet on a lock.
#ifndef KONG_PLUGINS_RATE_LIMITING_COUNTERS_H_
#define KONG_PLUGINS_RATE_LIMITING_COUNTERS_H_

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kong::plugins::ratelimit {

class LocalCounters {
 public:
  LocalCounters() = default;
  LocalCounters(const LocalCounters&) = delete;
  LocalCounters& operator=(const LocalCounters&) = delete;

  // The count of `key` at `now_s` (seconds since the epoch): 0 when absent or expired.
  int64_t Get(std::string_view key, int64_t now_s) { return Get(key, Hash(key), now_s); }
  // Adds `value` (shm:incr(key, value, 0, ttl)): a new or expired counter starts at 0 and
  // lives `ttl_s` seconds from now. Returns the new count. Expired counters of the shard are
  // dropped at most once a second.
  int64_t Increment(std::string_view key, int64_t value, int64_t ttl_s, int64_t now_s) {
    return Increment(key, Hash(key), value, ttl_s, now_s);
  }
  // The same with the key's Hash() computed once by a caller that reads then increments it.
  static size_t Hash(std::string_view key) { return std::hash<std::string_view>()(key); }
  int64_t Get(std::string_view key, size_t hash, int64_t now_s);
  int64_t Increment(std::string_view key, size_t hash, int64_t value, int64_t ttl_s,
                    int64_t now_s);
  // Get, then Increment by 1 only when the count was below `limit` (the request passes), in
  // one locked lookup. Returns the count before. For a single window, where reading and
  // counting cannot disagree with another window's verdict.
  int64_t CountIfBelow(std::string_view key, size_t hash, double limit, int64_t ttl_s,
                       int64_t now_s);
  // Live counters (tests).
  size_t size(int64_t now_s);

 private:
  struct Counter {
    int64_t count = 0;
    int64_t expires_s = 0;  // dead when now >= expires_s
  };
  // A key with its hash, computed once per call: the shard choice and the map lookup share it.
  struct HashedKey {
    std::string_view key;
    size_t hash;
  };
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return Hash(s); }
    size_t operator()(const HashedKey& k) const { return k.hash; }
  };
  struct KeyEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
    bool operator()(const HashedKey& a, std::string_view b) const { return a.key == b; }
    bool operator()(std::string_view a, const HashedKey& b) const { return a == b.key; }
  };
  struct alignas(64) Shard {
    std::mutex mu;
    std::unordered_map<std::string, Counter, KeyHash, KeyEqual> counters;
    int64_t next_prune_s = 0;
  };
  static constexpr size_t kShards = 64;

  Shard& ShardOf(const HashedKey& key);
  static void PruneLocked(Shard& shard, int64_t now_s);
  // Returns `update(counter)` run under the shard's lock on the live counter of `key` (a new
  // or expired one restarts at 0 for `ttl_s`).
  template <typename Update>
  int64_t UpdateLive(std::string_view key, size_t hash, int64_t ttl_s, int64_t now_s,
                     Update update);

  std::array<Shard, kShards> shards_;
};

}  // namespace kong::plugins::ratelimit

#endif  // KONG_PLUGINS_RATE_LIMITING_COUNTERS_H_
