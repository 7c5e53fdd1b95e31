// Tests for EventLoop: posting across threads, wrapping a caller's uv loop.
#include <uv.h>

#include <atomic>
#include <thread>
#include <vector>

#include "kong/event_loop.h"
#include "kong/uv.h"
#include "support/test_support.h"

TEST_SUITE("loop") {
  TEST_CASE("Post from another thread runs closures in order on the loop thread") {
    auto loop = kong::EventLoop::Create();
    REQUIRE(loop.ok());
    kong::EventLoop& l = **loop;
    std::vector<int> seen;
    std::atomic<bool> wrong_thread{false};
    std::thread producer([&] {
      for (int i = 0; i < 100; ++i) {
        l.Post([&, i] {
          if (!l.IsCurrentThread()) wrong_thread = true;
          seen.push_back(i);
        });
      }
    });
    producer.join();
    CHECK(kong::test::WaitUntil(l, [&] { return seen.size() == 100; }));
    CHECK(!wrong_thread);
    for (int i = 0; i < 100; ++i) CHECK(seen[i] == i);
  }

  TEST_CASE("Run returns when nothing keeps the loop alive; Quit stops a busy loop") {
    auto loop = kong::EventLoop::Create();
    REQUIRE(loop.ok());
    CHECK_OK((*loop)->Run());  // the mailbox alone does not keep it running

    uv_timer_t timer;
    uv_timer_init(kong::NativeHandle(**loop), &timer);
    uv_timer_start(&timer, [](uv_timer_t*) {}, 1, 1);  // would run forever
    (*loop)->Post([&] { (*loop)->Quit(); });
    CHECK_OK((*loop)->Run());
    uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
    (*loop)->RunOnce();
  }

  TEST_CASE("Work started by a closure posted before Run keeps Run going until it ends") {
    auto loop = kong::EventLoop::Create();
    REQUIRE(loop.ok());
    uv_timer_t timer;
    int fired = 0;
    timer.data = &fired;
    // As an embedder does: "create and start the node on the loop", then Run. The closure runs
    // on an idle loop; the timer it starts must keep Run alive until it fired twice.
    (*loop)->Post([&] {
      uv_timer_init(kong::NativeHandle(**loop), &timer);
      uv_timer_start(
          &timer,
          [](uv_timer_t* t) {
            int* n = static_cast<int*>(t->data);
            if (++*n == 2) uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
          },
          1, 1);
    });
    CHECK_OK((*loop)->Run());
    CHECK(fired == 2);
  }

  TEST_CASE("WrapUvLoop borrows a caller's loop, which closes cleanly afterwards") {
    uv_loop_t uv;
    REQUIRE(uv_loop_init(&uv) == 0);
    {
      auto wrapped = kong::WrapUvLoop(&uv);
      REQUIRE(wrapped.ok());
      CHECK(kong::NativeHandle(**wrapped) == &uv);
      bool ran = false;
      (*wrapped)->Post([&] { ran = true; });
      CHECK(kong::test::WaitUntil(**wrapped, [&] { return ran; }));
    }
    uv_run(&uv, UV_RUN_DEFAULT);
    CHECK(uv_loop_close(&uv) == 0);
  }

  TEST_CASE("WrapUvLoop rejects null") {
    auto wrapped = kong::WrapUvLoop(nullptr);
    CHECK(wrapped.status().code() == kong::StatusCode::kInvalidArgument);
  }
}
