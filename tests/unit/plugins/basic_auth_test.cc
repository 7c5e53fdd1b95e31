// basic-auth, run directly: Proxy-Authorization then Authorization, the SHA-1 password check,
// Kong 3.10's single 401 with WWW-Authenticate: Basic realm, the parsing of odd headers,
// hide_credentials, anonymous and the "logical OR" with key-auth.
#include <doctest/doctest.h>

#include "plugins/factory.h"
#include "unit/plugins/auth_fixture.h"

using kong::plugins::BasicAuthDescriptor;
using kong::plugins::Flow;
using kong::plugins::KeyAuthDescriptor;
using kong::plugins::testing::AuthCall;
using kong::plugins::testing::AuthFixture;
using kong::plugins::testing::Base64;
using kong::plugins::testing::Basic;
using kong::plugins::testing::kAliceId;
using kong::plugins::testing::kAnonId;
using kong::plugins::testing::kBobId;

namespace {

void CheckRejected(AuthCall& call, Flow flow, const std::string& realm = "service") {
  CHECK(flow == Flow::kExit);
  CHECK(call.ExitStatus() == 401);
  CHECK(call.ExitMessage() == "Unauthorized");
  CHECK(call.ctx().exit()->kong_error);
  CHECK(call.ExitHeader("WWW-Authenticate") == "Basic realm=\"" + realm + "\"");
  CHECK(call.ctx().consumer() == nullptr);
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("basic-auth: every failure is the same 401 with Basic realm") {
    AuthFixture f;
    auto p = f.Make(BasicAuthDescriptor(), "{}");
    const std::vector<std::string> bad = {
        Basic("alice-basic:wrong"),   // wrong password
        Basic("nobody:s3cret"),       // unknown user
        Basic("alice-basic"),         // no colon
        Basic(":s3cret"),             // no user
        "Basic !!!notbase64",         // not base64
        "Basic " + Base64("alice-basic:s3cret") + " x",  // a space inside
        "Bearer abc",                 // another scheme
        "Basic",                      // nothing after the scheme
        "",
    };
    for (const std::string& value : bad) {
      CAPTURE(value);
      AuthCall call(f, "GET");
      call.headers().Add("Authorization", value);
      CheckRejected(call, call.Run(*p));
    }
    AuthCall none(f, "GET");
    CheckRejected(none, none.Run(*p));
    auto realm = f.Make(BasicAuthDescriptor(), R"({"realm": "my api"})");
    AuthCall call(f, "GET");
    CheckRejected(call, call.Run(*realm), "my api");
  }

  TEST_CASE("basic-auth: valid credentials set X-Consumer-* with the username as identifier") {
    AuthFixture f;
    auto p = f.Make(BasicAuthDescriptor(), "{}");
    AuthCall call(f, "GET");
    call.headers().Add("X-Consumer-ID", "forged");
    call.headers().Add("Authorization", Basic("alice-basic:s3cret"));
    REQUIRE(call.Run(*p) == Flow::kContinue);
    CHECK(call.Header("X-Consumer-ID") == kAliceId);
    CHECK(call.Header("X-Consumer-Username") == "alice");
    CHECK(call.Header("X-Consumer-Custom-ID") == "A-1");
    CHECK(call.Header("X-Credential-Identifier") == "alice-basic");
    CHECK(call.Header("X-Anonymous-Consumer") == "<none>");
    CHECK(call.Header("Authorization") == Basic("alice-basic:s3cret"));  // kept by default
    REQUIRE(call.ctx().credential() != nullptr);
    CHECK(call.ctx().credential()->identifier == "alice-basic");
  }

  TEST_CASE("basic-auth: what Kong's regexes accept") {
    AuthFixture f;
    auto p = f.Make(BasicAuthDescriptor(), "{}");
    const std::vector<std::pair<std::string, std::string_view>> good = {
        {"basic " + Base64("alice-basic:s3cret"), kAliceId},      // lower-case scheme
        {"Basic    " + Base64("alice-basic:s3cret"), kAliceId},   // several spaces
        {"xBasic" + Base64("alice-basic:s3cret"), kAliceId},      // unanchored, no space
        {"Basic " + Base64("bob-basic:pa:ss word").substr(0, 27), kBobId},  // padding optional
        {"Basic " + Base64("bob-basic:pa:ss word"), kBobId},      // ':' and ' ' in the password
        {"Basic " + Base64(":bob-basic:pa:ss word"), kBobId},     // leading ':' skipped
        {"Basic " + Base64("alice-basic:s3cret") + "==garbage", kAliceId},  // stops at '='
    };
    for (const auto& [value, id] : good) {
      CAPTURE(value);
      AuthCall call(f, "GET");
      call.headers().Add("Authorization", value);
      REQUIRE(call.Run(*p) == Flow::kContinue);
      CHECK(call.Header("X-Consumer-ID") == id);
    }
  }

  TEST_CASE("basic-auth: Proxy-Authorization first, Authorization when it names no user") {
    AuthFixture f;
    auto p = f.Make(BasicAuthDescriptor(), "{}");
    {
      AuthCall call(f, "GET");
      call.headers().Add("Proxy-Authorization", Basic("alice-basic:s3cret"));
      call.headers().Add("Authorization", Basic("bob-basic:wrong"));
      REQUIRE(call.Run(*p) == Flow::kContinue);
      CHECK(call.Header("X-Consumer-ID") == kAliceId);
    }
    {
      AuthCall call(f, "GET");
      call.headers().Add("Proxy-Authorization", Basic("nobody:x"));
      call.headers().Add("Authorization", Basic("alice-basic:s3cret"));
      REQUIRE(call.Run(*p) == Flow::kContinue);
      CHECK(call.Header("X-Consumer-ID") == kAliceId);
    }
    {
      // A known user with a wrong password in Proxy-Authorization: Authorization is not tried.
      AuthCall call(f, "GET");
      call.headers().Add("Proxy-Authorization", Basic("bob-basic:wrong"));
      call.headers().Add("Authorization", Basic("alice-basic:s3cret"));
      CheckRejected(call, call.Run(*p));
    }
  }

  TEST_CASE("basic-auth: hide_credentials removes the headers it read") {
    AuthFixture f;
    auto p = f.Make(BasicAuthDescriptor(), R"({"hide_credentials": true})");
    {
      AuthCall call(f, "GET");
      call.headers().Add("Authorization", Basic("alice-basic:s3cret"));
      REQUIRE(call.Run(*p) == Flow::kContinue);
      CHECK(call.Header("Authorization") == "<none>");
    }
    {
      AuthCall call(f, "GET");  // Authorization was never read: it stays
      call.headers().Add("Proxy-Authorization", Basic("alice-basic:s3cret"));
      call.headers().Add("Authorization", "Bearer for-the-upstream");
      REQUIRE(call.Run(*p) == Flow::kContinue);
      CHECK(call.Header("Proxy-Authorization") == "<none>");
      CHECK(call.Header("Authorization") == "Bearer for-the-upstream");
    }
    {
      AuthCall call(f, "GET");  // removed even when refused
      call.headers().Add("Authorization", Basic("alice-basic:wrong"));
      CheckRejected(call, call.Run(*p));
      CHECK(call.Header("Authorization") == "<none>");
    }
  }

  TEST_CASE("basic-auth: anonymous, its 500, and the logical OR with key-auth") {
    AuthFixture f;
    auto p = f.Make(BasicAuthDescriptor(), R"({"anonymous": "anonymous"})");
    {
      AuthCall call(f, "GET");
      call.headers().Add("Authorization", Basic("alice-basic:wrong"));
      REQUIRE(call.Run(*p) == Flow::kContinue);
      CHECK(call.Header("X-Consumer-ID") == kAnonId);
      CHECK(call.Header("X-Anonymous-Consumer") == "true");
      CHECK(call.Header("X-Credential-Identifier") == "<none>");
    }
    {
      auto ghost = f.Make(BasicAuthDescriptor(), R"({"anonymous": "ghost"})");
      AuthCall call(f, "GET");
      REQUIRE(call.Run(*ghost) == Flow::kExit);
      CHECK(call.ExitStatus() == 500);
      CHECK(call.ExitMessage() == "anonymous consumer ghost is configured but doesn't exist");
    }
    // key-auth (1250) then basic-auth (1100), both with anonymous: either credential passes.
    auto key = f.Make(KeyAuthDescriptor(), R"({"anonymous": "anonymous"})");
    {
      AuthCall call(f, "GET", "apikey=alice-key");
      REQUIRE(call.Run(*key) == Flow::kContinue);
      REQUIRE(call.Run(*p) == Flow::kContinue);
      CHECK(call.Header("X-Consumer-ID") == kAliceId);
      CHECK(call.Header("X-Anonymous-Consumer") == "<none>");
    }
    {
      AuthCall call(f, "GET");
      call.headers().Add("Authorization", Basic("bob-basic:pa:ss word"));
      REQUIRE(call.Run(*key) == Flow::kContinue);  // anonymous for now
      CHECK(call.ctx().anonymous());
      REQUIRE(call.Run(*p) == Flow::kContinue);  // then bob replaces the anonymous consumer
      CHECK(call.Header("X-Consumer-ID") == kBobId);
      CHECK(call.Header("X-Credential-Identifier") == "bob-basic");
      CHECK(call.Header("X-Anonymous-Consumer") == "<none>");
      CHECK_FALSE(call.ctx().anonymous());
    }
    {
      AuthCall call(f, "GET");
      REQUIRE(call.Run(*key) == Flow::kContinue);
      REQUIRE(call.Run(*p) == Flow::kContinue);
      CHECK(call.Header("X-Consumer-ID") == kAnonId);
      CHECK(call.Header("X-Anonymous-Consumer") == "true");
    }
  }
}
