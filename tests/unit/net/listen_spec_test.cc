// Tests for Kong listen-entry parsing (ListenSpec).
#include "net/listen_spec.h"

#include "support/test_support.h"

using kong::net::KeepAliveSpec;
using kong::net::ListenSpec;
using kong::net::ParseListenList;
using kong::net::ParseListenSpec;

TEST_SUITE("net") {
  TEST_CASE("ParseListenSpec reads addresses and Kong's flags") {
    auto a = ParseListenSpec("127.0.0.1:8001 reuseport backlog=16384");
    REQUIRE_OK(a.status());
    CHECK(a->host == "127.0.0.1");
    CHECK(a->port == 8001);
    CHECK(a->reuseport);
    CHECK(a->backlog == 16384);
    CHECK_FALSE(a->ssl);
    CHECK(a->ToString() == "127.0.0.1:8001 reuseport backlog=16384");

    auto b = ParseListenSpec("  [::1]:8444 http2 ssl ipv6only=off  ");
    REQUIRE_OK(b.status());
    CHECK(b->host == "::1");
    CHECK(b->ipv6);
    CHECK(b->ssl);
    CHECK(b->http2);
    CHECK_FALSE(b->ipv6only);
    CHECK(b->Address() == "[::1]:8444");

    auto c = ParseListenSpec("*:8000 deferred bind proxy_protocol so_keepalive=30m::10");
    REQUIRE_OK(c.status());
    CHECK(c->host == "0.0.0.0");
    CHECK(c->deferred);
    CHECK(c->bind);
    CHECK(c->proxy_protocol);
    CHECK(c->backlog == 511);  // nginx's default
    CHECK(c->so_keepalive.mode == KeepAliveSpec::Mode::kOn);
    CHECK(c->so_keepalive.idle_s == 1800);
    CHECK(c->so_keepalive.interval_s == 0);
    CHECK(c->so_keepalive.count == 10);
    CHECK(c->ToString() == "0.0.0.0:8000 proxy_protocol deferred bind so_keepalive=1800::10");

    auto d = ParseListenSpec("localhost:0 so_keepalive=off");
    REQUIRE_OK(d.status());
    CHECK(d->host == "localhost");
    CHECK(d->port == 0);
    CHECK(d->so_keepalive.mode == KeepAliveSpec::Mode::kOff);
  }

  TEST_CASE("ParseListenSpec errors name the entry and the reason") {
    struct Bad {
      const char* entry;
      const char* reason;
    };
    const Bad cases[] = {
        {"127.0.0.1", "missing ':<port>'"},
        {"127.0.0.1:65536", "port '65536' must be a number in 0..65535"},
        {"127.0.0.1:80x", "port '80x'"},
        {"127.0.0.1:8000 sssl", "unknown flag 'sssl'"},
        {"127.0.0.1:8000 backlog=abc", "'backlog=abc' needs a positive number"},
        {"127.0.0.1:8000 ipv6only=maybe", "unknown flag 'ipv6only=maybe'"},
        {"127.0.0.1:8000 so_keepalive=1:2", "must be on, off or [idle]:[intvl]:[cnt]"},
        {"::1:8000", "ipv6 addresses must be written in brackets"},
        {"[::1:8000", "missing ']'"},
        {"[fe80::zz]:80", "'fe80::zz' is not an ipv6 address"},
        {"300.1.1.1:80", "'300.1.1.1' is not an ip address or host name"},
        {"", "empty entry"},
    };
    for (const Bad& bad : cases) {
      CAPTURE(bad.entry);
      auto r = ParseListenSpec(bad.entry);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == kong::StatusCode::kInvalidArgument);
      const std::string msg = r.status().message();
      CHECK(msg.find("'" + std::string(bad.entry) + "'") != std::string::npos);
      CHECK_MESSAGE(msg.find(bad.reason) != std::string::npos, msg);
    }
  }

  TEST_CASE("ParseListenList: arrays, off, and errors prefixed by the setting") {
    auto list = ParseListenList(
        std::vector<std::string>{"127.0.0.1:8001 reuseport", "127.0.0.1:8444 http2 ssl"},
        "admin_listen");
    REQUIRE_OK(list.status());
    REQUIRE(list->size() == 2);
    CHECK((*list)[1].ssl);

    auto raw = ParseListenList("0.0.0.0:8000, 0.0.0.0:8443 ssl", "proxy_listen");
    REQUIRE_OK(raw.status());
    CHECK(raw->size() == 2);

    auto off = ParseListenList(std::vector<std::string>{"off"}, "status_listen");
    REQUIRE_OK(off.status());
    CHECK(off->empty());

    auto empty = ParseListenList(std::vector<std::string>{}, "cluster_listen");
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.status().message().find("cluster_listen must be of form") == 0);

    auto bad = ParseListenList("127.0.0.1:8001, 127.0.0.1", "admin_listen");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().message().find("admin_listen: invalid listen entry '127.0.0.1'") == 0);
  }
}
