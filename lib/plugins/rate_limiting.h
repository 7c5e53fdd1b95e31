// rate-limiting (kong-entities.md §6.4, Kong 3.10 handler.lua and policies/init.lua): its
// compiled config, the client identifier (limit_by with Kong's fallback to the client IP) and
// the verdict with its X-RateLimit-* / RateLimit-* headers. The Plugin itself is in
// rate_limiting_plugin.cc; these pieces are pure so tests can check them directly.
#ifndef KONG_PLUGINS_RATE_LIMITING_H_
#define KONG_PLUGINS_RATE_LIMITING_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/header_edits.h"
#include "json/value.h"
#include "kong/status.h"
#include "plugins/plugin.h"
#include "plugins/rate_limiting_periods.h"
#include "plugins/redis_client.h"

namespace kong::plugins::ratelimit {

enum class LimitBy { kConsumer, kCredential, kIp, kService, kHeader, kPath, kConsumerGroup };
enum class Policy { kLocal, kRedis };

struct Limit {
  Period period;
  double limit;
  std::string limit_text;  // FormatNumber(limit), formatted once per snapshot
};

struct Config {
  std::vector<Limit> limits;  // the configured periods, second first
  LimitBy limit_by = LimitBy::kConsumer;
  std::string header_name;
  std::string path;
  Policy policy = Policy::kLocal;
  bool fault_tolerant = true;
  bool hide_client_headers = false;
  int error_code = 429;
  std::string error_message = "API rate limit exceeded";
  redis::RedisOptions redis;
  std::string redis_key;  // RedisConnections::ConnectionKey(redis)
  // The plugin's scope, as in Kong's counter keys ("" becomes the all-zero UUID).
  std::string route_id;
  std::string service_id;
};

// Reads the `config` record (null, or missing fields: Kong's defaults). kInvalidArgument for what a
// data plane cannot run: no period, policy "cluster" (Kong's DB-less/data-plane schema only
// offers local and redis), redis.ssl (hiredis 0.14 has no TLS).
Result<Config> ParseConfig(const json::Value* config, const PluginSpec& spec);

// handler.lua get_identifier: the value limit_by names, or the client IP when it is missing.
// The view points into `ctx` (or `config`).
std::string_view Identify(const PluginContext& ctx, const Config& config);

struct WindowUsage {
  Period period;
  double limit;
  int64_t used;  // before this request
  std::string_view limit_text = {};  // FormatNumber(limit) when known ("": formatted here)
};

struct Verdict {
  bool exceeded = false;
  int64_t reset = 0;  // RateLimit-Reset / Retry-After (0 when headers are hidden)
};

// handler.lua's access block: the request exceeds a window whose usage reached its limit.
// Unless `hide_headers`, sets X-RateLimit-Limit-<P>/X-RateLimit-Remaining-<P> per window
// (remaining counts this request) and RateLimit-Limit/-Remaining/-Reset of the window with
// the fewest remaining requests (the longer one on a tie) in `headers` (kong.response.
// set_header: fields of those names already there go). `headers` null: the verdict only.
Verdict Evaluate(std::span<const WindowUsage> usage, int64_t now_ms, bool hide_headers,
                 http::HeaderEdits* headers);

// A header value as Lua's tostring prints the number ("10", "1.5").
std::string FormatNumber(double v);

}  // namespace kong::plugins::ratelimit

#endif  // KONG_PLUGINS_RATE_LIMITING_H_
