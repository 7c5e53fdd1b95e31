// LocalCounters: sharded, expiring counters shared by the worker threads.
#include "plugins/rate_limiting_counters.h"

namespace kong::plugins::ratelimit {

LocalCounters::Shard& LocalCounters::ShardOf(const HashedKey& key) {
  // The high bits pick the shard: the map inside uses the low ones for its buckets.
  return shards_[(key.hash >> 32) % kShards];
}

void LocalCounters::PruneLocked(Shard& shard, int64_t now_s) {
  if (now_s < shard.next_prune_s) return;
  shard.next_prune_s = now_s + 1;
  for (auto it = shard.counters.begin(); it != shard.counters.end();) {
    if (now_s >= it->second.expires_s) {
      it = shard.counters.erase(it);
    } else {
      ++it;
    }
  }
}

int64_t LocalCounters::Get(std::string_view key, size_t hash, int64_t now_s) {
  const HashedKey hashed{key, hash};
  Shard& shard = ShardOf(hashed);
  std::lock_guard lock(shard.mu);
  auto it = shard.counters.find(hashed);
  if (it == shard.counters.end() || now_s >= it->second.expires_s) return 0;
  return it->second.count;
}

template <typename Update>
int64_t LocalCounters::UpdateLive(std::string_view key, size_t hash, int64_t ttl_s,
                                  int64_t now_s, Update update) {
  const HashedKey hashed{key, hash};
  Shard& shard = ShardOf(hashed);
  std::lock_guard lock(shard.mu);
  PruneLocked(shard, now_s);
  auto it = shard.counters.find(hashed);
  if (it == shard.counters.end()) {
    it = shard.counters.emplace(std::string(key), Counter{0, now_s + ttl_s}).first;
  } else if (now_s >= it->second.expires_s) {
    it->second = Counter{0, now_s + ttl_s};
  }
  return update(it->second);
}

int64_t LocalCounters::Increment(std::string_view key, size_t hash, int64_t value,
                                 int64_t ttl_s, int64_t now_s) {
  return UpdateLive(key, hash, ttl_s, now_s, [value](Counter& counter) {
    counter.count += value;
    return counter.count;
  });
}

int64_t LocalCounters::CountIfBelow(std::string_view key, size_t hash, double limit,
                                    int64_t ttl_s, int64_t now_s) {
  return UpdateLive(key, hash, ttl_s, now_s, [limit](Counter& counter) {
    const int64_t before = counter.count;
    if (limit - static_cast<double>(before) > 0) ++counter.count;
    return before;
  });
}

size_t LocalCounters::size(int64_t now_s) {
  size_t n = 0;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    for (const auto& [key, counter] : shard.counters) n += now_s < counter.expires_s ? 1 : 0;
  }
  return n;
}

}  // namespace kong::plugins::ratelimit
