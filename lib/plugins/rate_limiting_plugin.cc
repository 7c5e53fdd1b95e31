// rate-limiting's Plugin: counts requests per client and window in the node's LocalCounters
// (policy local) or in Redis (policy redis), and rejects with error_code once a window is
// used up. Like Kong, a rejected request is not counted, and the count is read before it is
// incremented (two requests racing may both pass the last slot).
#include <array>
#include <charconv>
#include <chrono>
#include <memory>

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

// Lives in ctx.state() while a Redis reply is awaited: the reply handler touches the request
// only while this object (so the request) still exists.
struct RedisWait : PluginRequestState {
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

class RateLimiting final : public Plugin {
 public:
  RateLimiting(PluginSpec spec, Config config, ratelimit::LocalCounters* counters)
      : Plugin(std::move(spec)), config_(std::move(config)), counters_(counters) {}

  uint32_t phases() const override { return kAccessPhase; }

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

  // Headers for the response, and the rejection when a window is used up.
  Flow Decide(PluginContext& ctx, std::span<const WindowUsage> usage, int64_t now_ms) const {
    ratelimit::Verdict v =
        ratelimit::Evaluate(usage, now_ms, config_.hide_client_headers, &ctx.response_headers);
    if (!v.exceeded) return Flow::kContinue;
    http::HeaderMap headers;
    if (!config_.hide_client_headers) headers.Add("Retry-After", std::to_string(v.reset));
    ctx.Exit(config_.error_code, config_.error_message, std::move(headers));
    return Flow::kExit;
  }

  Flow AccessLocal(PluginContext& ctx, std::string_view id, int64_t now_ms) const {
    // Reused per thread: building the keys allocates nothing once the strings have grown.
    thread_local std::array<std::string, ratelimit::kPeriodCount> keys;
    std::array<size_t, ratelimit::kPeriodCount> hashes;
    std::array<WindowUsage, ratelimit::kPeriodCount> usage;
    const size_t n = config_.limits.size();
    const int64_t now_s = now_ms / 1000;
    for (size_t i = 0; i < n; ++i) {
      Key(i, id, now_ms, &keys[i]);
      hashes[i] = ratelimit::LocalCounters::Hash(keys[i]);
      const ratelimit::Limit& limit = config_.limits[i];
      usage[i] = {limit.period, limit.limit, counters_->Get(keys[i], hashes[i], now_s),
                  limit.limit_text};
    }
    Flow flow = Decide(ctx, std::span<const WindowUsage>(usage.data(), n), now_ms);
    if (flow != Flow::kContinue) return flow;
    for (size_t i = 0; i < n; ++i) {
      counters_->Increment(keys[i], hashes[i], 1, ratelimit::PeriodSeconds(usage[i].period),
                           now_s);
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
