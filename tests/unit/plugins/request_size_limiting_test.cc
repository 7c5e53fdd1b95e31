// request-size-limiting: Content-Length checks (413/417), require_content_length (411),
// buffered bodies, and a streamed chunked body limited while it streams; directly and over
// real sockets through the Gateway.
#include <doctest/doctest.h>

#include <cstdio>

#include "plugins/consumers.h"
#include "support/test_support.h"
#include "unit/gateway/gateway_test_util.h"
#include "unit/plugins/direct_harness.h"
#include "unit/plugins/plugin_rows.h"

using kong::plugins::Flow;
using kong::plugins::PluginContext;
using kong::plugins::RequestSizeLimitingDescriptor;
using kong::plugins::testing::DirectHarness;
using kong::plugins::testing::MakeRequest;

namespace {

kong::http::Request WithLength(int64_t length,
                               std::initializer_list<std::pair<std::string, std::string>> hs = {}) {
  auto r = MakeRequest("POST", hs);
  r.content_length = length;
  r.body_streamed = length > 0;
  return r;
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("request-size-limiting: Content-Length over the limit is 413, or 417 on 100-continue") {
    DirectHarness h;
    auto d = RequestSizeLimitingDescriptor();
    CHECK(d.priority == 951);
    auto plugin = h.Make(d, R"({"allowed_payload_size": 10, "size_unit": "bytes"})");
    CHECK(h.Run(*plugin, WithLength(10)).flow == Flow::kContinue);  // equal passes
    auto over = h.Run(*plugin, WithLength(11));
    REQUIRE(over.flow == Flow::kExit);
    CHECK(over.exit->status == 413);
    CHECK(over.exit->body == "Request size limit exceeded");
    CHECK(over.exit->kong_error);
    auto expect = h.Run(*plugin, WithLength(11, {{"Expect", " 100-Continue "}}));
    REQUIRE(expect.flow == Flow::kExit);
    CHECK(expect.exit->status == 417);
    CHECK(expect.exit->body == "Request size limit exceeded");

    auto kb = h.Make(d, R"({"allowed_payload_size": 2, "size_unit": "kilobytes"})");
    CHECK(h.Run(*kb, WithLength(2048)).flow == Flow::kContinue);
    CHECK(h.Run(*kb, WithLength(2049)).flow == Flow::kExit);
    auto mb = h.Make(d, "{}");  // Kong's default: 128 megabytes
    CHECK(h.Run(*mb, WithLength(int64_t{128} << 20)).flow == Flow::kContinue);
    CHECK(h.Run(*mb, WithLength((int64_t{128} << 20) + 1)).flow == Flow::kExit);
    CHECK(!h.TryMake(d, R"({"size_unit": "gigabytes"})").ok());
  }

  TEST_CASE("request-size-limiting: require_content_length, buffered and chunked bodies") {
    DirectHarness h;
    auto d = RequestSizeLimitingDescriptor();
    auto strict = h.Make(d, R"({"allowed_payload_size": 4, "size_unit": "bytes",
                                "require_content_length": true})");
    auto missing = h.Run(*strict, MakeRequest("GET", {}));
    REQUIRE(missing.flow == Flow::kExit);
    CHECK(missing.exit->status == 411);
    CHECK(missing.exit->body == "A valid Content-Length header is required");
    CHECK(h.Run(*strict, WithLength(0)).flow == Flow::kContinue);

    // A chunked body is exempt from require_content_length and limited while streaming.
    auto loop = std::move(kong::EventLoop::Create()).value();
    kong::plugins::WorkerState worker(*loop);
    kong::plugins::SharedState shared;
    auto chunked = MakeRequest("POST", {{"Transfer-Encoding", "chunked"}});
    chunked.chunked = true;
    chunked.body_streamed = true;
    PluginContext ctx(chunked, *kong::plugins::ConsumerIndex::Empty(), worker, shared);
    ctx.ResizeStates(1);
    CHECK(strict->Access(ctx) == Flow::kContinue);
    REQUIRE(ctx.request_body_limit.has_value());
    CHECK(*ctx.request_body_limit == 4);

    // A body the server already buffered is measured as it is.
    auto buffered = MakeRequest("POST", {});
    buffered.chunked = true;
    buffered.body = "12345";
    auto lax = h.Make(d, R"({"allowed_payload_size": 4, "size_unit": "bytes"})");
    auto big = h.Run(*lax, buffered);
    REQUIRE(big.flow == Flow::kExit);
    CHECK(big.exit->status == 413);
  }

  TEST_CASE("request-size-limiting over sockets: 413, 417, 411 and a chunked body cut at the limit") {
    using kong::gateway::test::Config;
    using kong::gateway::test::Route;
    using kong::gateway::test::Service;
    kong::gateway::test::GatewayFixture fx;
    kong::gateway::test::Upstream up(fx.loop, "up");
    fx.Publish(kong::plugins::testing::With(
        Config({Service("s", up.port())}, {Route("r", "s", R"("paths":["/"])")}),
        R"("plugins":[)" +
            kong::plugins::testing::PluginRow(
                "p1", "request-size-limiting", R"("route":{"id":"r"})",
                R"({"allowed_payload_size":8,"size_unit":"bytes","require_content_length":true})") +
            "]"));
    auto post = [&](std::string body, kong::http::HeaderMap headers, bool chunked = false) {
      kong::http::ClientRequest r;
      r.method = "POST";
      r.target = "/upload";
      r.headers = std::move(headers);
      r.body = std::move(body);
      if (chunked) {
        r.headers.Add("Transfer-Encoding", "chunked");
        char size[16];
        std::snprintf(size, sizeof size, "%zx", r.body.size());
        r.body = std::string(size) + "\r\n" + r.body + "\r\n0\r\n\r\n";
      } else {
        r.headers.Add("Content-Length", std::to_string(r.body.size()));
      }
      auto resp = fx.Send(std::move(r));
      REQUIRE_MESSAGE(resp.ok(), resp.status().ToString());
      return std::move(resp).value();
    };
    auto ok = post("12345678", {});
    CHECK(ok.status == 200);
    REQUIRE(up.seen.size() == 1);
    CHECK(up.seen[0].body == "12345678");

    auto too_big = post("123456789", {});
    REQUIRE(too_big.status == 413);
    const std::string id(too_big.headers.Get("X-Kong-Request-Id").value_or(""));
    CHECK(too_big.body == "{\n  \"message\":\"Request size limit exceeded\",\n  \"request_id\":\"" +
                              id + "\"\n}");
    kong::http::HeaderMap expect;
    expect.Add("Expect", "100-continue");
    CHECK(post("123456789", std::move(expect)).status == 417);

    auto no_length = fx.Get("/upload");
    REQUIRE(no_length.status == 411);
    CHECK(no_length.body.find("A valid Content-Length header is required") != std::string::npos);

    auto small_chunked = post("1234", {}, true);
    CHECK(small_chunked.status == 200);
    auto big_chunked = post(std::string(64 * 1024, 'x'), {}, true);
    CHECK(big_chunked.status == 413);
    CHECK(big_chunked.body.find("Request size limit exceeded") != std::string::npos);
    up.Close(fx.loop);
  }
}
