// Jittered exponential delays for the data plane's reconnect loop.
#ifndef KONG_CLUSTER_RECONNECT_BACKOFF_H_
#define KONG_CLUSTER_RECONNECT_BACKOFF_H_

#include <chrono>
#include <cstddef>
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
  // With several control planes (FailoverSchedule): moving on to the next one waits a delay
  // drawn uniformly from [0, failover_spread), so the DPs of a CP that died do not all hit the
  // next CP in the same millisecond. 0: at once. Must be >= 0.
  std::chrono::milliseconds failover_spread{1000};
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

  // A delay uniform in [0, failover_spread) (0 when that is 0); not counted as an attempt.
  std::chrono::milliseconds FailoverDelay();

  // Back to the first window.
  void Reset() { attempt_ = 0; }

  const ReconnectBackoffOptions& options() const { return options_; }

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

// Which of a DP's N control planes to try next, and when (cluster_control_plane = "a:8005,
// b:8005"). Why: a DP whose CP went away should not sit out Kong's 5-10 s while another CP of
// the list may be up; but when every CP is down it must not cycle through them in a tight loop.
//
// The policy: the first entry is tried first, and the DP stays on whichever entry works (no
// fail-back). A failure moves on to the next entry (wrapping) after FailoverDelay(); once every
// entry has failed in a row, the next attempt waits the jittered, growing NextDelay() instead.
// So at most N attempts are made per backoff window. A link that stayed up healthy_after
// starts over (failure count and backoff reset). With one entry every failure is a full round:
// exactly the single-CP behaviour (Kong's 5-10 s, then growing).
class FailoverSchedule {
 public:
  struct Step {
    size_t index;  // the entry to try next
    std::chrono::milliseconds delay;
  };

  // `count` >= 1 (kInvalidArgument otherwise).
  static Result<FailoverSchedule> Create(size_t count, ReconnectBackoff backoff);

  // The entry to try now: 0 until the first failure.
  size_t current() const { return current_; }
  // After the current entry failed (an attempt that never connected, or a link that went down
  // after `connected_for`): where to go next, and after how long.
  Step NextAttempt(std::chrono::milliseconds connected_for = std::chrono::milliseconds(0));
  // Failures since the last healthy link.
  uint64_t failures_in_a_row() const { return failures_; }

 private:
  FailoverSchedule(size_t count, ReconnectBackoff backoff)
      : count_(count), backoff_(std::move(backoff)) {}

  size_t count_;
  ReconnectBackoff backoff_;
  size_t current_ = 0;
  uint64_t failures_ = 0;
};

}  // namespace kong::cluster

#endif  // KONG_CLUSTER_RECONNECT_BACKOFF_H_
