// Tests for lib/base: Status/Result and atomic file writes.
#include <sys/stat.h>

#include <array>
#include <memory>
#include <thread>
#include <vector>

#include "base/files.h"
#include "base/recycling_allocator.h"
#include "base/text.h"
#include "kong/logger.h"
#include "kong/status.h"
#include "kong/version.h"
#include "support/test_support.h"

using kong::Result;
using kong::Status;
using kong::StatusCode;

TEST_SUITE("base") {
  TEST_CASE("Status and Result carry codes, messages and values") {
    Status ok;
    CHECK(ok.ok());
    CHECK(ok.ToString() == "OK");
    Status bad = Status::InvalidArgument("days must be >= 1");
    CHECK(!bad.ok());
    CHECK(bad.code() == StatusCode::kInvalidArgument);
    CHECK(bad.ToString() == "invalid argument: days must be >= 1");

    Result<int> r = 42;
    REQUIRE(r.ok());
    CHECK(*r == 42);
    CHECK(r.status().ok());
    Result<int> e = Status::NotFound("no file at: /x");
    CHECK(!e.ok());
    CHECK(e.status().code() == StatusCode::kNotFound);
    CHECK(e.status().message() == "no file at: /x");
  }

  TEST_CASE("LinkedVersion matches the headers") {
    CHECK(std::string(kong::LinkedVersion()) == KONG_VERSION_STRING);
  }

  TEST_CASE("log levels round-trip") {
    kong::LogLevel l;
    CHECK(kong::ParseLogLevel("notice", &l));
    CHECK(l == kong::LogLevel::kNotice);
    CHECK(std::string(kong::LogLevelName(kong::LogLevel::kWarn)) == "warn");
    CHECK(!kong::ParseLogLevel("verbose", &l));
  }

  TEST_CASE("SplitTrimmed drops empty items like Kong's arrays") {
    auto v = kong::base::SplitTrimmed(" a, b ,,c ,", ',');
    REQUIRE(v.size() == 3);
    CHECK(v[0] == "a");
    CHECK(v[1] == "b");
    CHECK(v[2] == "c");
  }

  TEST_CASE("AtomicWriteFile writes with the mode and refuses to overwrite when exclusive") {
    kong::test::TempDir dir;
    std::string p = dir.File("f.txt");
    CHECK_OK(kong::base::AtomicWriteFile(p, "one", 0600, true));
    struct stat st;
    REQUIRE(::stat(p.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(kong::test::ReadTestFile(p) == "one");

    Status again = kong::base::AtomicWriteFile(p, "two", 0600, true);
    CHECK(again.code() == StatusCode::kConflict);
    CHECK(kong::test::ReadTestFile(p) == "one");

    CHECK_OK(kong::base::AtomicWriteFile(p, "three", 0644, false));
    CHECK(kong::test::ReadTestFile(p) == "three");
    REQUIRE(::stat(p.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);
  }

  TEST_CASE("AtomicWriteFile into a missing folder fails and leaves nothing") {
    kong::test::TempDir dir;
    Status s = kong::base::AtomicWriteFile(dir.File("missing/f"), "x", 0600);
    CHECK(!s.ok());
    CHECK(s.message().find(dir.File("missing/f")) != std::string::npos);
  }

  TEST_CASE("ReadFile names the path on failure") {
    auto r = kong::base::ReadFile("/nonexistent/kong.conf");
    CHECK(r.status().code() == StatusCode::kNotFound);
    CHECK(r.status().message().find("/nonexistent/kong.conf") != std::string::npos);
  }

  TEST_CASE("RecyclingAllocator: shared objects built, dropped and rebuilt on one thread") {
    struct Tracked {
      explicit Tracked(int v, int* live) : value(v), live(live) { ++*live; }
      ~Tracked() { --*live; }
      int value;
      int* live;
    };
    int live = 0;
    kong::base::RecyclingAllocator<Tracked> alloc;
    std::vector<std::shared_ptr<Tracked>> held;
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < 300; ++i) held.push_back(std::allocate_shared<Tracked>(alloc, i, &live));
      CHECK(live == 300);
      for (int i = 0; i < 300; ++i) CHECK(held[static_cast<size_t>(i)]->value == i);
      held.clear();  // more than the cache keeps: the rest goes back to operator delete
      CHECK(live == 0);
    }
    // Another thread has its own blocks; a block may also be freed on a thread other than
    // the one that made it.
    std::shared_ptr<Tracked> made_here = std::allocate_shared<Tracked>(alloc, 7, &live);
    std::thread([&] {
      auto there = std::allocate_shared<Tracked>(alloc, 8, &live);
      CHECK(there->value == 8);
      made_here.reset();
    }).join();
    CHECK(live == 0);
    // A thread that leaves blocks in its cache: they are freed when it exits (`valgrind
    // --leak-check=full` reports them otherwise; sanitizer builds bypass the cache), and later
    // frees of its blocks on other threads are unaffected.
    std::vector<std::shared_ptr<Tracked>> survivors;
    std::thread([&] {
      std::vector<std::shared_ptr<Tracked>> local;
      for (int i = 0; i < 50; ++i) local.push_back(std::allocate_shared<Tracked>(alloc, i, &live));
      survivors.assign(local.begin(), local.begin() + 10);
      local.clear();  // 40 blocks stay in this thread's cache until it exits
    }).join();
    CHECK(live == 10);
    survivors.clear();
    CHECK(live == 0);
  }

  TEST_CASE("Recycled: make_unique objects and their larger subclasses, through a base pointer") {
    struct Base {
      virtual ~Base() = default;
      int value = 0;
    };
    struct Small : Base, kong::base::Recycled<Small> {
      std::array<char, 40> payload{};
    };
    struct Larger : Small {  // another size: plain operator new/delete
      std::array<char, 200> more{};
    };
    for (int round = 0; round < 3; ++round) {
      std::vector<std::unique_ptr<Base>> held;
      for (int i = 0; i < 300; ++i) {
        std::unique_ptr<Base> p;
        if (i % 3 == 0) {
          p = std::make_unique<Larger>();
        } else {
          p = std::make_unique<Small>();
        }
        p->value = i;
        held.push_back(std::move(p));
      }
      for (int i = 0; i < 300; ++i) {
        CHECK(held[static_cast<size_t>(i)]->value == i);
        CHECK((dynamic_cast<Larger*>(held[static_cast<size_t>(i)].get()) != nullptr) == (i % 3 == 0));
      }
    }
    std::unique_ptr<Base> made_here = std::make_unique<Small>();
    std::thread([&] { made_here.reset(); }).join();  // freed on another thread
    CHECK(made_here == nullptr);
  }
}
