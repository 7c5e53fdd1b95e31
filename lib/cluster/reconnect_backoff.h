// Jittered exponential delays for the data plane's reconnect loop.
#ifndef KONG_CLUSTER_RECONNECT_BACKOFF_H_
#define KONG_CLUSTER_RECONNECT_BACKOFF_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <utility>

#include "kong/status.h"

namespace kong::cluster {

// Why: when a control plane restarts, every data plane loses its connection at the same
// instant. Fixed or purely exponential delays would make them all reconnect at the same
// instant too (a synchronized reconnect storm against a CP that is just coming up). Random
// jitter spreads them out; exponential growth thins the retries while the CP stays down.
//
// Kong itself waits math.random(5, 10) seconds after every failure, with no growth. The
// defaults reproduce that for the first retry and then double the window up to a cap.
struct ReconnectBackoffOptions {
  // The first delay after a failure is drawn uniformly from [min_delay, 2 * min_delay):
  // 5-10 s as in Kong. Must be > 0.
  std::chrono::milliseconds min_delay{5000};
  // No delay reaches max_delay: the window stops growing at [max_delay/2, max_delay). Must
  // be >= 2 * min_delay.
  std::chrono::milliseconds max_delay{60000};
  // A connection that stayed up at least this long counts as healthy and resets the backoff
  // to the first window. Longer than Kong's 45 s dead-peer timeout, so a connection that
  // completes the handshake but then times out still counts as a failure.
  std::chrono::milliseconds healthy_after{60000};
};

// Not thread-safe: one per reconnect loop, used on that loop's thread.
//
// Jitter choice: "floored" jitter, delay uniform in [w, 2w) with w = min_delay * 2^attempt
// capped at max_delay/2. Full jitter ([0, 2w)) spreads slightly wider but allows delays near
// zero, so part of the fleet would hit a restarting CP immediately and Kong's 5 s floor
// would be lost; decorrelated jitter has no fixed per-attempt bounds, which makes both
// operators' expectations and tests vaguer. A window of width w still spreads N data planes
// evenly: 1000 DPs over the 5 s first window average one reconnect per 5 ms.
class ReconnectBackoff {
 public:
  // Returns uniformly distributed 64-bit values (e.g. a seeded std::mt19937_64).
  using RandomSource = std::function<uint64_t()>;

  // kInvalidArgument when the options break the rules above or `random` is empty.
  static Result<ReconnectBackoff> Create(const ReconnectBackoffOptions& options,
                                         RandomSource random);
  // Same, with a std::mt19937_64 seeded by `seed` (tests; or pass a per-node seed).
  static Result<ReconnectBackoff> Create(const ReconnectBackoffOptions& options, uint64_t seed);

  // The delay to wait before the next connection attempt, after a failure or a close.
  // `connected_for` is how long the connection that just ended was up (zero when the attempt
  // never connected); at least healthy_after resets the backoff first. Each call then moves
  // to the next (doubled) window until the cap.
  std::chrono::milliseconds NextDelay(std::chrono::milliseconds connected_for =
                                          std::chrono::milliseconds(0));

  // Back to the first window.
  void Reset() { attempt_ = 0; }

  // Consecutive failures since the last reset (how many NextDelay calls).
  uint32_t attempt() const { return attempt_; }

  // The [low, high) window the next NextDelay(0) would draw from.
  std::chrono::milliseconds WindowLow() const;
  std::chrono::milliseconds WindowHigh() const { return WindowLow() * 2; }

 private:
  ReconnectBackoff(const ReconnectBackoffOptions& options, RandomSource random)
      : options_(options), random_(std::move(random)) {}

  ReconnectBackoffOptions options_;
  RandomSource random_;
  uint32_t attempt_ = 0;
};

}  // namespace kong::cluster

#endif  // KONG_CLUSTER_RECONNECT_BACKOFF_H_
