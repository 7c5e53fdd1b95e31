// Offset tokens: base64 round trips and Kong's error text for bad tokens.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "store/offset_token.h"
#include "support/test_support.h"

namespace kong::store {
namespace {

TEST_SUITE("store") {
  TEST_CASE("offset tokens are base64 of the last id and round-trip") {
    CHECK(EncodeOffset("a") == "YQ==");
    CHECK(EncodeOffset("ab") == "YWI=");
    CHECK(EncodeOffset("abc") == "YWJj");
    for (const std::string& id : std::vector<std::string>{"a", "ab", "abc", "abcd", "0d1f5d0c-5b8a-4d34-9a57-3c9e4f1a2b3c",
                           std::string("\xff\x00\x80", 3)}) {
      auto back = DecodeOffset(EncodeOffset(id));
      REQUIRE_OK(back.status());
      CHECK(*back == id);
    }
  }

  TEST_CASE("bad offset tokens fail with kong's message") {
    for (const std::string& bad : std::vector<std::string>{"x", "YQ=", "Y===", "YQ=a", "****", "YR==", "YWJ=", "===="}) {
      auto r = DecodeOffset(bad);
      CAPTURE(bad);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == StatusCode::kInvalidArgument);
      CHECK(r.status().message() == "'" + bad + "' is not a valid offset: bad base64 encoding");
    }
  }
}

}  // namespace
}  // namespace kong::store
