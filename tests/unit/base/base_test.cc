// Tests for lib/base: Status/Result and atomic file writes.
#include <sys/stat.h>

#include "base/files.h"
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
}
