// rate-limiting: config, identifier and verdict (the plugin is in rate_limiting_plugin.cc).
#include "plugins/rate_limiting.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "base/macros.h"
#include "plugins/config_fields.h"
#include "plugins/consumers.h"

namespace kong::plugins::ratelimit {
namespace {

Status Invalid(const std::string& what) {
  return Status::InvalidArgument("rate-limiting: " + what);
}

Result<redis::RedisOptions> ParseRedis(const json::Value* config) {
  redis::RedisOptions o;
  const json::Value* redis = config::Field(config, "redis");
  o.host = config::String(redis, "host").value_or("");
  if (o.host.empty()) return Invalid("policy 'redis' needs redis.host");
  o.port = static_cast<int>(config::Number(redis, "port").value_or(6379));
  o.timeout_ms = static_cast<int>(config::Number(redis, "timeout").value_or(2000));
  o.username = config::String(redis, "username");
  o.password = config::String(redis, "password");
  if (o.password && o.password->empty()) o.password.reset();
  o.database = static_cast<int64_t>(config::Number(redis, "database").value_or(0));
  if (config::Bool(redis, "ssl", false)) {
    return Invalid("redis.ssl is not supported by this data plane (hiredis 0.14 has no TLS)");
  }
  return o;
}

}  // namespace

Result<Config> ParseConfig(const json::Value* config, const PluginSpec& spec) {
  Config c;
  for (Period p : kAllPeriods) {
    if (auto limit = config::Number(config, PeriodName(p))) {
      c.limits.push_back({p, *limit, FormatNumber(*limit)});
    }
  }
  if (c.limits.empty()) {
    return Invalid("at least one of these fields must be non-empty: 'config.second', "
                   "'config.minute', 'config.hour', 'config.day', 'config.month', "
                   "'config.year'");
  }
  static constexpr std::pair<std::string_view, LimitBy> kLimitBy[] = {
      {"consumer", LimitBy::kConsumer}, {"credential", LimitBy::kCredential},
      {"ip", LimitBy::kIp},             {"service", LimitBy::kService},
      {"header", LimitBy::kHeader},     {"path", LimitBy::kPath},
      {"consumer-group", LimitBy::kConsumerGroup}};
  const std::string limit_by = config::String(config, "limit_by").value_or("consumer");
  auto by = std::find_if(std::begin(kLimitBy), std::end(kLimitBy),
                         [&](const auto& e) { return e.first == limit_by; });
  if (by == std::end(kLimitBy)) return Invalid("unknown limit_by '" + limit_by + "'");
  c.limit_by = by->second;
  c.header_name = config::String(config, "header_name").value_or("");
  c.path = config::String(config, "path").value_or("");

  const std::string policy = config::String(config, "policy").value_or("local");
  if (policy == "local" || policy.empty()) {
    c.policy = Policy::kLocal;
  } else if (policy == "redis") {
    c.policy = Policy::kRedis;
    KONG_ASSIGN_OR_RETURN(c.redis, ParseRedis(config));
    c.redis_key = redis::RedisConnections::ConnectionKey(c.redis);
  } else if (policy == "cluster") {
    return Invalid("policy 'cluster' is not available on a data plane or in DB-less mode "
                   "(expected one of: local, redis)");
  } else {
    return Invalid("unknown policy '" + policy + "'");
  }
  c.fault_tolerant = config::Bool(config, "fault_tolerant", true);
  c.hide_client_headers = config::Bool(config, "hide_client_headers", false);
  c.error_code = static_cast<int>(config::Number(config, "error_code").value_or(429));
  c.error_message = config::String(config, "error_message").value_or("API rate limit exceeded");
  c.route_id = spec.route_id.value_or("");
  c.service_id = spec.service_id.value_or("");
  return c;
}

std::string_view Identify(const PluginContext& ctx, const Config& config) {
  std::string_view id;
  switch (config.limit_by) {
    case LimitBy::kConsumer:
      if (ctx.consumer() != nullptr) {
        id = ctx.consumer()->id;
      } else if (ctx.credential() != nullptr) {
        id = ctx.credential()->id;
      }
      break;
    case LimitBy::kCredential:
      if (ctx.credential() != nullptr) id = ctx.credential()->id;
      break;
    case LimitBy::kService:
      id = ctx.service_id;
      break;
    case LimitBy::kHeader:
      if (!config.header_name.empty()) {
        id = ctx.request.headers.Get(config.header_name).value_or(std::string_view());
      }
      break;
    case LimitBy::kPath: {
      // kong.request.get_path(): the normalized path the router saw.
      std::string_view path = ctx.match != nullptr ? std::string_view(ctx.match->path)
                                                   : std::string_view(ctx.request.path);
      if (path == config.path) id = config.path;
      break;
    }
    case LimitBy::kIp:
    case LimitBy::kConsumerGroup:  // no consumer groups in this data plane: the IP
      break;
  }
  return id.empty() ? ctx.client_ip : id;
}

namespace {

// FormatNumber into `buf`, without allocating: every proxied request formats five of these.
std::string_view FormatNumberTo(double v, std::array<char, 32>& buf) {
  // Integral and in range (NaN fails the range test before the cast).
  if (std::fabs(v) < 1e15 && v == static_cast<double>(static_cast<long long>(v))) {
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), static_cast<long long>(v));
    (void)ec;
    return std::string_view(buf.data(), static_cast<size_t>(end - buf.data()));
  }
  int n = std::snprintf(buf.data(), buf.size(), "%.14g", v);
  return std::string_view(buf.data(), static_cast<size_t>(n));
}

}  // namespace

std::string FormatNumber(double v) {
  std::array<char, 32> buf;
  return std::string(FormatNumberTo(v, buf));
}

Verdict Evaluate(std::span<const WindowUsage> usage, int64_t now_ms, bool hide_headers,
                 http::HeaderEdits* headers) {
  Verdict verdict;
  for (const WindowUsage& u : usage) {
    if (u.limit - static_cast<double>(u.used) <= 0) verdict.exceeded = true;
  }
  if (hide_headers) return verdict;
  const WindowUsage* chosen = nullptr;
  double chosen_remaining = 0;
  std::array<char, 32> chosen_buf;  // chosen_remaining's text, for RateLimit-Remaining
  size_t chosen_size = 0;
  for (const WindowUsage& u : usage) {
    double remaining = u.limit - static_cast<double>(u.used);
    // The request counts in every window when it passes; a rejected one only in the window
    // that stopped it (where remaining is already <= 0).
    if (!verdict.exceeded || remaining <= 0) remaining -= 1;
    remaining = std::max(0.0, remaining);
    const bool better = chosen == nullptr || remaining < chosen_remaining ||
                        (remaining == chosen_remaining &&
                         PeriodSeconds(u.period) > PeriodSeconds(chosen->period));
    if (better) {
      chosen = &u;
      chosen_remaining = remaining;
    }
    if (headers == nullptr) continue;
    std::array<char, 32> buf;
    headers->Set(LimitHeader(u.period),
                     u.limit_text.empty() ? FormatNumberTo(u.limit, buf) : u.limit_text);
    const std::string_view remaining_text = FormatNumberTo(remaining, buf);
    headers->Set(RemainingHeader(u.period), remaining_text);
    if (better) {
      chosen_buf = buf;
      chosen_size = remaining_text.size();
    }
  }
  if (chosen == nullptr) return verdict;
  const int64_t window = PeriodSeconds(chosen->period);
  const int64_t elapsed_s = (now_ms - PeriodStartMs(chosen->period, now_ms)) / 1000;
  verdict.reset = std::max<int64_t>(1, window - elapsed_s);
  if (headers == nullptr) return verdict;
  std::array<char, 32> buf;
  headers->Set("RateLimit-Limit", chosen->limit_text.empty()
                                         ? FormatNumberTo(chosen->limit, buf)
                                         : chosen->limit_text);
  headers->Set("RateLimit-Remaining", std::string_view(chosen_buf.data(), chosen_size));
  auto [reset_end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), verdict.reset);
  (void)ec;
  headers->Set("RateLimit-Reset", std::string_view(buf.data(), reset_end - buf.data()));
  return verdict;
}

}  // namespace kong::plugins::ratelimit
