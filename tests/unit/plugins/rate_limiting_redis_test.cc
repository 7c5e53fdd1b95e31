// rate-limiting's redis policy, directly against a real redis-server child: the hiredis
// connection (pipelines, AUTH, SELECT, refused, timeout, reconnect) and the plugin's counts,
// keys, 429 and fault tolerance.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>

#include "plugins/consumers.h"
#include "plugins/factory.h"
#include "plugins/rate_limiting_periods.h"
#include "plugins/redis_client.h"
#include "plugins/state.h"
#include "support/test_support.h"
#include "unit/plugins/rate_limiting_harness.h"
#include "unit/plugins/redis_test_server.h"

using kong::plugins::Flow;
using kong::plugins::PluginContext;
using kong::plugins::redis::Command;
using kong::plugins::redis::RedisConnection;
using kong::plugins::redis::RedisOptions;
using kong::plugins::redis::Reply;
using kong::plugins::testing::RedisTestServer;
using kong::plugins::testing::RunPipeline;
using kong::test::WaitUntil;

namespace {

#define SKIP_WITHOUT_REDIS()                                               \
  if (!RedisTestServer::Available()) {                                     \
    MESSAGE("redis-server is not installed (scripts/install-deps): skipped"); \
    return;                                                                \
  }


RedisOptions Options(uint16_t port) {
  RedisOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.timeout_ms = 2000;
  return o;
}

std::unique_ptr<kong::EventLoop> NewLoop() { return std::move(kong::EventLoop::Create()).value(); }

std::string RedisConfig(uint16_t port, const std::string& extra = "") {
  return R"({"year": 2, "limit_by": "ip", "policy": "redis", "redis": {"host": "127.0.0.1", "port": )" +
         std::to_string(port) + R"(, "timeout": 2000})" + (extra.empty() ? "" : ", " + extra) + "}";
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("redis client: a pipeline gets every reply in order") {
    SKIP_WITHOUT_REDIS();
    RedisTestServer server;
    REQUIRE_MESSAGE(server.ok(), server.log());
    auto loop = NewLoop();
    {
      RedisConnection c(*loop, Options(server.port()));
      auto r = RunPipeline(*loop, c,
                           {{"INCRBY", "k", "5"}, {"EXPIRE", "k", "60"}, {"GET", "k"},
                            {"GET", "missing"}, {"NOSUCHCOMMAND"}});
      REQUIRE_MESSAGE(r.ok(), r.status().ToString());
      REQUIRE(r->size() == 5);
      CHECK((*r)[0].kind == Reply::Kind::kInteger);
      CHECK((*r)[0].integer == 5);
      CHECK((*r)[1].integer == 1);
      CHECK((*r)[2].kind == Reply::Kind::kString);
      CHECK((*r)[2].str == "5");
      CHECK((*r)[3].kind == Reply::Kind::kNil);
      CHECK((*r)[4].kind == Reply::Kind::kError);
      CHECK(c.connected());
    }
    WaitUntil(*loop, [] { return false; }, 50);  // let the poll handle close
  }

  TEST_CASE("redis client: AUTH (with username) and SELECT run before the first pipeline") {
    SKIP_WITHOUT_REDIS();
    RedisTestServer server({"--requirepass", "s3cret"});
    REQUIRE_MESSAGE(server.ok(), server.log());
    auto loop = NewLoop();
    {
      RedisOptions o = Options(server.port());
      o.password = "s3cret";
      o.database = 3;
      RedisConnection db3(*loop, o);
      auto set = RunPipeline(*loop, db3, {{"SET", "only-in-3", "x"}});
      REQUIRE(set.ok());
      CHECK((*set)[0].str == "OK");

      o.database = 0;
      o.username = "default";  // AUTH default s3cret (Redis 6 ACL form)
      RedisConnection db0(*loop, o);
      auto get = RunPipeline(*loop, db0, {{"GET", "only-in-3"}});
      REQUIRE(get.ok());
      CHECK((*get)[0].kind == Reply::Kind::kNil);  // SELECT 3 really happened above

      o.username.reset();
      o.password = "wrong";
      RedisConnection bad(*loop, o);
      auto denied = RunPipeline(*loop, bad, {{"GET", "x"}});
      REQUIRE(denied.ok());
      CHECK((*denied)[0].kind == Reply::Kind::kError);  // NOAUTH
    }
    WaitUntil(*loop, [] { return false; }, 50);
  }

  TEST_CASE("redis client: refused, timed out, then reconnected") {
    SKIP_WITHOUT_REDIS();
    auto loop = NewLoop();
    const uint16_t port = kong::plugins::testing::FreeLoopbackPort();
    {
      RedisConnection c(*loop, Options(port));
      auto refused = RunPipeline(*loop, c, {{"PING"}});
      REQUIRE(!refused.ok());
      CHECK(refused.status().code() == kong::StatusCode::kUnavailable);
      CHECK(!c.connected());

      RedisTestServer server({}, port);  // the server comes up: the next pipeline reconnects
      REQUIRE_MESSAGE(server.ok(), server.log());
      auto pong = RunPipeline(*loop, c, {{"PING"}});
      REQUIRE_MESSAGE(pong.ok(), pong.status().ToString());
      CHECK((*pong)[0].str == "PONG");
      server.Kill();
      auto gone = RunPipeline(*loop, c, {{"PING"}});
      CHECK(!gone.ok());
    }
    {
      // A listener that never accepts nor answers: the timeout ends the wait.
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      socklen_t len = sizeof a;
      REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
      REQUIRE(::listen(fd, 8) == 0);
      REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
      RedisOptions o = Options(ntohs(a.sin_port));
      o.timeout_ms = 100;
      RedisConnection c(*loop, o);
      auto timed_out = RunPipeline(*loop, c, {{"PING"}});
      REQUIRE(!timed_out.ok());
      CHECK(timed_out.status().message().find("timeout") != std::string::npos);
      ::close(fd);
    }
    WaitUntil(*loop, [] { return false; }, 50);
  }

  TEST_CASE("rate-limiting redis policy: counts in Redis under Kong's keys, then 429") {
    SKIP_WITHOUT_REDIS();
    RedisTestServer server;
    REQUIRE_MESSAGE(server.ok(), server.log());
    kong::plugins::testing::RateLimitingHarness h;
    {
      auto plugin = h.Make(RedisConfig(server.port()));
      for (int i = 1; i <= 2; ++i) {
        auto out = h.Run(*plugin, "10.9.9.9");
        REQUIRE(out.flow == Flow::kContinue);
        CHECK(out.response_headers.Get("X-RateLimit-Remaining-Year") == std::to_string(2 - i));
      }
      auto out = h.Run(*plugin, "10.9.9.9");
      REQUIRE(out.flow == Flow::kExit);
      CHECK(out.exit->status == 429);
      CHECK(out.exit->headers.Has("Retry-After"));
      CHECK(out.response_headers.Get("X-RateLimit-Remaining-Year") == "0");

      const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
      std::string key;
      kong::plugins::ratelimit::CounterKey(
          "", "", "10.9.9.9", kong::plugins::ratelimit::Period::kYear,
          kong::plugins::ratelimit::PeriodStartMs(kong::plugins::ratelimit::Period::kYear, now_ms),
          &key);
      RedisConnection probe(*h.loop, Options(server.port()));
      auto r = RunPipeline(*h.loop, probe, {{"GET", key}, {"TTL", key}});
      REQUIRE(r.ok());
      CHECK((*r)[0].str == "2");  // the rejected request was not counted
      CHECK((*r)[1].integer > 0);
      CHECK((*r)[1].integer <= 31536000);
    }
    WaitUntil(*h.loop, [] { return false; }, 50);
  }

  TEST_CASE("rate-limiting redis policy: Redis down -> fault_tolerant passes, else 500") {
    SKIP_WITHOUT_REDIS();
    RedisTestServer server;
    REQUIRE_MESSAGE(server.ok(), server.log());
    kong::plugins::testing::RateLimitingHarness h;
    {
      auto tolerant = h.Make(RedisConfig(server.port()));
      auto strict = h.Make(RedisConfig(server.port(), R"("fault_tolerant": false)"));
      REQUIRE(h.Run(*tolerant, "10.0.0.1").response_headers.Has("RateLimit-Limit"));
      server.Kill();
      auto passed = h.Run(*tolerant, "10.0.0.1");
      CHECK(passed.flow == Flow::kContinue);
      CHECK(passed.response_headers.empty());  // no headers without usage
      auto failed = h.Run(*strict, "10.0.0.1");
      REQUIRE(failed.flow == Flow::kExit);
      CHECK(failed.exit->status == 500);
      CHECK(failed.exit->body == "An unexpected error occurred");
    }
    WaitUntil(*h.loop, [] { return false; }, 50);
  }
}
