// Tests for net::Timer's lazy deadlines: restarts move the deadline either way, a stopped
// timer neither fires nor keeps its loop alive.
#include "net/timer.h"

#include <uv.h>

#include "kong/uv.h"
#include "support/test_support.h"
#include "unit/net/loopback_peer.h"

using kong::EventLoop;
using kong::net::Timer;
using kong::test::WaitUntil;

TEST_SUITE("net") {
  TEST_CASE("Timer restarted with a later deadline fires at the later one, once") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      uv_loop_t* uv = kong::NativeHandle(l);
      Timer timer(l);
      int fired = 0;
      uint64_t start = uv_now(uv), fired_at = 0;
      timer.Start(20, [&] { FAIL("replaced by the restart"); });
      timer.Start(80, [&] {
        ++fired;
        fired_at = uv_now(uv);
      });
      CHECK(timer.active());
      CHECK(WaitUntil(l, [&] { return fired == 1; }));
      CHECK(fired_at - start >= 80);
      CHECK_FALSE(timer.active());
      // It stays quiet afterwards.
      bool later = false;
      Timer other(l);
      other.Start(120, [&] { later = true; });
      CHECK(WaitUntil(l, [&] { return later; }));
      CHECK(fired == 1);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("Timer restarted with an earlier deadline fires early") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      uv_loop_t* uv = kong::NativeHandle(l);
      Timer timer(l);
      bool fired = false;
      uint64_t start = uv_now(uv);
      timer.Start(60000, [&] { FAIL("replaced by the restart"); });
      timer.Start(10, [&] { fired = true; });
      CHECK(WaitUntil(l, [&] { return fired; }, 3000));
      CHECK(uv_now(uv) - start < 3000);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }

  TEST_CASE("A stopped Timer does not fire and keeps no loop alive; it can start again") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      uv_loop_t* uv = kong::NativeHandle(l);
      Timer timer(l);
      timer.Start(30000, [&] { FAIL("stopped"); });
      timer.Stop();
      CHECK_FALSE(timer.active());
      uint64_t start = uv_now(uv);
      CHECK_OK(l.Run());  // returns at once: the stopped timer holds no reference
      CHECK(uv_now(uv) - start < 10000);

      bool fired = false;
      timer.Start(10, [&] { fired = true; });
      CHECK_OK(l.Run());  // runs until the restarted timer fired
      CHECK(fired);
      CHECK_FALSE(timer.active());
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
