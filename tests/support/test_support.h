// Shared test helpers: Status printing, CHECK_OK, temp folders, loop fixture, waits.
#ifndef KONG_TESTS_SUPPORT_TEST_SUPPORT_H_
#define KONG_TESTS_SUPPORT_TEST_SUPPORT_H_

#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "kong/event_loop.h"
#include "kong/status.h"

namespace doctest {
template <>
struct StringMaker<kong::Status> {
  static String convert(const kong::Status& s) { return s.ToString().c_str(); }
};
}  // namespace doctest

#define CHECK_OK(expr)                     \
  do {                                     \
    ::kong::Status check_ok_s_ = (expr);   \
    CHECK_MESSAGE(check_ok_s_.ok(), check_ok_s_.ToString()); \
  } while (0)
#define REQUIRE_OK(expr)                   \
  do {                                     \
    ::kong::Status require_ok_s_ = (expr); \
    REQUIRE_MESSAGE(require_ok_s_.ok(), require_ok_s_.ToString()); \
  } while (0)

namespace kong::test {

// A fresh folder under $TMPDIR, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes a file (plain, non-atomic: tests only).
void WriteTestFile(const std::string& path, const std::string& data);
std::string ReadTestFile(const std::string& path);

// Runs `loop` until `pred` holds or `timeout_ms` passes; returns whether `pred` held. A
// watchdog timer bounds the wait: nothing sleeps.
bool WaitUntil(EventLoop& loop, const std::function<bool()>& pred, int timeout_ms = 5000);

}  // namespace kong::test

#endif  // KONG_TESTS_SUPPORT_TEST_SUPPORT_H_
