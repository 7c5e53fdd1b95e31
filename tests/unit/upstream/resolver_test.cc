// Resolver: IP literals, /etc/hosts names, caching, coalescing, error and stale TTLs.
#include "upstream/resolver.h"

#include <netinet/in.h>

#include <optional>

#include "net/socket_address.h"
#include "support/test_support.h"

using kong::EventLoop;
using kong::Result;
using kong::StatusCode;
using kong::test::WaitUntil;
using kong::upstream::Resolver;
using kong::upstream::ResolverOptions;

namespace {

using Answer = std::optional<Result<std::vector<sockaddr_storage>>>;

Resolver::Callback Into(Answer* answer) {
  return [answer](Result<std::vector<sockaddr_storage>> r) { answer->emplace(std::move(r)); };
}

bool HasAddress(const std::vector<sockaddr_storage>& list, const std::string& text) {
  for (const auto& ss : list) {
    if (kong::net::FormatAddress(reinterpret_cast<const sockaddr*>(&ss)) == text) return true;
  }
  return false;
}

}  // namespace

TEST_SUITE("upstream") {
  TEST_CASE("resolver: IP literals answer at once without a lookup") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    Resolver resolver(**loop);
    Answer v4, v6;
    resolver.Resolve("10.1.2.3", Into(&v4));
    resolver.Resolve("[::1]", Into(&v6));
    REQUIRE(v4.has_value());
    REQUIRE(v6.has_value());
    REQUIRE_OK(v4->status());
    CHECK(HasAddress(**v4, "10.1.2.3:0"));
    REQUIRE_OK(v6->status());
    CHECK(HasAddress(**v6, "[::1]:0"));
    CHECK(resolver.lookups_started() == 0);
  }

  TEST_CASE("resolver: localhost via /etc/hosts, cached, concurrent lookups coalesced") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    Resolver resolver(**loop);
    Answer first, second;
    resolver.Resolve("localhost", Into(&first));
    resolver.Resolve("localhost", Into(&second));
    CHECK(!first.has_value());  // a miss answers from the loop
    CHECK(resolver.lookups_started() == 1);
    REQUIRE(WaitUntil(**loop, [&] { return first.has_value() && second.has_value(); }));
    REQUIRE_OK(first->status());
    CHECK(HasAddress(**first, "127.0.0.1:0"));
    CHECK((**second).size() == (**first).size());

    Answer cached;
    resolver.Resolve("localhost", Into(&cached));
    REQUIRE(cached.has_value());  // inside Resolve()
    CHECK(HasAddress(**cached, "127.0.0.1:0"));
    CHECK(resolver.lookups_started() == 1);

    resolver.Clear();
    Answer again;
    resolver.Resolve("localhost", Into(&again));
    CHECK(!again.has_value());
    CHECK(resolver.lookups_started() == 2);
    CHECK(WaitUntil(**loop, [&] { return again.has_value(); }));
  }

  TEST_CASE("resolver: failures are remembered for error_ttl") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    ResolverOptions options;
    options.error_ttl_ms = 60000;
    Resolver resolver(**loop, options);
    Answer first;
    resolver.Resolve("no-such-host.invalid", Into(&first));  // RFC 6761: never resolves
    REQUIRE(WaitUntil(**loop, [&] { return first.has_value(); }, 20000));
    REQUIRE(!first->ok());
    CHECK(first->status().message().starts_with("dns lookup no-such-host.invalid: "));
    Answer second;
    resolver.Resolve("no-such-host.invalid", Into(&second));
    REQUIRE(second.has_value());
    CHECK(second->status().code() == first->status().code());
    CHECK(resolver.lookups_started() == 1);
  }

  TEST_CASE("resolver: a stale answer is served while one refresh runs") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    ResolverOptions options;
    options.valid_ttl_ms = 0;  // stale at once
    options.stale_ttl_ms = 60000;
    Resolver resolver(**loop, options);
    Answer first;
    resolver.Resolve("localhost", Into(&first));
    REQUIRE(WaitUntil(**loop, [&] { return first.has_value(); }));
    Answer stale1, stale2;
    resolver.Resolve("localhost", Into(&stale1));
    resolver.Resolve("localhost", Into(&stale2));
    REQUIRE(stale1.has_value());
    REQUIRE(stale2.has_value());
    CHECK(HasAddress(**stale1, "127.0.0.1:0"));
    CHECK(resolver.lookups_started() == 2);  // one background refresh for both
  }

  TEST_CASE("resolver: destroyed with a lookup in flight, the callback is dropped") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    Answer answer;
    {
      Resolver resolver(**loop);
      resolver.Resolve("localhost", Into(&answer));
    }
    // The getaddrinfo request still finishes in libuv's pool; its result is discarded.
    CHECK(!WaitUntil(**loop, [&] { return answer.has_value(); }, 200));
  }
}
