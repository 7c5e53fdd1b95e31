// rate-limiting's period math and counter keys.
#include "plugins/rate_limiting_periods.h"

#include <charconv>
#include <chrono>

namespace kong::plugins::ratelimit {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::string_view PeriodName(Period p) {
  static constexpr std::string_view kNames[] = {"second", "minute", "hour",
                                                "day",    "month",  "year"};
  return kNames[static_cast<size_t>(p)];
}

int64_t PeriodSeconds(Period p) {
  static constexpr int64_t kSeconds[] = {1, 60, 3600, 86400, 2592000, 31536000};
  return kSeconds[static_cast<size_t>(p)];
}

std::string_view LimitHeader(Period p) {
  static constexpr std::string_view kNames[] = {
      "X-RateLimit-Limit-Second", "X-RateLimit-Limit-Minute", "X-RateLimit-Limit-Hour",
      "X-RateLimit-Limit-Day",    "X-RateLimit-Limit-Month",  "X-RateLimit-Limit-Year"};
  return kNames[static_cast<size_t>(p)];
}

std::string_view RemainingHeader(Period p) {
  static constexpr std::string_view kNames[] = {
      "X-RateLimit-Remaining-Second", "X-RateLimit-Remaining-Minute",
      "X-RateLimit-Remaining-Hour",   "X-RateLimit-Remaining-Day",
      "X-RateLimit-Remaining-Month",  "X-RateLimit-Remaining-Year"};
  return kNames[static_cast<size_t>(p)];
}

int64_t PeriodStartMs(Period p, int64_t now_ms) {
  using std::chrono::sys_days;
  const int64_t now_s = FloorDiv(now_ms, 1000);
  switch (p) {
    case Period::kSecond:
    case Period::kMinute:
    case Period::kHour:
    case Period::kDay: {
      const int64_t len = PeriodSeconds(p);
      return FloorDiv(now_s, len) * len * 1000;
    }
    case Period::kMonth:
    case Period::kYear: {
      const sys_days day{std::chrono::days{FloorDiv(now_s, 86400)}};
      const std::chrono::year_month_day ymd{day};
      const std::chrono::month month =
          p == Period::kMonth ? ymd.month() : std::chrono::month{1};
      const sys_days start{ymd.year() / month / std::chrono::day{1}};
      return int64_t{start.time_since_epoch().count()} * 86400 * 1000;
    }
  }
  return now_s * 1000;
}

void CounterKey(std::string_view route_id, std::string_view service_id,
                std::string_view identifier, Period p, int64_t period_start_ms,
                std::string* out) {
  out->clear();
  out->append("ratelimit:");
  out->append(route_id.empty() ? kEmptyUuid : route_id);
  out->push_back(':');
  out->append(service_id.empty() ? kEmptyUuid : service_id);
  out->push_back(':');
  out->append(identifier);
  out->push_back(':');
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, period_start_ms);
  (void)ec;
  out->append(digits, end);
  out->push_back(':');
  out->append(PeriodName(p));
}

}  // namespace kong::plugins::ratelimit
