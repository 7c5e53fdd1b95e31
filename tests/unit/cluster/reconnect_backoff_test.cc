// Tests for the DP reconnect backoff: bounds, growth, cap, reset, spread across a fleet.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <set>
#include <vector>

#include "cluster/reconnect_backoff.h"
#include "support/test_support.h"

using kong::StatusCode;
using kong::cluster::FailoverSchedule;
using kong::cluster::ReconnectBackoff;
using kong::cluster::ReconnectBackoffOptions;
using std::chrono::milliseconds;

namespace {

ReconnectBackoff Make(const ReconnectBackoffOptions& o, uint64_t seed) {
  auto r = ReconnectBackoff::Create(o, seed);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(r).value();
}

}  // namespace

TEST_SUITE("cluster") {
  TEST_CASE("backoff defaults start with Kong's 5-10 s window") {
    ReconnectBackoffOptions o;
    CHECK(o.min_delay == milliseconds(5000));
    ReconnectBackoff b = Make(o, 1);
    CHECK(b.WindowLow() == milliseconds(5000));
    CHECK(b.WindowHigh() == milliseconds(10000));
    milliseconds d = b.NextDelay();
    CHECK(d >= milliseconds(5000));
    CHECK(d < milliseconds(10000));
    CHECK(b.attempt() == 1);
  }

  TEST_CASE("backoff windows double per failure up to the cap and stay within bounds") {
    ReconnectBackoffOptions o;
    o.min_delay = milliseconds(1000);
    o.max_delay = milliseconds(10000);
    ReconnectBackoff b = Make(o, 42);
    const std::vector<int64_t> lows = {1000, 2000, 4000, 5000, 5000, 5000};
    for (int64_t low : lows) {
      CHECK(b.WindowLow() == milliseconds(low));
      milliseconds d = b.NextDelay();
      CHECK(d >= milliseconds(low));
      CHECK(d < milliseconds(2 * low));
      CHECK(d < o.max_delay);
    }
    // Thousands of failures neither overflow nor exceed the cap.
    for (int i = 0; i < 5000; ++i) {
      milliseconds d = b.NextDelay();
      REQUIRE(d >= milliseconds(5000));
      REQUIRE(d < milliseconds(10000));
    }
  }

  TEST_CASE("backoff draws cover the whole window, including both ends") {
    ReconnectBackoffOptions o;
    o.min_delay = milliseconds(4);
    o.max_delay = milliseconds(8);
    ReconnectBackoff b = Make(o, 3);
    std::set<int64_t> seen;
    for (int i = 0; i < 200; ++i) seen.insert(b.NextDelay().count());
    CHECK(seen == std::set<int64_t>{4, 5, 6, 7});
  }

  TEST_CASE("backoff resets after a healthy connection, not after a short one") {
    ReconnectBackoffOptions o;
    o.min_delay = milliseconds(100);
    o.max_delay = milliseconds(100000);
    o.healthy_after = milliseconds(60000);
    ReconnectBackoff b = Make(o, 9);
    for (int i = 0; i < 4; ++i) (void)b.NextDelay();
    CHECK(b.WindowLow() == milliseconds(1600));
    // Up for 59 s (e.g. handshake then a dead-peer timeout): still a failure, keep growing.
    milliseconds d = b.NextDelay(milliseconds(59999));
    CHECK(d >= milliseconds(1600));
    CHECK(b.attempt() == 5);
    // Up for a minute: healthy, so the next delay is from the first window again.
    d = b.NextDelay(milliseconds(60000));
    CHECK(d >= milliseconds(100));
    CHECK(d < milliseconds(200));
    CHECK(b.attempt() == 1);
    b.Reset();
    CHECK(b.attempt() == 0);
    CHECK(b.WindowLow() == milliseconds(100));
  }

  TEST_CASE("backoff with an injected source is deterministic") {
    ReconnectBackoffOptions o;
    uint64_t next = 0;
    auto r = ReconnectBackoff::Create(o, [&next] { return next++; });
    REQUIRE(r.ok());
    CHECK(r->NextDelay() == milliseconds(5000));   // 5000 + 0 % 5000
    CHECK(r->NextDelay() == milliseconds(10001));  // 10000 + 1 % 10000
    ReconnectBackoff a = Make(o, 77), b = Make(o, 77);
    for (int i = 0; i < 10; ++i) CHECK(a.NextDelay() == b.NextDelay());
  }

  TEST_CASE("1000 data planes failing together spread their first retry over the window") {
    ReconnectBackoffOptions o;  // Kong-like 5-10 s
    std::vector<int64_t> delays;
    for (uint64_t node = 0; node < 1000; ++node) {
      delays.push_back(Make(o, 0x9e3779b97f4a7c15ULL * (node + 1)).NextDelay().count());
    }
    auto [lo, hi] = std::minmax_element(delays.begin(), delays.end());
    CHECK(*lo >= 5000);
    CHECK(*hi < 10000);
    // Not synchronized: many distinct values, and every 500 ms tenth of the window gets a
    // share near the expected 100 (a storm would put them all in one bucket).
    CHECK(std::set<int64_t>(delays.begin(), delays.end()).size() > 800);
    std::vector<int> buckets(10, 0);
    for (int64_t d : delays) ++buckets[static_cast<size_t>((d - 5000) / 500)];
    for (int n : buckets) CHECK_MESSAGE((n >= 50 && n <= 150), n);
    // Nor do they move in lockstep afterwards: second delays are just as spread.
    std::set<int64_t> second;
    for (uint64_t node = 0; node < 1000; ++node) {
      ReconnectBackoff b = Make(o, node * 7919 + 1);
      (void)b.NextDelay();
      second.insert(b.NextDelay().count());
    }
    CHECK(second.size() > 900);
  }

  TEST_CASE("backoff rejects options that break its bounds") {
    ReconnectBackoffOptions o;
    o.min_delay = milliseconds(0);
    auto r = ReconnectBackoff::Create(o, 1);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK(r.status().message() == "reconnect backoff min_delay must be > 0, got 0 ms");
    o = {};
    o.max_delay = milliseconds(9999);  // < 2 * 5000
    CHECK(ReconnectBackoff::Create(o, 1).status().code() == StatusCode::kInvalidArgument);
    o = {};
    CHECK(ReconnectBackoff::Create(o, ReconnectBackoff::RandomSource()).status().code() ==
          StatusCode::kInvalidArgument);
    o.max_delay = milliseconds(10000);  // exactly 2 * min: a fixed 5-10 s window like Kong
    ReconnectBackoff b = Make(o, 5);
    for (int i = 0; i < 20; ++i) CHECK(b.NextDelay() < milliseconds(10000));
    CHECK(b.WindowLow() == milliseconds(5000));
  }

  TEST_CASE("failover schedule: next entry at once within a round, backoff after a full one") {
    ReconnectBackoffOptions o;
    o.min_delay = milliseconds(1000);
    o.max_delay = milliseconds(8000);
    o.failover_spread = milliseconds(100);
    o.healthy_after = milliseconds(60000);
    auto s = FailoverSchedule::Create(3, Make(o, 11));
    REQUIRE(s.ok());
    CHECK(s->current() == 0);  // the first entry first
    // Round 1: A failed -> B, B -> C at once (within the spread); C -> A after the backoff.
    auto step = s->NextAttempt();
    CHECK(step.index == 1);
    CHECK(step.delay < milliseconds(100));
    step = s->NextAttempt();
    CHECK(step.index == 2);
    CHECK(step.delay < milliseconds(100));
    step = s->NextAttempt();
    CHECK(step.index == 0);
    CHECK(step.delay >= milliseconds(1000));
    CHECK(step.delay < milliseconds(2000));
    // Round 2: the backoff window has doubled.
    (void)s->NextAttempt();
    (void)s->NextAttempt();
    step = s->NextAttempt();
    CHECK(step.index == 0);
    CHECK(step.delay >= milliseconds(2000));
    CHECK(s->failures_in_a_row() == 6);
    // Connected to A for a while, then lost: B at once, and the backoff starts over.
    step = s->NextAttempt(milliseconds(60000));
    CHECK(step.index == 1);
    CHECK(step.delay < milliseconds(100));
    CHECK(s->failures_in_a_row() == 1);
    (void)s->NextAttempt();
    step = s->NextAttempt();
    CHECK(step.index == 0);
    CHECK(step.delay >= milliseconds(1000));
    CHECK(step.delay < milliseconds(2000));
    // A link that did not last (up, then lost quickly) counts as a failure of the round.
    step = s->NextAttempt(milliseconds(500));
    CHECK(step.index == 1);
    CHECK(s->failures_in_a_row() == 4);
  }

  TEST_CASE("failover schedule: one entry is the single-CP backoff; spread 0 is immediate") {
    ReconnectBackoffOptions o;  // Kong's 5-10 s first
    auto one = FailoverSchedule::Create(1, Make(o, 5));
    REQUIRE(one.ok());
    for (int i = 0; i < 3; ++i) {
      auto step = one->NextAttempt();
      CHECK(step.index == 0);
      CHECK(step.delay >= milliseconds(5000));
    }
    o.failover_spread = milliseconds(0);
    auto two = FailoverSchedule::Create(2, Make(o, 5));
    REQUIRE(two.ok());
    CHECK(two->NextAttempt().delay == milliseconds(0));
    CHECK(two->NextAttempt().delay >= milliseconds(5000));
    CHECK(FailoverSchedule::Create(0, Make(o, 5)).status().code() ==
          StatusCode::kInvalidArgument);
    o.failover_spread = milliseconds(-1);
    CHECK(ReconnectBackoff::Create(o, 1).status().code() == StatusCode::kInvalidArgument);
  }

  TEST_CASE("failover spread: 1000 data planes leaving a dead CP reach the next one spread out") {
    ReconnectBackoffOptions o;  // failover_spread 1 s
    std::vector<int> buckets(10, 0);
    for (uint64_t node = 0; node < 1000; ++node) {
      auto s = FailoverSchedule::Create(2, Make(o, 0x9e3779b97f4a7c15ULL * (node + 1)));
      REQUIRE(s.ok());
      const milliseconds d = s->NextAttempt(milliseconds(3600000)).delay;
      REQUIRE(d < milliseconds(1000));
      ++buckets[static_cast<size_t>(d.count() / 100)];
    }
    for (int n : buckets) CHECK_MESSAGE((n >= 50 && n <= 150), n);
  }
}
