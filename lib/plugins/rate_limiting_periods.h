// rate-limiting's windows (kong/tools/timestamp.lua get_timestamps and the plugin's
// EXPIRATION table): the six periods, when the window holding a time starts (calendar UTC for
// day, month and year), how long a counter lives, and the counter key of Kong's policies.
#ifndef KONG_PLUGINS_RATE_LIMITING_PERIODS_H_
#define KONG_PLUGINS_RATE_LIMITING_PERIODS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace kong::plugins::ratelimit {

enum class Period { kSecond = 0, kMinute, kHour, kDay, kMonth, kYear };
inline constexpr size_t kPeriodCount = 6;
inline constexpr std::array<Period, kPeriodCount> kAllPeriods = {
    Period::kSecond, Period::kMinute, Period::kHour,
    Period::kDay,    Period::kMonth,  Period::kYear};

// "second" ... "year": the config field and the key's last part.
std::string_view PeriodName(Period p);
// Kong's EXPIRATION: 1, 60, 3600, 86400, 2592000 (30 days), 31536000 (365 days) seconds. Also
// the window length RateLimit-Reset is computed from, even for calendar months and years.
int64_t PeriodSeconds(Period p);
// "X-RateLimit-Limit-Minute", "X-RateLimit-Remaining-Minute".
std::string_view LimitHeader(Period p);
std::string_view RemainingHeader(Period p);

// Start, in milliseconds since the epoch, of the window of `p` that holds `now_ms` (UTC).
int64_t PeriodStartMs(Period p, int64_t now_ms);

// policies/init.lua get_local_key: "ratelimit:<route_id>:<service_id>:<identifier>:
// <period start ms>:<period>", the plugin's own scope ids or Kong's all-zero UUID. Written into
// `out` (reused, so a request allocates nothing once it has grown).
void CounterKey(std::string_view route_id, std::string_view service_id,
                std::string_view identifier, Period p, int64_t period_start_ms,
                std::string* out);

// The all-zero UUID Kong puts in the key for a plugin without a route or a service.
inline constexpr std::string_view kEmptyUuid = "00000000-0000-0000-0000-000000000000";

}  // namespace kong::plugins::ratelimit

#endif  // KONG_PLUGINS_RATE_LIMITING_PERIODS_H_
