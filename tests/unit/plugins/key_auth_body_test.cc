// key-auth's key_in_body: form and JSON bodies (kong.request.get_body), hide_credentials on the
// body, the body read only when a key is looked for there, and the asynchronous read.
#include <doctest/doctest.h>

#include "plugins/factory.h"
#include "unit/plugins/auth_fixture.h"

using kong::Result;
using kong::plugins::Flow;
using kong::plugins::KeyAuthDescriptor;
using kong::plugins::testing::AuthCall;
using kong::plugins::testing::AuthFixture;
using kong::plugins::testing::kAliceId;

namespace {

// A body already buffered with the request (not streamed).
void SetBody(AuthCall& call, std::string content_type, std::string body) {
  call.headers().Add("Content-Type", std::move(content_type));
  call.request().content_length = static_cast<int64_t>(body.size());
  call.request().body = std::move(body);
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("key-auth: key_in_body finds the key in a form or a JSON body") {
    AuthFixture f;
    auto p = f.Make(KeyAuthDescriptor(), R"({"key_in_body": true})");
    {
      AuthCall call(f, "POST");
      SetBody(call, "application/x-www-form-urlencoded; charset=utf-8", "x=1&apikey=alice-key");
      REQUIRE(call.Run(*p) == Flow::kContinue);
      CHECK(call.Header("X-Consumer-ID") == kAliceId);
      CHECK_FALSE(call.ctx().upstream_body.has_value());  // not hidden by default
    }
    {
      AuthCall call(f, "POST");
      SetBody(call, "Application/JSON", R"({"x": 1, "apikey": "alice-key"})");
      REQUIRE(call.Run(*p) == Flow::kContinue);
      CHECK(call.Header("X-Consumer-ID") == kAliceId);
    }
    {
      AuthCall call(f, "POST");  // a JSON array value is a Lua table: "duplicate"
      SetBody(call, "application/json", R"({"apikey": ["alice-key"]})");
      REQUIRE(call.Run(*p) == Flow::kExit);
      CHECK(call.ExitMessage() == "Duplicate API key found");
    }
    {
      AuthCall call(f, "POST");  // a number is neither: no key
      SetBody(call, "application/json", R"({"apikey": 12})");
      REQUIRE(call.Run(*p) == Flow::kExit);
      CHECK(call.ExitMessage() == "No API key found in request");
    }
    for (std::string type : {"text/plain", "application/xml"}) {
      AuthCall call(f, "POST");  // an unsupported type reads as an empty body
      SetBody(call, type, "apikey=alice-key");
      REQUIRE(call.Run(*p) == Flow::kExit);
      CHECK(call.ExitMessage() == "No API key found in request");
    }
    {
      AuthCall call(f, "POST");
      SetBody(call, "application/json", "{not json");
      REQUIRE(call.Run(*p) == Flow::kExit);
      CHECK(call.ExitMessage() == "No API key found in request");
    }
    {
      AuthCall call(f, "POST", "apikey=alice-key");  // the query comes before the body
      SetBody(call, "application/x-www-form-urlencoded", "apikey=wrong");
      REQUIRE(call.Run(*p) == Flow::kContinue);
    }
  }

  TEST_CASE("key-auth: without key_in_body the body is never looked at nor read") {
    AuthFixture f;
    auto p = f.Make(KeyAuthDescriptor(), R"({"hide_credentials": true})");
    AuthCall call(f, "POST");
    call.headers().Add("Content-Type", "application/x-www-form-urlencoded");
    call.request().body_streamed = true;
    bool read = false;
    call.ctx().read_body = [&read](uint64_t, std::function<void(Result<std::string>)>) {
      read = true;
    };
    REQUIRE(call.Run(*p) == Flow::kExit);
    CHECK(call.ExitMessage() == "No API key found in request");
    CHECK_FALSE(read);
  }

  TEST_CASE("key-auth: hide_credentials with key_in_body removes the key from the body") {
    AuthFixture f;
    auto p = f.Make(KeyAuthDescriptor(), R"({"key_in_body": true, "hide_credentials": true})");
    {
      AuthCall call(f, "POST");
      SetBody(call, "application/x-www-form-urlencoded", "a=1&apikey=alice-key&b=2");
      REQUIRE(call.Run(*p) == Flow::kContinue);
      CHECK(call.ctx().upstream_body == std::optional<std::string>("a=1&b=2"));
    }
    {
      AuthCall call(f, "POST");
      SetBody(call, "application/json", R"({"a": 1, "apikey": "alice-key", "b": [true]})");
      REQUIRE(call.Run(*p) == Flow::kContinue);
      CHECK(call.ctx().upstream_body == std::optional<std::string>(R"({"a":1,"b":[true]})"));
    }
    {
      // Found in a header: the body is read anyway to drop the name from it.
      AuthCall call(f, "POST");
      call.headers().Add("apikey", "alice-key");
      SetBody(call, "application/x-www-form-urlencoded", "apikey=other&keep=1");
      REQUIRE(call.Run(*p) == Flow::kContinue);
      CHECK(call.Header("apikey") == "<none>");
      CHECK(call.ctx().upstream_body == std::optional<std::string>("keep=1"));
    }
  }

  TEST_CASE("key-auth: a streamed body is read through the gateway, then the chain resumes") {
    AuthFixture f;
    auto p = f.Make(KeyAuthDescriptor(), R"({"key_in_body": true, "hide_credentials": true})");
    AuthCall call(f, "POST");
    call.headers().Add("Content-Type", "application/x-www-form-urlencoded");
    call.request().body_streamed = true;
    std::function<void(Result<std::string>)> deliver;
    uint64_t asked_limit = 0;
    call.ctx().read_body = [&](uint64_t limit, std::function<void(Result<std::string>)> done) {
      asked_limit = limit;
      deliver = std::move(done);
    };
    REQUIRE(call.Run(*p) == Flow::kWait);
    REQUIRE(deliver);
    CHECK(asked_limit > 0);
    CHECK(call.resumed() == 0);
    CHECK(call.ctx().consumer() == nullptr);
    deliver(std::string("apikey=alice-key&rest=1"));
    CHECK(call.resumed() == 1);
    CHECK_FALSE(call.ctx().exit().has_value());
    CHECK(call.Header("X-Consumer-ID") == kAliceId);
    CHECK(call.ctx().upstream_body == std::optional<std::string>("rest=1"));

    // A body over the read limit is refused (it may be partly consumed already).
    AuthCall failed(f, "POST");
    failed.headers().Add("Content-Type", "application/x-www-form-urlencoded");
    failed.request().body_streamed = true;
    failed.ctx().read_body = [](uint64_t, std::function<void(Result<std::string>)> done) {
      done(kong::Status::InvalidArgument("request body larger than the limit"));
    };
    REQUIRE(failed.Run(*p) == Flow::kWait);
    CHECK(failed.resumed() == 1);
    CHECK(failed.ExitStatus() == 413);
    CHECK(failed.ExitMessage() == "Request size limit exceeded");
  }
}
