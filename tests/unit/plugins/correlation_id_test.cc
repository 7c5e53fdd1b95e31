// correlation-id, run directly: the generators' formats, keeping the client's id, the header
// sent upstream and echo_downstream (kong/plugins/correlation-id/handler.lua).
#include <doctest/doctest.h>

#include <regex>

#include "plugins/factory.h"
#include "unit/plugins/direct_harness.h"

using kong::plugins::CorrelationIdDescriptor;
using kong::plugins::Flow;
using kong::plugins::testing::DirectHarness;
using kong::plugins::testing::MakeRequest;
using kong::plugins::testing::Outcome;

namespace {

const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

std::string Upstream(const Outcome& o, std::string_view name = "Kong-Request-ID") {
  auto v = o.upstream.Get(name);
  return v ? std::string(*v) : "<none>";
}

std::string Downstream(const Outcome& o, std::string_view name = "Kong-Request-ID") {
  auto v = o.response.Get(name);
  return v ? std::string(*v) : "<none>";
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("correlation-id: uuid#counter is one worker uuid and an increasing counter") {
    DirectHarness t;
    auto p = t.Make(CorrelationIdDescriptor(), "{}");  // Kong's defaults
    Outcome a = t.Run(*p, MakeRequest("GET", {}));
    Outcome b = t.Run(*p, MakeRequest("GET", {}));
    std::smatch m;
    const std::string first = Upstream(a), second = Upstream(b);
    REQUIRE(std::regex_match(first, m, std::regex("(.{36})#(\\d+)")));
    const std::string worker_uuid = m[1];
    CHECK(std::regex_match(worker_uuid, kUuid));
    const long n = std::stol(m[2]);
    CHECK(second == worker_uuid + "#" + std::to_string(n + 1));
    CHECK(Downstream(a) == "<none>");  // echo_downstream defaults to false
    // A second configuration on the same worker shares the uuid and the counter.
    auto q = t.Make(CorrelationIdDescriptor(), R"({"header_name": "X-Other"})");
    CHECK(Upstream(t.Run(*q, MakeRequest("GET", {})), "X-Other") ==
          worker_uuid + "#" + std::to_string(n + 2));
    // Another worker has its own uuid.
    DirectHarness other;
    auto r = other.Make(CorrelationIdDescriptor(), "{}");
    CHECK(Upstream(other.Run(*r, MakeRequest("GET", {}))).substr(0, 36) != worker_uuid);
  }

  TEST_CASE("correlation-id: uuid generates a fresh v4 uuid per request") {
    DirectHarness t;
    auto p = t.Make(CorrelationIdDescriptor(), R"({"generator": "uuid"})");
    const std::string a = Upstream(t.Run(*p, MakeRequest("GET", {})));
    const std::string b = Upstream(t.Run(*p, MakeRequest("GET", {})));
    CHECK(std::regex_match(a, kUuid));
    CHECK(std::regex_match(b, kUuid));
    CHECK(a != b);
  }

  TEST_CASE("correlation-id: tracker has Kong's six dash-separated fields") {
    DirectHarness t;
    auto p = t.Make(CorrelationIdDescriptor(), R"({"generator": "tracker"})");
    const std::string a = Upstream(t.Run(*p, MakeRequest("GET", {})));
    const std::string b = Upstream(t.Run(*p, MakeRequest("GET", {})));
    std::smatch ma, mb;
    const std::regex shape("0\\.0\\.0\\.0-0-(\\d+)-(\\d+)-1-(\\d{10,}\\.\\d{3})");
    REQUIRE(std::regex_match(a, ma, shape));
    REQUIRE(std::regex_match(b, mb, shape));
    CHECK(ma[1] == mb[1]);
    CHECK(std::stol(mb[2]) == std::stol(ma[2]) + 1);
  }

  TEST_CASE("correlation-id: a client's id is kept; an empty one is replaced") {
    DirectHarness t;
    auto p = t.Make(CorrelationIdDescriptor(),
                    R"({"header_name": "X-Trace", "echo_downstream": true})");
    Outcome o = t.Run(*p, MakeRequest("GET", {{"x-trace", "client-id-1"}}));
    CHECK(o.flow == Flow::kContinue);
    CHECK(Upstream(o, "X-Trace") == "client-id-1");
    CHECK(o.upstream.GetAll("X-Trace").size() == 1);
    CHECK(Downstream(o, "X-Trace") == "client-id-1");
    o = t.Run(*p, MakeRequest("GET", {{"X-Trace", ""}}));
    CHECK(Upstream(o, "X-Trace").find('#') == 36);
    CHECK(o.upstream.GetAll("X-Trace").size() == 1);
    CHECK(Downstream(o, "X-Trace") == Upstream(o, "X-Trace"));
  }

  TEST_CASE("correlation-id: echo_downstream sets the generated id on the response") {
    DirectHarness t;
    auto p = t.Make(CorrelationIdDescriptor(), R"({"echo_downstream": true})");
    kong::http::HeaderMap upstream;
    upstream.Add("Kong-Request-ID", "from-upstream");
    Outcome o = t.Run(*p, MakeRequest("GET", {}), "127.0.0.1", 502, upstream);
    CHECK(Upstream(o).find('#') == 36);
    CHECK(Downstream(o) == Upstream(o));  // replaces the upstream's value
    CHECK(o.response.GetAll("Kong-Request-ID").size() == 1);
  }
}
