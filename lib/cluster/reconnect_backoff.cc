// Jittered exponential reconnect delays (see the header for the jitter choice).
#include "cluster/reconnect_backoff.h"

#include <limits>
#include <memory>
#include <random>
#include <string>

namespace kong::cluster {

using std::chrono::milliseconds;

Result<ReconnectBackoff> ReconnectBackoff::Create(const ReconnectBackoffOptions& options,
                                                  RandomSource random) {
  if (options.min_delay.count() <= 0) {
    return Status::InvalidArgument("reconnect backoff min_delay must be > 0, got " +
                                   std::to_string(options.min_delay.count()) + " ms");
  }
  // Halving first avoids overflowing 2 * min_delay.
  if (options.max_delay.count() / 2 < options.min_delay.count()) {
    return Status::InvalidArgument("reconnect backoff max_delay must be >= 2 * min_delay, got " +
                                   std::to_string(options.max_delay.count()) + " ms");
  }
  if (options.healthy_after.count() < 0) {
    return Status::InvalidArgument("reconnect backoff healthy_after must be >= 0, got " +
                                   std::to_string(options.healthy_after.count()) + " ms");
  }
  if (options.failover_spread.count() < 0) {
    return Status::InvalidArgument("reconnect backoff failover_spread must be >= 0, got " +
                                   std::to_string(options.failover_spread.count()) + " ms");
  }
  if (!random) return Status::InvalidArgument("reconnect backoff needs a random source");
  return ReconnectBackoff(options, std::move(random));
}

Result<ReconnectBackoff> ReconnectBackoff::Create(const ReconnectBackoffOptions& options,
                                                  uint64_t seed) {
  // std::function needs a copyable callable; share the engine so copies of the backoff keep
  // drawing from one sequence.
  auto engine = std::make_shared<std::mt19937_64>(seed);
  return Create(options, [engine] { return (*engine)(); });
}

milliseconds ReconnectBackoff::WindowLow() const {
  const milliseconds cap(options_.max_delay.count() / 2);
  milliseconds low = options_.min_delay;
  // Stops doubling at the cap, so this runs at most log2(max/min) times and cannot overflow.
  for (uint32_t i = 0; i < attempt_ && low < cap; ++i) low *= 2;
  return low < cap ? low : cap;
}

milliseconds ReconnectBackoff::NextDelay(milliseconds connected_for) {
  if (connected_for >= options_.healthy_after && connected_for.count() > 0) Reset();
  const milliseconds low = WindowLow();
  // low > 0, so the width is positive. Modulo bias is below width / 2^64: negligible.
  const uint64_t width = static_cast<uint64_t>(low.count());
  const milliseconds delay = low + milliseconds(static_cast<int64_t>(random_() % width));
  if (attempt_ < std::numeric_limits<uint32_t>::max()) ++attempt_;
  return delay;
}

milliseconds ReconnectBackoff::FailoverDelay() {
  const uint64_t width = static_cast<uint64_t>(options_.failover_spread.count());
  if (width == 0) return milliseconds(0);
  return milliseconds(static_cast<int64_t>(random_() % width));
}

Result<FailoverSchedule> FailoverSchedule::Create(size_t count, ReconnectBackoff backoff) {
  if (count == 0) return Status::InvalidArgument("failover schedule needs at least one entry");
  return FailoverSchedule(count, std::move(backoff));
}

FailoverSchedule::Step FailoverSchedule::NextAttempt(milliseconds connected_for) {
  if (connected_for.count() > 0 && connected_for >= backoff_.options().healthy_after) {
    failures_ = 0;
    backoff_.Reset();
  }
  ++failures_;
  current_ = (current_ + 1) % count_;
  // A full round of failures (every entry once) waits the backoff; within a round, fail over.
  const milliseconds delay =
      failures_ % count_ == 0 ? backoff_.NextDelay() : backoff_.FailoverDelay();
  return Step{current_, delay};
}

}  // namespace kong::cluster
