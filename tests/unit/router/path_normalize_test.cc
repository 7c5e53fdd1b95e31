// Request-path normalization before routing (reference §4.2, kong.tools.uri.normalize).
#include <doctest/doctest.h>

#include "router/path_normalize.h"

using kong::router::NormalizePath;

TEST_SUITE("router") {
  TEST_CASE("normalize: trivial paths are returned unchanged") {
    CHECK(NormalizePath("") == "");
    CHECK(NormalizePath("/") == "/");
    CHECK(NormalizePath("/a/b") == "/a/b");
    CHECK(NormalizePath("/a/b/") == "/a/b/");
  }

  TEST_CASE("normalize: unreserved and other escapes are decoded, reserved ones upper-cased") {
    CHECK(NormalizePath("/users/%6aohn%20doe/profile") == "/users/john doe/profile");
    CHECK(NormalizePath("/%41%2f") == "/A%2F");
    CHECK(NormalizePath("/a%2fb") == "/a%2Fb");
    CHECK(NormalizePath("/a%3Fb%3f") == "/a%3Fb%3F");
    CHECK(NormalizePath("/%7e%2D%5f") == "/~-_");
    // One pass: the decoded '%' is reserved, so "%2541" keeps its escape.
    CHECK(NormalizePath("/%2541") == "/%2541");
    // Not an escape: left as is.
    CHECK(NormalizePath("/%zz/%4") == "/%zz/%4");
  }

  TEST_CASE("normalize: dot segments are removed") {
    CHECK(NormalizePath("/a/./b/../c/") == "/a/c/");
    CHECK(NormalizePath("/a/b/..") == "/a/");
    CHECK(NormalizePath("/a/b/.") == "/a/b/");
    CHECK(NormalizePath("/..") == "/");
    CHECK(NormalizePath("/../../a") == "/a");
    CHECK(NormalizePath("/a/.../b") == "/a/.../b");
    CHECK(NormalizePath("/a/.b/c.") == "/a/.b/c.");
    // Escaped dots count as dots (Kong: "/%2e./ is considered the same of /../").
    CHECK(NormalizePath("/a/%2e%2E/b") == "/b");
    CHECK(NormalizePath("/route./req") == "/route./req");
  }

  TEST_CASE("normalize: doubled slashes are merged") {
    CHECK(NormalizePath("//a///b//") == "/a/b/");
    CHECK(NormalizePath("/a//../b") == "/b");
  }
}
