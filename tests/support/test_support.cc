// Shared test helpers.
#include "support/test_support.h"

#include <uv.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "kong/uv.h"

namespace kong::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/konghybrid-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void WriteTestFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

std::string ReadTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool WaitUntil(EventLoop& loop, const std::function<bool()>& pred, int timeout_ms) {
  uv_loop_t* uv = NativeHandle(loop);
  struct Watchdog {
    uv_timer_t timer;
    uv_timer_t tick;  // wakes the loop so a predicate on another thread's state is seen
    bool fired = false;
    int open = 2;
  };
  auto* dog = new Watchdog();
  dog->timer.data = dog;
  dog->tick.data = dog;
  uv_timer_init(uv, &dog->timer);
  uv_timer_init(uv, &dog->tick);
  uv_timer_start(
      &dog->timer, [](uv_timer_t* t) { static_cast<Watchdog*>(t->data)->fired = true; },
      static_cast<uint64_t>(timeout_ms), 0);
  uv_timer_start(&dog->tick, [](uv_timer_t*) {}, 5, 5);
  bool ok = pred();
  while (!ok && !dog->fired) {
    uv_run(uv, UV_RUN_ONCE);
    ok = pred();
  }
  auto closed = [](uv_handle_t* h) {
    auto* d = static_cast<Watchdog*>(h->data);
    if (--d->open == 0) delete d;
  };
  uv_close(reinterpret_cast<uv_handle_t*>(&dog->timer), closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&dog->tick), closed);
  uv_run(uv, UV_RUN_NOWAIT);
  return ok;
}

}  // namespace kong::test
