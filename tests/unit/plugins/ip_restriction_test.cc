// ip-restriction, run directly: allow/deny lists of IPv4/IPv6 addresses and CIDR blocks, the
// 403 message, custom status and message, bad entries (kong/plugins/ip-restriction/handler.lua).
#include <doctest/doctest.h>

#include "plugins/factory.h"
#include "unit/plugins/direct_harness.h"

using kong::plugins::Flow;
using kong::plugins::IpRestrictionDescriptor;
using kong::plugins::testing::DirectHarness;
using kong::plugins::testing::MakeRequest;
using kong::plugins::testing::Outcome;

namespace {

Outcome From(DirectHarness& t, const kong::plugins::Plugin& p, std::string_view ip) {
  return t.Run(p, MakeRequest("GET", {}), ip);
}

bool Allowed(DirectHarness& t, const kong::plugins::Plugin& p, std::string_view ip) {
  return From(t, p, ip).flow == Flow::kContinue;
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("ip-restriction: deny list of addresses and CIDR blocks, v4 and v6") {
    DirectHarness t;
    auto p = t.Make(IpRestrictionDescriptor(),
                    R"({"deny": ["10.0.0.1", "192.168.0.0/16", "2001:db8::/32", "::1"]})");
    Outcome o = From(t, *p, "10.0.0.1");
    REQUIRE(o.flow == Flow::kExit);
    CHECK(o.exit->status == 403);
    CHECK(o.exit->kong_error);
    CHECK(o.exit->body == "IP address not allowed: 10.0.0.1");
    CHECK_FALSE(Allowed(t, *p, "192.168.7.9"));
    CHECK_FALSE(Allowed(t, *p, "2001:db8:1::5"));
    CHECK(From(t, *p, "::1").exit->body == "IP address not allowed: ::1");
    CHECK(Allowed(t, *p, "10.0.0.2"));
    CHECK(Allowed(t, *p, "192.169.0.1"));
    CHECK(Allowed(t, *p, "2001:db9::1"));
    CHECK(Allowed(t, *p, "127.0.0.1"));
  }

  TEST_CASE("ip-restriction: allow list; deny wins over allow") {
    DirectHarness t;
    auto p = t.Make(IpRestrictionDescriptor(),
                    R"({"allow": ["127.0.0.0/8", "fd00::/8"], "deny": ["127.0.0.2"]})");
    CHECK(Allowed(t, *p, "127.0.0.1"));
    CHECK(Allowed(t, *p, "127.255.0.1"));
    CHECK(Allowed(t, *p, "fd12::1"));
    CHECK_FALSE(Allowed(t, *p, "127.0.0.2"));
    CHECK_FALSE(Allowed(t, *p, "128.0.0.1"));
    CHECK_FALSE(Allowed(t, *p, "::1"));
    CHECK_FALSE(Allowed(t, *p, "fe00::1"));
  }

  TEST_CASE("ip-restriction: prefix lengths at the edges and host bits in a block") {
    DirectHarness t;
    auto p = t.Make(IpRestrictionDescriptor(),
                    R"({"allow": ["10.1.2.3/24", "172.16.0.0/12", "2001:db8:0:0:8000::/65"]})");
    CHECK(Allowed(t, *p, "10.1.2.200"));   // 10.1.2.3/24 is 10.1.2.0/24
    CHECK_FALSE(Allowed(t, *p, "10.1.3.1"));
    CHECK(Allowed(t, *p, "172.31.255.255"));
    CHECK_FALSE(Allowed(t, *p, "172.32.0.0"));
    CHECK(Allowed(t, *p, "2001:db8::8000:0:0:1"));
    CHECK_FALSE(Allowed(t, *p, "2001:db8::7fff:0:0:1"));
    auto all = t.Make(IpRestrictionDescriptor(), R"({"deny": ["0.0.0.0/0"]})");
    CHECK_FALSE(Allowed(t, *all, "1.2.3.4"));
    CHECK(Allowed(t, *all, "::1"));  // IPv4 blocks never match IPv6 clients
    auto all6 = t.Make(IpRestrictionDescriptor(), R"({"deny": ["::/0"]})");
    CHECK_FALSE(Allowed(t, *all6, "2001:db8::1"));
    CHECK(Allowed(t, *all6, "1.2.3.4"));
  }

  TEST_CASE("ip-restriction: an IPv4-mapped IPv6 client is IPv6, as nginx's binary address") {
    DirectHarness t;
    auto p = t.Make(IpRestrictionDescriptor(), R"({"deny": ["1.2.3.4"]})");
    CHECK(Allowed(t, *p, "::ffff:1.2.3.4"));
    auto q = t.Make(IpRestrictionDescriptor(), R"({"deny": ["::ffff:1.2.3.0/120"]})");
    CHECK_FALSE(Allowed(t, *q, "::ffff:1.2.3.4"));
    CHECK(Allowed(t, *q, "1.2.3.4"));
  }

  TEST_CASE("ip-restriction: custom status and message") {
    DirectHarness t;
    auto p = t.Make(IpRestrictionDescriptor(),
                    R"({"deny": ["127.0.0.1"], "status": 401, "message": "go away"})");
    Outcome o = From(t, *p, "127.0.0.1");
    REQUIRE(o.flow == Flow::kExit);
    CHECK(o.exit->status == 401);
    CHECK(o.exit->body == "go away");
    auto q = t.Make(IpRestrictionDescriptor(), R"({"deny": ["127.0.0.1"], "status": 451})");
    o = From(t, *q, "127.0.0.1");
    CHECK(o.exit->status == 451);
    CHECK(o.exit->body == "IP address not allowed: 127.0.0.1");
    // kong.response.error() refuses a status outside 400..599: Kong answers 500.
    auto r = t.Make(IpRestrictionDescriptor(), R"({"deny": ["127.0.0.1"], "status": 200})");
    o = From(t, *r, "127.0.0.1");
    CHECK(o.exit->status == 500);
    CHECK(o.exit->body == "An unexpected error occurred");
  }

  TEST_CASE("ip-restriction: a client without an IP address is refused") {
    DirectHarness t;
    auto p = t.Make(IpRestrictionDescriptor(), R"({"allow": ["0.0.0.0/0"]})");
    for (std::string_view ip : {"unix:", ""}) {
      Outcome o = From(t, *p, ip);
      REQUIRE(o.flow == Flow::kExit);
      CHECK(o.exit->status == 403);
      CHECK(o.exit->body ==
            "Cannot identify the client IP address, unix domain sockets are not supported.");
    }
  }

  TEST_CASE("ip-restriction: a bad entry fails the factory") {
    DirectHarness t;
    for (std::string_view conf :
         {R"({"allow": ["1.2.3.4/33"]})", R"({"deny": ["::1/129"]})", R"({"deny": ["nope"]})",
          R"({"allow": ["1.2.3.4/"]})", R"({"allow": ["1.2.3.4/x"]})"}) {
      auto p = t.TryMake(IpRestrictionDescriptor(), conf);
      CHECK_FALSE(p.ok());
    }
    auto p = t.TryMake(IpRestrictionDescriptor(), R"({"allow": ["1.2.3.4/33"]})");
    CHECK(p.status().message().find("1.2.3.4/33") != std::string::npos);
  }
}
