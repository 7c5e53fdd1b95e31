// Target selection: the round-robin wheel, the consistent-hashing ring and the scored
// algorithms (least-connections, latency).
#include "balancer/upstream_balancer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <tuple>

namespace kong::balancer {
namespace {

// Bound on the wheel's length: weights whose reduced sum exceeds it are scaled down
// proportionally (Kong's wheel has sum(weight)/gcd entries; 2^20 keeps 6-digit precision).
constexpr uint64_t kMaxWheel = uint64_t{1} << 20;

Status NoPeer() { return Status::Unavailable("failure to get a peer from the ring-balancer"); }

}  // namespace

UpstreamBalancer::UpstreamBalancer(UpstreamConfig config, std::vector<TargetConfig> targets)
    : config_(std::move(config)),
      targets_(std::move(targets)),
      runtime_(std::make_unique<TargetRuntime[]>(targets_.size())) {
  for (const TargetConfig& t : targets_) total_weight_ += t.weight;
}

std::unique_ptr<UpstreamBalancer> UpstreamBalancer::Create(UpstreamConfig config,
                                                           std::vector<TargetConfig> targets) {
  std::unique_ptr<UpstreamBalancer> b(new UpstreamBalancer(std::move(config), std::move(targets)));
  if (b->config_.algorithm == Algorithm::kRoundRobin) b->BuildWheel();
  if (b->config_.algorithm == Algorithm::kConsistentHashing) b->BuildRing();
  return b;
}

// One cycle in which a target of weight w appears w/gcd times, its turns evenly spaced (stride
// scheduling: turn k of a target with p points sits at (k + 1/2) / p of the cycle, ties in
// configuration order). Like nginx's smooth weighted round-robin, no target gets a burst (5,1,1
// gives a a a b c a a); unlike Kong's wheel, which Kong shuffles randomly, it is deterministic.
// Workers share one atomic cursor, so the cycle's proportions hold across threads.
void UpstreamBalancer::BuildWheel() {
  uint64_t g = 0;
  for (const TargetConfig& t : targets_)
    if (t.weight > 0) g = std::gcd(g, uint64_t{t.weight});
  if (g == 0) return;
  std::vector<uint64_t> points(targets_.size(), 0);
  uint64_t total = 0;
  for (size_t i = 0; i < targets_.size(); ++i) total += points[i] = targets_[i].weight / g;
  if (total > kMaxWheel) {
    uint64_t scaled = 0;
    for (size_t i = 0; i < targets_.size(); ++i) {
      if (points[i] == 0) continue;
      points[i] = std::max<uint64_t>(1, points[i] * kMaxWheel / total);
      scaled += points[i];
    }
    total = scaled;
  }
  std::vector<std::tuple<double, uint32_t>> turns;
  turns.reserve(total);
  for (size_t i = 0; i < targets_.size(); ++i)
    for (uint64_t k = 0; k < points[i]; ++k)
      turns.emplace_back((static_cast<double>(k) + 0.5) / static_cast<double>(points[i]),
                         static_cast<uint32_t>(i));
  std::sort(turns.begin(), turns.end());
  wheel_.reserve(turns.size());
  for (const auto& turn : turns) wheel_.push_back(std::get<1>(turn));
}

// A continuum of about `slots` points: each target owns a share proportional to its weight
// (at least one point), point j of a target sits at Hash64("<address>#<j>"). A key goes to the
// first point at or after Hash64(key), clockwise. Adding a target only takes points from the
// others' tails, so few keys move (Kong's ketama-like ring, different hash; see hash_key.h).
void UpstreamBalancer::BuildRing() {
  if (total_weight_ == 0) return;
  for (size_t i = 0; i < targets_.size(); ++i) {
    if (targets_[i].weight == 0) continue;
    uint64_t n =
        std::max<uint64_t>(1, uint64_t{config_.slots} * targets_[i].weight / total_weight_);
    for (uint64_t j = 0; j < n; ++j)
      ring_.emplace_back(Hash64(targets_[i].address + "#" + std::to_string(j)),
                         static_cast<uint32_t>(i));
  }
  std::sort(ring_.begin(), ring_.end());
}

bool UpstreamBalancer::Eligible(uint32_t i, const PickState& state, bool allow_tried) const {
  if (targets_[i].weight == 0 || !runtime_[i].health.healthy()) return false;
  if (allow_tried) return true;
  return std::find(state.tried.begin(), state.tried.end(), i) == state.tried.end();
}

bool UpstreamBalancer::AboveThreshold() const {
  if (config_.healthchecks.threshold <= 0) return true;
  uint64_t healthy = 0;
  for (size_t i = 0; i < targets_.size(); ++i)
    if (runtime_[i].health.healthy()) healthy += targets_[i].weight;
  return total_weight_ > 0 &&
         static_cast<double>(healthy) * 100.0 / static_cast<double>(total_weight_) >=
             config_.healthchecks.threshold;
}

uint64_t UpstreamBalancer::HashFor(const RequestKeys& keys, PickState& state) const {
  if (state.hashed) return state.hash;
  const UpstreamConfig& c = config_;
  auto name_for = [&](HashOn on, bool fallback) -> const std::string& {
    switch (on) {
      case HashOn::kHeader:
        return fallback ? c.hash_fallback_header : c.hash_on_header;
      case HashOn::kQueryArg:
        return fallback ? c.hash_fallback_query_arg : c.hash_on_query_arg;
      case HashOn::kUriCapture:
        return fallback ? c.hash_fallback_uri_capture : c.hash_on_uri_capture;
      default:
        return c.hash_on_cookie;
    }
  };
  std::optional<std::string> value = HashInput(c.hash_on, name_for(c.hash_on, false), keys);
  if (!value && c.hash_on == HashOn::kCookie) {
    // Kong: no cookie yet, so make one up, hash it and tell the client to send it back.
    state.set_cookie_value = RandomUuid();
    value = state.set_cookie_value;
  }
  if (!value) value = HashInput(c.hash_fallback, name_for(c.hash_fallback, true), keys);
  // Nothing to hash: spread requests over the ring like round-robin.
  state.hash = value ? Hash64(*value)
                     : Hash64(std::to_string(cursor_.fetch_add(1, std::memory_order_relaxed)));
  state.hashed = true;
  return state.hash;
}

int64_t UpstreamBalancer::PickWheel(const PickState& state, bool allow_tried) const {
  if (wheel_.empty()) return -1;
  uint64_t start = cursor_.fetch_add(1, std::memory_order_relaxed);
  for (size_t k = 0; k < wheel_.size(); ++k) {
    uint32_t i = wheel_[(start + k) % wheel_.size()];
    if (Eligible(i, state, allow_tried)) return i;
  }
  return -1;
}

int64_t UpstreamBalancer::PickRing(uint64_t hash, const PickState& state, bool allow_tried) const {
  if (ring_.empty()) return -1;
  size_t pos =
      std::lower_bound(ring_.begin(), ring_.end(), std::pair<uint64_t, uint32_t>{hash, 0}) -
      ring_.begin();
  for (size_t k = 0; k < ring_.size(); ++k) {
    uint32_t i = ring_[(pos + k) % ring_.size()].second;
    if (Eligible(i, state, allow_tried)) return i;
  }
  return -1;
}

// least-connections: lowest (in_flight + 1) / weight, like Kong's heap. latency: lowest
// EWMA x (in_flight + 1) (peak-EWMA); a target without a sample scores 0, so each is tried.
// A full scan with the start rotated so ties spread; the count is read, not reserved, so two
// threads may pick the same idle target at once (Kong's workers have the same race).
int64_t UpstreamBalancer::PickScored(const PickState& state, bool allow_tried) const {
  const size_t n = targets_.size();
  if (n == 0) return -1;
  const bool latency = config_.algorithm == Algorithm::kLatency;
  uint64_t start = cursor_.fetch_add(1, std::memory_order_relaxed);
  int64_t best = -1;
  double best_score = 0;
  for (size_t k = 0; k < n; ++k) {
    uint32_t i = static_cast<uint32_t>((start + k) % n);
    if (!Eligible(i, state, allow_tried)) continue;
    double load = static_cast<double>(runtime_[i].in_flight.load(std::memory_order_relaxed) + 1);
    double score = latency ? runtime_[i].ewma_ms.load(std::memory_order_relaxed) * load
                           : load / static_cast<double>(targets_[i].weight);
    if (best < 0 || score < best_score) {
      best = i;
      best_score = score;
    }
  }
  return best;
}

int64_t UpstreamBalancer::PickIndex(const RequestKeys& keys, PickState& state,
                                    bool allow_tried) const {
  switch (config_.algorithm) {
    case Algorithm::kRoundRobin:
      return PickWheel(state, allow_tried);
    case Algorithm::kConsistentHashing:
      return PickRing(HashFor(keys, state), state, allow_tried);
    case Algorithm::kLeastConnections:
    case Algorithm::kLatency:
      return PickScored(state, allow_tried);
  }
  return -1;
}

Result<Peer> UpstreamBalancer::Pick(const RequestKeys& keys, PickState& state) const {
  if (!AboveThreshold()) return NoPeer();
  int64_t i = PickIndex(keys, state, false);
  if (i < 0 && !state.tried.empty()) i = PickIndex(keys, state, true);
  if (i < 0) return NoPeer();
  auto index = static_cast<uint32_t>(i);
  state.tried.push_back(index);
  runtime_[index].in_flight.fetch_add(1, std::memory_order_relaxed);
  return Peer{index, &targets_[index]};
}

void UpstreamBalancer::Release(const Peer& peer, double response_ms) const {
  TargetRuntime& rt = runtime_[peer.index];
  rt.in_flight.fetch_sub(1, std::memory_order_relaxed);
  if (response_ms < 0) return;
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  int64_t last = rt.ewma_stamp_ns.exchange(now, std::memory_order_relaxed);
  double keep = std::exp(-static_cast<double>(std::max<int64_t>(0, now - last)) / 10e9);
  double old = rt.ewma_ms.load(std::memory_order_relaxed);
  double next;
  do {
    next = old == 0 ? response_ms : old * keep + response_ms * (1 - keep);
  } while (!rt.ewma_ms.compare_exchange_weak(old, next, std::memory_order_relaxed));
}

}  // namespace kong::balancer
