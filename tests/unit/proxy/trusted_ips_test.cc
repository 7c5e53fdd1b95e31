// Tests for trusted_ips parsing and matching.
#include "proxy/trusted_ips.h"

#include "support/test_support.h"

using kong::proxy::TrustedIps;

TEST_SUITE("proxy") {
  TEST_CASE("trusted_ips: addresses, CIDR blocks, everyone and unix:") {
    auto ips = TrustedIps::Parse({"10.0.0.0/8", " 192.168.1.7 ", "2001:db8::/32", "::1"});
    REQUIRE(ips.ok());
    CHECK(ips.value().IsTrusted("10.1.2.3"));
    CHECK(ips.value().IsTrusted("192.168.1.7"));
    CHECK_FALSE(ips.value().IsTrusted("192.168.1.8"));
    CHECK_FALSE(ips.value().IsTrusted("11.0.0.1"));
    CHECK(ips.value().IsTrusted("2001:db8:1::5"));
    CHECK(ips.value().IsTrusted("[::1]"));
    CHECK_FALSE(ips.value().IsTrusted("2001:db9::1"));
    CHECK(ips.value().IsTrusted("::ffff:10.9.9.9"));  // IPv4 client of a dual-stack socket
    CHECK_FALSE(ips.value().IsTrusted("unix:"));
    CHECK_FALSE(ips.value().IsTrusted("not-an-ip"));
    CHECK_FALSE(ips.value().IsTrusted(""));

    auto all = TrustedIps::Parse({"0.0.0.0/0", "::/0"});
    REQUIRE(all.ok());
    CHECK(all.value().IsTrusted("203.0.113.9"));
    CHECK(all.value().IsTrusted("2001:db8::9"));
    CHECK_FALSE(all.value().IsTrusted("unix:"));

    auto v4_all = TrustedIps::Parse({"0.0.0.0/0"});
    REQUIRE(v4_all.ok());
    CHECK_FALSE(v4_all.value().IsTrusted("::1"));

    auto unix_only = TrustedIps::Parse({"unix:"});
    REQUIRE(unix_only.ok());
    CHECK(unix_only.value().IsTrusted("unix:"));
    CHECK_FALSE(unix_only.value().IsTrusted("127.0.0.1"));

    TrustedIps none;
    CHECK(none.empty());
    CHECK_FALSE(none.IsTrusted("127.0.0.1"));

    // Odd prefix lengths mask within a byte.
    auto odd = TrustedIps::Parse({"172.16.0.0/12"});
    REQUIRE(odd.ok());
    CHECK(odd.value().IsTrusted("172.31.255.255"));
    CHECK_FALSE(odd.value().IsTrusted("172.32.0.0"));
  }

  TEST_CASE("trusted_ips: bad entries are rejected with their text") {
    for (const char* bad : {"10.0.0.0/33", "::/129", "1.2.3", "10.0.0.0/", "10.0.0.0/x",
                            "example.com", "unix", "1.2.3.4/8/1"}) {
      auto r = TrustedIps::Parse({"127.0.0.1", bad});
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().message().find(std::string("'") + bad + "'") != std::string::npos);
    }
  }

  TEST_CASE("peer ip of an ip:port peer address") {
    CHECK(kong::proxy::PeerIp("127.0.0.1:50412") == "127.0.0.1");
    CHECK(kong::proxy::PeerIp("[::1]:443") == "::1");
    CHECK(kong::proxy::PeerIp("::1") == "::1");
    CHECK(kong::proxy::PeerIp("unix:/tmp/kong.sock") == "unix:");
    CHECK(kong::proxy::PeerIp("") == "");
    CHECK(kong::proxy::IsIpAddress("[2001:db8::1]"));
    CHECK_FALSE(kong::proxy::IsIpAddress("1.2.3.4:80"));
  }
}
