// rate-limiting, directly: period math, counter keys, the node's LocalCounters (pruning and
// threads), identifiers, headers and the local policy's 429.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "plugins/consumers.h"
#include "plugins/rate_limiting.h"
#include "plugins/rate_limiting_counters.h"
#include "support/test_support.h"
#include "unit/plugins/direct_harness.h"
#include "unit/plugins/rate_limiting_harness.h"

namespace rl = kong::plugins::ratelimit;
using kong::plugins::PluginContext;
using kong::plugins::RateLimitingDescriptor;
using kong::plugins::testing::DirectHarness;
using kong::plugins::testing::MakeRequest;

namespace {

// 2024-02-29T13:45:30.250Z (a leap day).
constexpr int64_t kLeapDayMs = 1709214330250;

std::string Header(const kong::http::HeaderMap& h, std::string_view name) {
  return std::string(h.Get(name).value_or("<none>"));
}

// Evaluate at kLeapDayMs, its edits applied to `headers` (as the gateway applies them).
rl::Verdict EvaluateInto(const std::vector<rl::WindowUsage>& usage, bool hide,
                         kong::http::HeaderMap* headers) {
  kong::http::HeaderEdits edits;
  const rl::Verdict v = rl::Evaluate(usage, kLeapDayMs, hide, &edits);
  edits.ApplyTo(headers);
  return v;
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("rate-limiting: window starts are Kong's (calendar UTC for day, month, year)") {
    CHECK(rl::PeriodStartMs(rl::Period::kSecond, kLeapDayMs) == 1709214330000);
    CHECK(rl::PeriodStartMs(rl::Period::kMinute, kLeapDayMs) == 1709214300000);
    CHECK(rl::PeriodStartMs(rl::Period::kHour, kLeapDayMs) == 1709211600000);
    CHECK(rl::PeriodStartMs(rl::Period::kDay, kLeapDayMs) == 1709164800000);
    CHECK(rl::PeriodStartMs(rl::Period::kMonth, kLeapDayMs) == 1706745600000);  // 2024-02-01
    CHECK(rl::PeriodStartMs(rl::Period::kYear, kLeapDayMs) == 1704067200000);   // 2024-01-01
    CHECK(rl::PeriodStartMs(rl::Period::kSecond, -500) == -1000);  // floors before 1970 too
    CHECK(rl::PeriodSeconds(rl::Period::kMonth) == 2592000);
    CHECK(rl::PeriodSeconds(rl::Period::kYear) == 31536000);
    CHECK(rl::LimitHeader(rl::Period::kMinute) == "X-RateLimit-Limit-Minute");
    CHECK(rl::RemainingHeader(rl::Period::kYear) == "X-RateLimit-Remaining-Year");
  }

  TEST_CASE("rate-limiting: counter keys follow policies/init.lua get_local_key") {
    std::string key;
    rl::CounterKey("r1", "", "1.2.3.4", rl::Period::kMinute, 1709214300000, &key);
    CHECK(key == "ratelimit:r1:00000000-0000-0000-0000-000000000000:1.2.3.4:1709214300000:minute");
    rl::CounterKey("", "s1", "c1", rl::Period::kSecond, 5000, &key);
    CHECK(key == "ratelimit:00000000-0000-0000-0000-000000000000:s1:c1:5000:second");
  }

  TEST_CASE("rate-limiting: LocalCounters count, expire and prune") {
    rl::LocalCounters counters;
    CHECK(counters.Get("a", 100) == 0);
    CHECK(counters.Increment("a", 1, 60, 100) == 1);
    CHECK(counters.Increment("a", 2, 60, 110) == 3);
    CHECK(counters.Get("a", 159) == 3);
    CHECK(counters.Get("a", 160) == 0);               // expired 60 s after creation
    CHECK(counters.Increment("a", 1, 60, 160) == 1);  // restarts
    CHECK(counters.Increment("b", 1, 1, 160) == 1);
    CHECK(counters.size(160) == 2);
    CHECK(counters.size(161) == 1);
    for (int i = 0; i < 200; ++i) counters.Increment("k" + std::to_string(i), 1, 1, 170);
    CHECK(counters.size(170) == 201);
    counters.Increment("k0", 1, 1, 180);  // k0 restarts: 1, not 2
    CHECK(counters.Get("k0", 180) == 1);
    CHECK(counters.size(180) == 2);  // "a" (until 220) and the new k0
  }

  TEST_CASE("rate-limiting: LocalCounters count a single window only below its limit") {
    rl::LocalCounters counters;
    const size_t hash = rl::LocalCounters::Hash("w");
    CHECK(counters.CountIfBelow("w", hash, 2, 60, 100) == 0);  // counted: 1
    CHECK(counters.CountIfBelow("w", hash, 2, 60, 101) == 1);  // counted: 2
    CHECK(counters.CountIfBelow("w", hash, 2, 60, 102) == 2);  // rejected: not counted
    CHECK(counters.Get("w", 102) == 2);
    CHECK(counters.CountIfBelow("w", hash, 2, 60, 160) == 0);  // expired: a new window
    CHECK(counters.Get("w", 160) == 1);
  }

  TEST_CASE("rate-limiting: LocalCounters lose no increment across threads") {
    rl::LocalCounters counters;
    constexpr int kThreads = 4, kPerThread = 5000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&counters, t] {
        for (int i = 0; i < kPerThread; ++i) {
          counters.Increment("shared", 1, 3600, 1000);
          counters.Increment("own" + std::to_string(t), 1, 3600, 1000);
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(counters.Get("shared", 1000) == kThreads * kPerThread);
    for (int t = 0; t < kThreads; ++t) CHECK(counters.Get("own" + std::to_string(t), 1000) == kPerThread);
  }

  TEST_CASE("rate-limiting: headers name the most restrictive window, Reset counts to its end") {
    // 13:45:30.250: 29.75 s left in the minute, 14 min 29.75 s in the hour.
    std::vector<rl::WindowUsage> usage = {{rl::Period::kMinute, 10, 3}, {rl::Period::kHour, 5, 1}};
    kong::http::HeaderMap h;
    rl::Verdict v = EvaluateInto(usage, false, &h);
    CHECK(!v.exceeded);
    CHECK(Header(h, "X-RateLimit-Limit-Minute") == "10");
    CHECK(Header(h, "X-RateLimit-Remaining-Minute") == "6");  // this request counts
    CHECK(Header(h, "X-RateLimit-Limit-Hour") == "5");
    CHECK(Header(h, "X-RateLimit-Remaining-Hour") == "3");
    CHECK(Header(h, "RateLimit-Limit") == "5");
    CHECK(Header(h, "RateLimit-Remaining") == "3");
    CHECK(Header(h, "RateLimit-Reset") == "870");  // 3600 - 2730
    CHECK(v.reset == 870);

    // A tie on remaining picks the longer window; a used-up window stops the request.
    usage = {{rl::Period::kSecond, 2, 2}, {rl::Period::kMinute, 3, 3}};
    kong::http::HeaderMap h2;
    v = EvaluateInto(usage, false, &h2);
    CHECK(v.exceeded);
    CHECK(Header(h2, "X-RateLimit-Remaining-Second") == "0");
    CHECK(Header(h2, "X-RateLimit-Remaining-Minute") == "0");
    CHECK(Header(h2, "RateLimit-Limit") == "3");
    CHECK(Header(h2, "RateLimit-Reset") == "30");

    // Only the window that stops the request counts it; the others keep their remaining.
    usage = {{rl::Period::kSecond, 5, 1}, {rl::Period::kDay, 4, 4}};
    kong::http::HeaderMap h3;
    v = EvaluateInto(usage, false, &h3);
    CHECK(v.exceeded);
    CHECK(Header(h3, "X-RateLimit-Remaining-Second") == "4");
    CHECK(Header(h3, "X-RateLimit-Remaining-Day") == "0");

    // kong.response.set_header: the upstream's fields of those names go, any case, and only
    // those; the verdict alone writes nothing.
    kong::http::HeaderMap upstream;
    upstream.Add("x-ratelimit-remaining-second", "99");
    upstream.Add("X-RateLimit-Remaining-Hour", "7");  // not a configured window: stays
    upstream.Add("ratelimit-reset", "99");
    upstream.Add("X-Other", "1");
    EvaluateInto(usage, false, &upstream);
    CHECK(upstream.GetAll("X-RateLimit-Remaining-Second") == std::vector<std::string_view>{"4"});
    CHECK(upstream.GetAll("RateLimit-Reset").size() == 1);
    CHECK(Header(upstream, "X-RateLimit-Remaining-Hour") == "7");
    CHECK(Header(upstream, "X-Other") == "1");
    CHECK(upstream.size() == 9);
    CHECK(rl::Evaluate(usage, kLeapDayMs, false, nullptr).reset == v.reset);

    kong::http::HeaderMap hidden;
    v = EvaluateInto(usage, true, &hidden);
    CHECK(v.exceeded);
    CHECK(hidden.empty());
    CHECK(rl::FormatNumber(1.5) == "1.5");
    CHECK(rl::FormatNumber(1e6) == "1000000");
  }

  TEST_CASE("rate-limiting: factory refuses what a data plane cannot run") {
    DirectHarness h;
    auto d = RateLimitingDescriptor();
    CHECK(d.priority == 910);
    auto none = h.TryMake(d, R"({"limit_by": "ip"})");
    REQUIRE(!none.ok());
    CHECK(none.status().message().find("config.second") != std::string::npos);
    auto cluster = h.TryMake(d, R"({"minute": 5, "policy": "cluster"})");
    REQUIRE(!cluster.ok());
    CHECK(cluster.status().message().find("policy 'cluster'") != std::string::npos);
    auto ssl = h.TryMake(d, R"({"minute": 5, "policy": "redis",
                               "redis": {"host": "127.0.0.1", "port": 6379, "ssl": true}})");
    REQUIRE(!ssl.ok());
    CHECK(ssl.status().message().find("redis.ssl") != std::string::npos);
    auto no_host = h.TryMake(d, R"({"minute": 5, "policy": "redis", "redis": {"port": 6379}})");
    CHECK(!no_host.ok());
    CHECK(h.TryMake(d, R"({"minute": 5, "policy": "redis", "redis": {"host": "localhost"}})").ok());
  }

  TEST_CASE("rate-limiting: identifiers follow limit_by and fall back to the client IP") {
    auto flat = kong::json::Parse(R"({"consumers": [{"id": "c1", "username": "u"}],
      "keyauth_credentials": [{"id": "k1", "key": "x", "consumer": {"id": "c1"}}]})");
    REQUIRE(flat.ok());
    auto index = kong::plugins::ConsumerIndex::Build(*flat);
    REQUIRE(index.ok());
    auto loop = kong::EventLoop::Create();
    REQUIRE(loop.ok());
    kong::plugins::WorkerState worker(**loop);
    kong::plugins::SharedState shared;
    auto req = MakeRequest("GET", {{"X-Tenant", "acme"}});
    req.path = "/orders";
    PluginContext ctx(req, **index, worker, shared);
    ctx.client_ip = "10.0.0.9";
    ctx.service_id = "svc-1";
    rl::Config c;
    c.limit_by = rl::LimitBy::kConsumer;
    CHECK(rl::Identify(ctx, c) == "10.0.0.9");
    const auto* key = (*index)->FindKey("x");
    ctx.Authenticate(key->consumer, key, false);
    CHECK(rl::Identify(ctx, c) == "c1");
    c.limit_by = rl::LimitBy::kCredential;
    CHECK(rl::Identify(ctx, c) == "k1");
    c.limit_by = rl::LimitBy::kIp;
    CHECK(rl::Identify(ctx, c) == "10.0.0.9");
    c.limit_by = rl::LimitBy::kService;
    CHECK(rl::Identify(ctx, c) == "svc-1");
    c.limit_by = rl::LimitBy::kHeader;
    c.header_name = "x-tenant";
    CHECK(rl::Identify(ctx, c) == "acme");
    c.header_name = "X-Missing";
    CHECK(rl::Identify(ctx, c) == "10.0.0.9");
    c.limit_by = rl::LimitBy::kPath;
    c.path = "/orders";
    CHECK(rl::Identify(ctx, c) == "/orders");
    c.path = "/other";
    CHECK(rl::Identify(ctx, c) == "10.0.0.9");
  }

  TEST_CASE("rate-limiting: local policy answers 429 with Retry-After once the window is used") {
    kong::plugins::testing::RateLimitingHarness lh;
    auto plugin = lh.Make(R"({"year": 3, "day": 100, "limit_by": "ip"})");
    for (int i = 1; i <= 3; ++i) {
      auto out = lh.Run(*plugin, "10.1.1.1");
      REQUIRE(out.flow == kong::plugins::Flow::kContinue);
      CHECK(Header(out.response_headers, "X-RateLimit-Limit-Year") == "3");
      CHECK(Header(out.response_headers, "X-RateLimit-Remaining-Year") == std::to_string(3 - i));
      CHECK(Header(out.response_headers, "X-RateLimit-Remaining-Day") == std::to_string(100 - i));
      CHECK(Header(out.response_headers, "RateLimit-Limit") == "3");
      CHECK(Header(out.response_headers, "RateLimit-Remaining") == std::to_string(3 - i));
    }
    auto other = lh.Run(*plugin, "10.1.1.2");  // another client
    CHECK(other.flow == kong::plugins::Flow::kContinue);
    auto out = lh.Run(*plugin, "10.1.1.1");
    REQUIRE(out.flow == kong::plugins::Flow::kExit);
    CHECK(out.exit->status == 429);
    CHECK(out.exit->body == "API rate limit exceeded");
    CHECK(out.exit->kong_error);
    const std::string retry = Header(out.exit->headers, "Retry-After");
    REQUIRE(retry != "<none>");
    CHECK(std::stoll(retry) >= 1);
    CHECK(std::stoll(retry) <= 31536000);
    CHECK(Header(out.response_headers, "RateLimit-Reset") == retry);
    CHECK(Header(out.response_headers, "X-RateLimit-Remaining-Year") == "0");
    CHECK(Header(out.response_headers, "X-RateLimit-Remaining-Day") == "97");  // not counted
    // A rejected request is not counted, and a new snapshot's plugin keeps the counts.
    auto recompiled = lh.Make(R"({"year": 4, "limit_by": "ip"})");
    CHECK(lh.Run(*recompiled, "10.1.1.1").flow == kong::plugins::Flow::kContinue);
    CHECK(lh.Run(*recompiled, "10.1.1.1").flow == kong::plugins::Flow::kExit);
    // Another route's plugin counts apart (the key holds the plugin's scope).
    auto scoped = lh.Make(R"({"year": 1, "limit_by": "ip"})", "route-2");
    CHECK(lh.Run(*scoped, "10.1.1.1").flow == kong::plugins::Flow::kContinue);
    CHECK(lh.Run(*scoped, "10.1.1.1").flow == kong::plugins::Flow::kExit);

    DirectHarness h;
    auto custom = h.Make(RateLimitingDescriptor(),
                         R"({"hour": 1, "limit_by": "header", "header_name": "X-K",
                             "error_code": 403, "error_message": "slow down",
                             "hide_client_headers": true})");
    CHECK(h.Run(*custom, MakeRequest("GET", {{"X-K", "a"}})).flow == kong::plugins::Flow::kContinue);
    auto denied = h.Run(*custom, MakeRequest("GET", {{"X-K", "a"}}));
    REQUIRE(denied.flow == kong::plugins::Flow::kExit);
    CHECK(denied.exit->status == 403);
    CHECK(denied.exit->body == "slow down");
    CHECK(!denied.exit->headers.Has("Retry-After"));  // hidden with the other headers
  }
}
