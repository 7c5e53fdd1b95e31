// cors, run directly: preflight answers, origin matching (literal, list, regex), credentials,
// Vary, exposed headers and what Kong does on actual requests (kong/plugins/cors/handler.lua).
#include <doctest/doctest.h>

#include "plugins/factory.h"
#include "unit/plugins/direct_harness.h"

using kong::http::HeaderMap;
using kong::plugins::CorsDescriptor;
using kong::plugins::Flow;
using kong::plugins::testing::DirectHarness;
using kong::plugins::testing::MakeRequest;
using kong::plugins::testing::Outcome;

namespace {

std::string H(const HeaderMap& h, std::string_view name) {
  auto v = h.Get(name);
  return v ? std::string(*v) : std::string("<none>");
}

Outcome Preflight(DirectHarness& t, const kong::plugins::Plugin& p, std::string origin,
                  std::initializer_list<std::pair<std::string, std::string>> extra = {}) {
  auto req = MakeRequest("OPTIONS", {{"Origin", origin}, {"Access-Control-Request-Method", "PUT"}});
  for (const auto& [n, v] : extra) req.headers.Add(n, v);
  return t.Run(p, std::move(req));
}

Outcome Actual(DirectHarness& t, const kong::plugins::Plugin& p, std::optional<std::string> origin,
               int status = 200, HeaderMap upstream = {}) {
  auto req = MakeRequest("GET", {});
  if (origin) req.headers.Add("Origin", *origin);
  return t.Run(p, std::move(req), "127.0.0.1", status, std::move(upstream));
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("cors: preflight with the defaults is answered 200 with '*' and every method") {
    DirectHarness t;
    auto p = t.Make(CorsDescriptor(), "{}");
    Outcome o = Preflight(t, *p, "http://a.example",
                          {{"Access-Control-Request-Headers", "X-One, X-Two"}});
    REQUIRE(o.flow == Flow::kExit);
    CHECK(o.exit->status == 200);
    CHECK(o.exit->body.empty());
    CHECK_FALSE(o.exit->kong_error);
    CHECK(H(o.response, "Access-Control-Allow-Origin") == "*");
    CHECK(H(o.response, "Vary") == "<none>");
    CHECK(H(o.response, "Access-Control-Allow-Methods") ==
          "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT");
    CHECK(H(o.response, "Access-Control-Allow-Headers") == "X-One, X-Two");  // echoed
    CHECK(H(o.response, "Access-Control-Max-Age") == "<none>");
    CHECK(H(o.response, "Access-Control-Allow-Credentials") == "<none>");
  }

  TEST_CASE("cors: only OPTIONS with Origin and Access-Control-Request-Method is a preflight") {
    DirectHarness t;
    auto p = t.Make(CorsDescriptor(), "{}");
    // Without Access-Control-Request-Method: an actual request, proxied with the headers.
    Outcome o = t.Run(*p, MakeRequest("OPTIONS", {{"Origin", "http://a.example"}}));
    CHECK(o.flow == Flow::kContinue);
    CHECK(H(o.response, "Access-Control-Allow-Origin") == "*");
    o = t.Run(*p, MakeRequest("OPTIONS", {{"Access-Control-Request-Method", "GET"}}));
    CHECK(o.flow == Flow::kContinue);
    o = t.Run(*p, MakeRequest("GET", {{"Origin", "http://a.example"},
                                      {"Access-Control-Request-Method", "GET"}}));
    CHECK(o.flow == Flow::kContinue);
  }

  TEST_CASE("cors: configured headers, methods, max_age, credentials, private network") {
    DirectHarness t;
    auto p = t.Make(CorsDescriptor(), R"({"origins": ["http://a.example"],
        "headers": ["X-A", "X-B"], "methods": ["GET", "POST"], "max_age": 3600,
        "credentials": true, "private_network": true, "exposed_headers": ["X-E"]})");
    Outcome o = Preflight(t, *p, "http://a.example",
                          {{"Access-Control-Request-Headers", "X-Other"},
                           {"Access-Control-Request-Private-Network", "true"}});
    REQUIRE(o.flow == Flow::kExit);
    CHECK(H(o.response, "Access-Control-Allow-Origin") == "http://a.example");
    CHECK(H(o.response, "Vary") == "Origin");
    CHECK(H(o.response, "Access-Control-Allow-Headers") == "X-A,X-B");
    CHECK(H(o.response, "Access-Control-Allow-Methods") == "GET,POST");
    CHECK(H(o.response, "Access-Control-Max-Age") == "3600");
    CHECK(H(o.response, "Access-Control-Allow-Credentials") == "true");
    CHECK(H(o.response, "Access-Control-Allow-Private-Network") == "true");
    CHECK(H(o.response, "Access-Control-Expose-Headers") == "<none>");  // not on preflights

    // Without the private network request header, no private network answer.
    o = Preflight(t, *p, "http://a.example");
    CHECK(H(o.response, "Access-Control-Allow-Private-Network") == "<none>");
  }

  TEST_CASE("cors: one literal origin is sent as configured, whatever the request's") {
    DirectHarness t;
    auto p = t.Make(CorsDescriptor(), R"({"origins": ["http://a.example"]})");
    Outcome o = Preflight(t, *p, "http://evil.example");
    CHECK(o.flow == Flow::kExit);  // CORS never rejects
    CHECK(o.status == 200);
    CHECK(H(o.response, "Access-Control-Allow-Origin") == "http://a.example");
    CHECK(H(o.response, "Vary") == "Origin");
  }

  TEST_CASE("cors: a list matches normalized origins; no match, no Allow-Origin") {
    DirectHarness t;
    auto p = t.Make(CorsDescriptor(),
                    R"({"origins": ["http://a.example", "https://b.example:443", "http://c:8080"]})");
    CHECK(H(Preflight(t, *p, "http://a.example").response, "Access-Control-Allow-Origin") ==
          "http://a.example");
    // Default ports are dropped on both sides; the answer is the normalized request origin.
    CHECK(H(Preflight(t, *p, "https://b.example").response, "Access-Control-Allow-Origin") ==
          "https://b.example");
    CHECK(H(Preflight(t, *p, "http://a.example:80").response, "Access-Control-Allow-Origin") ==
          "http://a.example");
    CHECK(H(Preflight(t, *p, "http://c:8080").response, "Access-Control-Allow-Origin") ==
          "http://c:8080");
    Outcome o = Preflight(t, *p, "http://c:8081");
    CHECK(o.status == 200);
    CHECK(H(o.response, "Access-Control-Allow-Origin") == "<none>");
    CHECK(H(o.response, "Vary") == "Origin");
    CHECK(H(Preflight(t, *p, "https://a.example").response, "Access-Control-Allow-Origin") ==
          "<none>");
  }

  TEST_CASE("cors: regex origins are anchored; without ':' they match the host") {
    DirectHarness t;
    auto p = t.Make(CorsDescriptor(),
                    R"({"origins": ["^.+\\.example\\.com$", "http://[a-z]+\\.test:\\d+"]})");
    CHECK(H(Preflight(t, *p, "https://api.example.com").response,
            "Access-Control-Allow-Origin") == "https://api.example.com");
    CHECK(H(Preflight(t, *p, "https://api.example.com.evil.org").response,
            "Access-Control-Allow-Origin") == "<none>");
    CHECK(H(Preflight(t, *p, "https://example.com").response, "Access-Control-Allow-Origin") ==
          "<none>");
    CHECK(H(Preflight(t, *p, "http://ab.test:81").response, "Access-Control-Allow-Origin") ==
          "http://ab.test:81");
    // Anchored at the start too: a prefix before the scheme does not match.
    CHECK(H(Preflight(t, *p, "xhttp://ab.test:81").response, "Access-Control-Allow-Origin") ==
          "<none>");
  }

  TEST_CASE("cors: '*' in a list allows every origin that sends one") {
    DirectHarness t;
    auto p = t.Make(CorsDescriptor(), R"({"origins": ["http://a.example", "*"]})");
    CHECK(H(Preflight(t, *p, "http://z.example").response, "Access-Control-Allow-Origin") == "*");
    // Without an Origin on an actual request: Vary but no Allow-Origin.
    Outcome o = Actual(t, *p, std::nullopt);
    CHECK(H(o.response, "Access-Control-Allow-Origin") == "<none>");
    CHECK(H(o.response, "Vary") == "Origin");
  }

  TEST_CASE("cors: credentials with '*' echo the request origin and add Vary") {
    DirectHarness t;
    auto p = t.Make(CorsDescriptor(), R"({"credentials": true})");
    Outcome o = Preflight(t, *p, "http://a.example");
    CHECK(H(o.response, "Access-Control-Allow-Origin") == "http://a.example");
    CHECK(H(o.response, "Access-Control-Allow-Credentials") == "true");
    CHECK(H(o.response, "Vary") == "Origin");
    o = Actual(t, *p, "http://b.example");
    CHECK(H(o.response, "Access-Control-Allow-Origin") == "http://b.example");
    CHECK(H(o.response, "Access-Control-Allow-Credentials") == "true");
    // No Origin: '*' and no credentials header.
    o = Actual(t, *p, std::nullopt);
    CHECK(H(o.response, "Access-Control-Allow-Origin") == "*");
    CHECK(H(o.response, "Access-Control-Allow-Credentials") == "<none>");
  }

  TEST_CASE("cors: preflight_continue hands the preflight to the upstream untouched") {
    DirectHarness t;
    auto p = t.Make(CorsDescriptor(), R"({"preflight_continue": true, "exposed_headers": ["X"]})");
    HeaderMap upstream;
    upstream.Add("Access-Control-Allow-Origin", "http://from-upstream");
    auto req = MakeRequest("OPTIONS", {{"Origin", "http://a.example"},
                                       {"Access-Control-Request-Method", "GET"}});
    Outcome o = t.Run(*p, std::move(req), "127.0.0.1", 204, upstream);
    CHECK(o.flow == Flow::kContinue);
    CHECK(o.status == 204);
    CHECK(H(o.response, "Access-Control-Allow-Origin") == "http://from-upstream");
    CHECK(H(o.response, "Access-Control-Expose-Headers") == "<none>");
  }

  TEST_CASE("cors: actual responses get origin, credentials, exposed headers and Vary appended") {
    DirectHarness t;
    auto p = t.Make(CorsDescriptor(), R"({"origins": ["http://a.example", "http://b.example"],
        "credentials": true, "exposed_headers": ["X-Total", "X-Page"]})");
    HeaderMap upstream;
    upstream.Add("Vary", "Accept-Encoding");
    upstream.Add("Access-Control-Allow-Origin", "http://upstream-said");
    Outcome o = Actual(t, *p, "http://b.example", 200, upstream);
    CHECK(H(o.response, "Access-Control-Allow-Origin") == "http://b.example");
    CHECK(o.response.GetAll("Access-Control-Allow-Origin").size() == 1);
    CHECK(H(o.response, "Access-Control-Allow-Credentials") == "true");
    CHECK(H(o.response, "Access-Control-Expose-Headers") == "X-Total,X-Page");
    CHECK(o.response.GetAll("Vary") == std::vector<std::string_view>{"Accept-Encoding", "Origin"});
    // A non-matching origin removes the upstream's Allow-Origin; credentials stay (as Kong).
    o = Actual(t, *p, "http://c.example", 502, upstream);
    CHECK(H(o.response, "Access-Control-Allow-Origin") == "<none>");
    CHECK(H(o.response, "Access-Control-Allow-Credentials") == "true");
  }

  TEST_CASE("cors: allow_origin_absent=false leaves responses without Origin alone") {
    DirectHarness t;
    auto p = t.Make(CorsDescriptor(), R"({"allow_origin_absent": false})");
    CHECK(H(Actual(t, *p, std::nullopt).response, "Access-Control-Allow-Origin") == "<none>");
    CHECK(H(Actual(t, *p, "http://a").response, "Access-Control-Allow-Origin") == "*");
    auto q = t.Make(CorsDescriptor(), R"({})");
    CHECK(H(Actual(t, *q, std::nullopt).response, "Access-Control-Allow-Origin") == "*");
  }

  TEST_CASE("cors: an origin that does not compile fails the factory") {
    DirectHarness t;
    auto p = t.TryMake(CorsDescriptor(), R"({"origins": ["http://(a.example"]})");
    CHECK_FALSE(p.ok());
  }
}
