// key-auth, run directly on a PluginContext: where the key is found (header, query, body, in
// key_names order), Kong 3.10's three 401s with WWW-Authenticate, the X-Consumer-* headers,
// hide_credentials, anonymous and the "logical OR", run_on_preflight, and the body read.
#include <doctest/doctest.h>

#include "plugins/factory.h"
#include "unit/plugins/auth_fixture.h"

using kong::plugins::Flow;
using kong::plugins::KeyAuthDescriptor;
using kong::plugins::testing::AuthCall;
using kong::plugins::testing::AuthFixture;
using kong::plugins::testing::kAliceId;
using kong::plugins::testing::kAliceKeyId;
using kong::plugins::testing::kAnonId;

namespace {

void CheckRejected(AuthCall& call, Flow flow, const std::string& message,
                   const std::string& challenge = "Key") {
  CHECK(flow == Flow::kExit);
  CHECK(call.ExitStatus() == 401);
  CHECK(call.ExitMessage() == message);
  CHECK(call.ctx().exit()->kong_error);  // kong.response.error: the template with request_id
  CHECK(call.ExitHeader("WWW-Authenticate") == challenge);
  CHECK(call.ctx().consumer() == nullptr);
}

void CheckAlice(AuthCall& call, Flow flow) {
  REQUIRE(flow == Flow::kContinue);
  CHECK_FALSE(call.ctx().exit().has_value());
  REQUIRE(call.ctx().consumer() != nullptr);
  CHECK(call.ctx().consumer()->id == kAliceId);
  CHECK(call.Header("X-Consumer-ID") == kAliceId);
  CHECK(call.Header("X-Consumer-Username") == "alice");
  CHECK(call.Header("X-Consumer-Custom-ID") == "A-1");
  CHECK(call.Header("X-Credential-Identifier") == kAliceKeyId);
  CHECK(call.Header("X-Anonymous-Consumer") == "<none>");
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("key-auth: no key, an empty key, an unknown key and a repeated key are 401s") {
    AuthFixture f;
    auto p = f.Make(KeyAuthDescriptor(), "{}");
    {
      AuthCall call(f, "GET");
      CheckRejected(call, call.Run(*p), "No API key found in request");
    }
    {
      AuthCall call(f, "GET");
      call.headers().Add("apikey", "");
      CheckRejected(call, call.Run(*p), "No API key found in request");
    }
    {
      AuthCall call(f, "GET", "apikey=");
      CheckRejected(call, call.Run(*p), "No API key found in request");
    }
    {
      AuthCall call(f, "GET", "apikey");  // Lua sees `true`, not a string: no key
      CheckRejected(call, call.Run(*p), "No API key found in request");
    }
    {
      AuthCall call(f, "GET");
      call.headers().Add("apikey", "nope");
      CheckRejected(call, call.Run(*p), "Unauthorized");
    }
    {
      AuthCall call(f, "GET");
      call.headers().Add("apikey", "alice-key");
      call.headers().Add("ApiKey", "alice-key");
      CheckRejected(call, call.Run(*p), "Duplicate API key found");
    }
    {
      AuthCall call(f, "GET", "apikey=alice-key&apikey=bob-key");
      CheckRejected(call, call.Run(*p), "Duplicate API key found");
    }
    {
      AuthCall call(f, "GET", "apikey&apikey=alice-key");
      CheckRejected(call, call.Run(*p), "Duplicate API key found");
    }
  }

  TEST_CASE("key-auth: realm goes into WWW-Authenticate") {
    AuthFixture f;
    auto p = f.Make(KeyAuthDescriptor(), R"({"realm": "kong"})");
    AuthCall call(f, "GET");
    CheckRejected(call, call.Run(*p), "No API key found in request", R"(Key realm="kong")");
  }

  TEST_CASE("key-auth: a valid key sets X-Consumer-* and overwrites what the client sent") {
    AuthFixture f;
    auto p = f.Make(KeyAuthDescriptor(), "{}");
    SUBCASE("header, any case") {
      AuthCall call(f, "GET");
      call.headers().Add("X-Consumer-ID", "forged");
      call.headers().Add("X-Consumer-Username", "forged");
      call.headers().Add("X-Credential-Identifier", "forged");
      call.headers().Add("X-Anonymous-Consumer", "true");
      call.headers().Add("APIKEY", "alice-key");
      CheckAlice(call, call.Run(*p));
      CHECK(call.headers().GetAll("X-Consumer-ID").size() == 1);
      CHECK(call.Header("apikey") == "alice-key");  // not hidden by default
      CHECK_FALSE(call.ctx().upstream_query.has_value());
    }
    SUBCASE("query, percent-encoded") {
      AuthCall call(f, "GET", "x=1&api%6Bey=alice%2Dkey");
      CheckAlice(call, call.Run(*p));
      CHECK_FALSE(call.ctx().upstream_query.has_value());
    }
    SUBCASE("a consumer without custom_id clears the client's header") {
      AuthCall call(f, "GET", "apikey=bob-key");
      call.headers().Add("X-Consumer-Custom-ID", "forged");
      REQUIRE(call.Run(*p) == Flow::kContinue);
      CHECK(call.Header("X-Consumer-Username") == "bob");
      CHECK(call.Header("X-Consumer-Custom-ID") == "<none>");
    }
  }

  TEST_CASE("key-auth: key_names in order, header before query, key_in_* switches") {
    AuthFixture f;
    {
      auto p = f.Make(KeyAuthDescriptor(), R"({"key_names": ["first", "second"]})");
      AuthCall call(f, "GET", "second=alice-key");
      CheckAlice(call, call.Run(*p));
      AuthCall both(f, "GET", "second=alice-key");
      both.headers().Add("first", "bob-key");  // the first name wins
      REQUIRE(both.Run(*p) == Flow::kContinue);
      CHECK(both.Header("X-Consumer-Username") == "bob");
    }
    {
      auto p = f.Make(KeyAuthDescriptor(), "{}");
      AuthCall call(f, "GET", "apikey=alice-key");
      call.headers().Add("apikey", "wrong");  // the header is looked at first
      CheckRejected(call, call.Run(*p), "Unauthorized");
    }
    {
      auto p = f.Make(KeyAuthDescriptor(), R"({"key_in_header": false})");
      AuthCall call(f, "GET");
      call.headers().Add("apikey", "alice-key");
      CheckRejected(call, call.Run(*p), "No API key found in request");
    }
    {
      auto p = f.Make(KeyAuthDescriptor(), R"({"key_in_query": false})");
      AuthCall call(f, "GET", "apikey=alice-key");
      CheckRejected(call, call.Run(*p), "No API key found in request");
    }
    {
      // ngx.req.get_headers() reads "api_key" as the api-key header.
      auto p = f.Make(KeyAuthDescriptor(), R"({"key_names": ["api_key"]})");
      AuthCall call(f, "GET");
      call.headers().Add("Api-Key", "alice-key");
      CheckAlice(call, call.Run(*p));
      AuthCall query(f, "GET", "api_key=alice-key");
      CheckAlice(query, query.Run(*p));
    }
  }

  TEST_CASE("key-auth: hide_credentials removes the header and the query argument") {
    AuthFixture f;
    auto p = f.Make(KeyAuthDescriptor(), R"({"hide_credentials": true})");
    {
      AuthCall call(f, "GET", "a=1&apikey=alice-key&b=x%20y");
      call.headers().Add("apikey", "alice-key");
      CheckAlice(call, call.Run(*p));
      CHECK(call.Header("apikey") == "<none>");
      REQUIRE(call.ctx().upstream_query.has_value());
      CHECK(*call.ctx().upstream_query == "a=1&b=x%20y");
    }
    {
      AuthCall call(f, "GET", "apikey=alice-key");
      CheckAlice(call, call.Run(*p));
      CHECK(call.ctx().upstream_query == std::optional<std::string>(""));
    }
    {
      // Hidden even when the key is then refused.
      AuthCall call(f, "GET", "apikey=wrong&z=1");
      CheckRejected(call, call.Run(*p), "Unauthorized");
      CHECK(call.ctx().upstream_query == std::optional<std::string>("z=1"));
    }
  }

  TEST_CASE("key-auth: anonymous replaces every failure; an unknown anonymous is a 500") {
    AuthFixture f;
    for (std::string anonymous : {std::string(kAnonId), std::string("anonymous")}) {
      auto p = f.Make(KeyAuthDescriptor(), R"({"anonymous": ")" + anonymous + R"("})");
      for (std::string query : {"", "apikey=wrong", "apikey=a&apikey=b"}) {
        CAPTURE(query);
        AuthCall call(f, "GET", query);
        call.headers().Add("X-Credential-Identifier", "forged");
        REQUIRE(call.Run(*p) == Flow::kContinue);
        CHECK_FALSE(call.ctx().exit().has_value());
        CHECK(call.ctx().anonymous());
        CHECK(call.ctx().credential() == nullptr);
        CHECK(call.Header("X-Consumer-ID") == kAnonId);
        CHECK(call.Header("X-Consumer-Username") == "anonymous");
        CHECK(call.Header("X-Anonymous-Consumer") == "true");
        CHECK(call.Header("X-Credential-Identifier") == "<none>");
      }
      AuthCall good(f, "GET", "apikey=alice-key");
      CheckAlice(good, good.Run(*p));
    }
    auto missing = f.Make(KeyAuthDescriptor(), R"({"anonymous": "ghost"})");
    AuthCall call(f, "GET");
    REQUIRE(call.Run(*missing) == Flow::kExit);
    CHECK(call.ExitStatus() == 500);
    CHECK(call.ExitMessage() == "anonymous consumer ghost is configured but doesn't exist");
    CHECK(call.ExitHeader("WWW-Authenticate") == "<none>");
  }

  TEST_CASE("key-auth: with anonymous, an already authenticated request is left alone") {
    AuthFixture f;
    auto first = f.Make(KeyAuthDescriptor(), R"({"key_names": ["k1"], "anonymous": "anonymous"})");
    auto second = f.Make(KeyAuthDescriptor(), R"({"key_names": ["k2"], "anonymous": "anonymous"})");
    AuthCall call(f, "GET", "k1=alice-key");
    REQUIRE(call.Run(*first) == Flow::kContinue);
    REQUIRE(call.Run(*second) == Flow::kContinue);  // no k2: skipped, not anonymous
    CHECK(call.Header("X-Consumer-ID") == kAliceId);
    CHECK(call.Header("X-Anonymous-Consumer") == "<none>");

    // Without anonymous it is a logical AND: the second plugin still demands its key.
    auto strict = f.Make(KeyAuthDescriptor(), R"({"key_names": ["k2"]})");
    AuthCall and_call(f, "GET", "k1=alice-key");
    REQUIRE(and_call.Run(*first) == Flow::kContinue);
    REQUIRE(and_call.Run(*strict) == Flow::kExit);
    CHECK(and_call.ExitStatus() == 401);
    CHECK(and_call.ExitMessage() == "No API key found in request");
  }

  TEST_CASE("key-auth: run_on_preflight=false lets OPTIONS through unauthenticated") {
    AuthFixture f;
    auto skip = f.Make(KeyAuthDescriptor(), R"({"run_on_preflight": false})");
    AuthCall options(f, "OPTIONS");
    CHECK(options.Run(*skip) == Flow::kContinue);
    CHECK(options.ctx().consumer() == nullptr);
    AuthCall get(f, "GET");
    CheckRejected(get, get.Run(*skip), "No API key found in request");
    auto run = f.Make(KeyAuthDescriptor(), "{}");
    AuthCall options2(f, "OPTIONS");
    CheckRejected(options2, options2.Run(*run), "No API key found in request");
  }
}
