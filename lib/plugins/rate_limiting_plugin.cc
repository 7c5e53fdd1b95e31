// rate-limiting's Plugin: counts requests per client and window in the node's LocalCounters
// (policy local) or in Redis (policy redis), and rejects with error_code once a window is
// used up. Like Kong, a rejected request is not counted, and the count is read before it is
// incremented (two requests racing may both pass the last slot).
#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <memory>
#include <vector>

#include "base/recycling_allocator.h"
#include "plugins/factory.h"
#include "plugins/rate_limiting.h"
#include "plugins/rate_limiting_counters.h"
#include "plugins/state.h"

namespace kong::plugins {
namespace {

using ratelimit::Config;
using ratelimit::WindowUsage;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The usage a request was judged on (ctx.state()): its headers are written into the answer
// once it is built (ResponseHeaders). No windows: no headers. One is made and dropped per
// request: its blocks are recycled per thread (RedisWait, larger, comes from the heap).
struct Judged : PluginRequestState, base::Recycled<Judged> {
  std::array<WindowUsage, ratelimit::kPeriodCount> usage;
  size_t windows = 0;
  int64_t now_ms = 0;
};

// ctx.state() while a Redis reply is awaited: the reply handler touches the request only
// while this object (so the request) still exists.
struct RedisWait : Judged {
  std::shared_ptr<int> alive = std::make_shared<int>(0);
};

int64_t UsageOf(const redis::Reply& r) {
  if (r.kind == redis::Reply::Kind::kInteger) return r.integer;
  int64_t v = 0;
  if (r.kind == redis::Reply::Kind::kString) {
    std::from_chars(r.str.data(), r.str.data() + r.str.size(), v);
  }
  return v;
}

// The local policy's counter keys of the last request a thread counted, with their hashes:
// they change per client and once per window (a second at most), so most requests reuse them.
struct LocalKeys {
  uint64_t plugin = 0;  // RateLimiting::serial_ (0: none yet)
  std::string id;
  std::array<int64_t, ratelimit::kPeriodCount> starts{};
  std::array<std::string, ratelimit::kPeriodCount> keys;
  std::array<size_t, ratelimit::kPeriodCount> hashes{};
};

class RateLimiting final : public Plugin {
 public:
  RateLimiting(PluginSpec spec, Config config, ratelimit::LocalCounters* counters)
      : Plugin(std::move(spec)), config_(std::move(config)), counters_(counters) {}

  uint32_t phases() const override { return kAccessPhase | kResponseHeadersPhase; }

  Flow Access(PluginContext& ctx) const override {
    const int64_t now_ms = NowMs();
    const std::string_view id = ratelimit::Identify(ctx, config_);
    if (config_.policy == ratelimit::Policy::kRedis) return AccessRedis(ctx, id, now_ms);
    return AccessLocal(ctx, id, now_ms);
  }

 private:
  void Key(size_t i, std::string_view id, int64_t now_ms, std::string* out) const {
    const ratelimit::Period p = config_.limits[i].period;
    ratelimit::CounterKey(config_.route_id, config_.service_id, id, p,
                          ratelimit::PeriodStartMs(p, now_ms), out);
  }

  void ResponseHeaders(PluginContext& ctx, http::HeaderEdits& edits) const override {
    const auto* judged = static_cast<const Judged*>(ctx.peek_state());
    if (judged == nullptr || judged->windows == 0) return;
    ratelimit::Evaluate(std::span<const WindowUsage>(judged->usage.data(), judged->windows),
                        judged->now_ms, /*hide_headers=*/false, &edits);
  }

  // The rejection when a window is used up; the usage is kept for the response's headers.
  Flow Decide(PluginContext& ctx, std::span<const WindowUsage> usage, int64_t now_ms) const {
    // The verdict alone (hide_headers: no reset); only a rejection's Retry-After needs one.
    ratelimit::Verdict v = ratelimit::Evaluate(usage, now_ms, /*hide_headers=*/true, nullptr);
    if (!config_.hide_client_headers) {
      std::unique_ptr<PluginRequestState>& state = ctx.state();
      if (state == nullptr) state = std::make_unique<Judged>();
      auto& judged = static_cast<Judged&>(*state);
      std::copy(usage.begin(), usage.end(), judged.usage.begin());
      judged.windows = usage.size();
      judged.now_ms = now_ms;
    }
    if (!v.exceeded) return Flow::kContinue;
    http::HeaderMap headers;
    if (!config_.hide_client_headers) {
      v = ratelimit::Evaluate(usage, now_ms, /*hide_headers=*/false, nullptr);
      headers.Add("Retry-After", std::to_string(v.reset));
    }
    ctx.Exit(config_.error_code, config_.error_message, std::move(headers));
    return Flow::kExit;
  }

  // This request's keys and hashes, in the thread's LocalKeys (reused while the plugin, the
  // client and the windows stay the same; rebuilt in place, without allocating, otherwise).
  const LocalKeys& LocalKeysFor(std::string_view id, int64_t now_ms) const {
    [[gnu::tls_model("initial-exec")]] thread_local LocalKeys cache;
    const bool same_client = cache.plugin == serial_ && cache.id == id;
    if (!same_client) {
      cache.plugin = serial_;
      cache.id.assign(id);
    }
    for (size_t i = 0; i < config_.limits.size(); ++i) {
      const int64_t start = ratelimit::PeriodStartMs(config_.limits[i].period, now_ms);
      if (same_client && cache.starts[i] == start) continue;
      cache.starts[i] = start;
      Key(i, id, now_ms, &cache.keys[i]);
      cache.hashes[i] = ratelimit::LocalCounters::Hash(cache.keys[i]);
    }
    return cache;
  }

  Flow AccessLocal(PluginContext& ctx, std::string_view id, int64_t now_ms) const {
    const LocalKeys& keys = LocalKeysFor(id, now_ms);
    std::array<WindowUsage, ratelimit::kPeriodCount> usage;
    const size_t n = config_.limits.size();
    const int64_t now_s = now_ms / 1000;
    for (size_t i = 0; i < n; ++i) {
      const ratelimit::Limit& limit = config_.limits[i];
      // One window: read and count in one lookup (a rejected request is not counted).
      const int64_t used =
          n == 1 ? counters_->CountIfBelow(keys.keys[i], keys.hashes[i], limit.limit,
                                           ratelimit::PeriodSeconds(limit.period), now_s)
                 : counters_->Get(keys.keys[i], keys.hashes[i], now_s);
      usage[i] = {limit.period, limit.limit, used, limit.limit_text};
    }
    Flow flow = Decide(ctx, std::span<const WindowUsage>(usage.data(), n), now_ms);
    if (flow != Flow::kContinue || n == 1) return flow;
    for (size_t i = 0; i < n; ++i) {
      counters_->Increment(keys.keys[i], keys.hashes[i], 1,
                           ratelimit::PeriodSeconds(usage[i].period), now_s);
    }
    return Flow::kContinue;
  }

  Flow AccessRedis(PluginContext& ctx, std::string_view id, int64_t now_ms) const {
    std::vector<std::string> keys(config_.limits.size());
    std::vector<redis::Command> gets;
    gets.reserve(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      Key(i, id, now_ms, &keys[i]);
      gets.push_back({"GET", keys[i]});
    }
    redis::RedisConnection& connection =
        ctx.worker.Get<redis::RedisConnections>().Get(config_.redis_key, config_.redis);
    auto wait = std::make_unique<RedisWait>();
    std::weak_ptr<int> alive = wait->alive;
    ctx.state() = std::move(wait);
    std::function<void()> resume = ctx.Suspend();
    connection.Pipeline(
        std::move(gets), [this, &ctx, &connection, alive, keys = std::move(keys), now_ms,
                          resume = std::move(resume)](Result<std::vector<redis::Reply>> r) {
          if (alive.expired()) return;  // the request ended meanwhile
          OnUsage(ctx, connection, keys, now_ms, std::move(r));
          resume();
        });
    return Flow::kWait;
  }

  void OnUsage(PluginContext& ctx, redis::RedisConnection& connection,
               const std::vector<std::string>& keys, int64_t now_ms,
               Result<std::vector<redis::Reply>> replies) const {
    bool failed = !replies.ok() || replies->size() != keys.size();
    if (!failed) {
      for (const redis::Reply& reply : *replies) failed |= reply.kind == redis::Reply::Kind::kError;
    }
    if (failed) {
      // Kong: fault_tolerant lets the request through without headers; otherwise the
      // handler's error() becomes a 500.
      if (!config_.fault_tolerant) ctx.Exit(500, "An unexpected error occurred");
      return;
    }
    std::array<WindowUsage, ratelimit::kPeriodCount> usage;
    for (size_t i = 0; i < keys.size(); ++i) {
      const ratelimit::Limit& limit = config_.limits[i];
      usage[i] = {limit.period, limit.limit, UsageOf((*replies)[i]), limit.limit_text};
    }
    if (Decide(ctx, std::span<const WindowUsage>(usage.data(), keys.size()), now_ms) !=
        Flow::kContinue) {
      return;
    }
    // policies/init.lua redis.increment: INCRBY and EXPIRE per window in one pipeline, not
    // awaited (Kong runs it in a timer).
    std::vector<redis::Command> increments;
    increments.reserve(keys.size() * 2);
    for (size_t i = 0; i < keys.size(); ++i) {
      increments.push_back({"INCRBY", keys[i], "1"});
      increments.push_back(
          {"EXPIRE", keys[i], std::to_string(ratelimit::PeriodSeconds(usage[i].period))});
    }
    connection.Pipeline(std::move(increments), [](Result<std::vector<redis::Reply>>) {});
  }

  Config config_;
  ratelimit::LocalCounters* counters_;  // the node's, in SharedState
  // Names this instance in the threads' LocalKeys: unlike its address, never reused.
  const uint64_t serial_ = NextSerial();

  static uint64_t NextSerial() {
    static std::atomic<uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
  }
};

}  // namespace

PluginDescriptor RateLimitingDescriptor() {
  PluginDescriptor d;
  d.name = "rate-limiting";
  d.priority = 910;
  d.create = [](PluginSpec spec, const PluginEnv& env) -> Result<std::unique_ptr<Plugin>> {
    auto parsed = ratelimit::ParseConfig(spec.config, spec);
    if (!parsed.ok()) return parsed.status();
    if (env.shared == nullptr) return Status::Internal("rate-limiting: no shared state");
    auto* counters = &env.shared->Get<ratelimit::LocalCounters>();
    return std::unique_ptr<Plugin>(
        std::make_unique<RateLimiting>(std::move(spec), std::move(*parsed), counters));
  };
  return d;
}

}  // namespace kong::plugins
