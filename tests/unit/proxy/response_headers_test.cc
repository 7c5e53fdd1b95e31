// Tests for the client response headers: Via, Server, latency headers, request id, hop-by-hop
// removal, and the `headers` setting.
#include "proxy/response_headers.h"

#include "support/test_support.h"

using kong::http::HeaderMap;
using kong::proxy::EnabledHeaders;
using kong::proxy::ProxiedResponseView;

namespace {

constexpr std::string_view kToken = "kong/3.10.0";

// Collects the emitted fields into a map, for comparison with the in-place edit.
struct Collect final : kong::http::FieldSink {
  void Add(std::string_view name, std::string_view value) override { map.AddCopy(name, value); }
  HeaderMap map;
};

// Upstream heads for the emitter-vs-map comparisons: plain, hop-by-hop and Kong-named fields,
// more than 32 fields, an upgrade.
std::vector<HeaderMap> UpstreamCases() {
  std::vector<HeaderMap> cases(4);
  cases[0].Add("Server", "nginx");
  cases[0].Add("Date", "Sat, 28 Nov 2026 00:00:00 GMT");
  cases[0].Add("Content-Length", "20");
  cases[0].Add("Connection", "keep-alive");
  cases[1].Add("Connection", "X-Secret, close");
  cases[1].Add("X-Secret", "1");
  cases[1].Add("Via", "1.0 cache");
  cases[1].Add("Upgrade", "h2c");
  cases[1].Add("Trailer", "X-Sum");
  cases[1].Add("Transfer-Encoding", "chunked");
  cases[1].Add("X-Accel-Redirect", "/internal");
  cases[1].Add("X-Kong-Request-Id", "upstream-chosen");
  cases[1].Add("X-Kong-Upstream-Latency", "999");
  for (int i = 0; i < 40; ++i) cases[2].Add("X-Many-" + std::to_string(i), "v");  // > 32
  cases[2].Add("Keep-Alive", "timeout=5");
  cases[2].Add("Via", "2 edge");
  cases[3].Add("Upgrade", "websocket");
  cases[3].Add("Connection", "upgrade");
  return cases;
}

ProxiedResponseView EmitView() {
  ProxiedResponseView view;
  view.upstream_latency_ms = 3;
  view.proxy_latency_ms = 1;
  view.request_id = "0123456789abcdef0123456789abcdef";
  view.requested_upgrade = "websocket";
  return view;
}

void CheckSame(const HeaderMap& emitted, const HeaderMap& edited) {
  REQUIRE(emitted.size() == edited.size());
  auto e = edited.begin();
  for (const auto& field : emitted) {
    CHECK(field == *e);
    ++e;
  }
}

}  // namespace

TEST_SUITE("proxy") {
  TEST_CASE("proxied response: Kong's headers added, hop-by-hop headers removed") {
    HeaderMap h;
    h.Add("Content-Type", "application/json");
    h.Add("Connection", "close, X-Hop");
    h.Add("X-Hop", "1");
    h.Add("Keep-Alive", "timeout=5");
    h.Add("Transfer-Encoding", "chunked");
    h.Add("Upgrade", "h2c");
    h.Add("Trailer", "X-Sum");
    h.Add("X-Accel-Redirect", "/internal");
    h.Add("Via", "1.1 upstream-cache");
    h.Add("X-Kong-Request-Id", "forged");
    ProxiedResponseView r;
    r.upstream_latency_ms = 12;
    r.proxy_latency_ms = 3;
    r.request_id = "abc123";
    kong::proxy::ApplyProxiedResponseHeaders(r, EnabledHeaders{}, kToken, &h);
    for (const char* gone : {"Connection", "X-Hop", "Keep-Alive", "Transfer-Encoding", "Upgrade",
                             "Trailer", "X-Accel-Redirect", "X-Kong-Upstream-Status"}) {
      INFO(gone);
      CHECK_FALSE(h.Has(gone));
    }
    CHECK(*h.Get("Content-Type") == "application/json");
    CHECK(*h.Get("Via") == "1.1 upstream-cache, 1.1 kong/3.10.0");
    CHECK(*h.Get("Server") == "kong/3.10.0");
    CHECK(*h.Get("X-Kong-Upstream-Latency") == "12");
    CHECK(*h.Get("X-Kong-Proxy-Latency") == "3");
    CHECK(h.GetAll("X-Kong-Request-Id") == std::vector<std::string_view>{"abc123"});
    CHECK_FALSE(h.Has("X-Kong-Response-Latency"));
  }

  TEST_CASE("proxied response: upstream Server kept, requested upgrade and trailers kept") {
    HeaderMap h;
    h.Add("Server", "gunicorn");
    h.Add("Upgrade", "websocket");
    h.Add("Trailer", "X-Sum");
    ProxiedResponseView r;
    r.upstream_status = 101;
    r.requested_upgrade = "websocket";
    r.client_wants_trailers = true;
    r.proxy_http_version = "2";
    EnabledHeaders e;
    e.upstream_status = true;
    kong::proxy::ApplyProxiedResponseHeaders(r, e, kToken, &h);
    CHECK(h.GetAll("Server") == std::vector<std::string_view>{"gunicorn"});
    CHECK(*h.Get("Upgrade") == "websocket");
    CHECK(*h.Get("Trailer") == "X-Sum");
    CHECK(*h.Get("Via") == "2 kong/3.10.0");
    CHECK(*h.Get("X-Kong-Upstream-Status") == "101");
  }

  TEST_CASE("headers = off adds nothing; single names enable single headers") {
    auto off = EnabledHeaders::Parse({"off"});
    REQUIRE(off.ok());
    HeaderMap h;
    ProxiedResponseView r;
    r.request_id = "abc";
    kong::proxy::ApplyProxiedResponseHeaders(r, off.value(), kToken, &h);
    CHECK(h.empty());

    auto some = EnabledHeaders::Parse({"Via", "X-Kong-Proxy-Latency"});
    REQUIRE(some.ok());
    kong::proxy::ApplyProxiedResponseHeaders(r, some.value(), kToken, &h);
    CHECK(h.size() == 2);
    CHECK(*h.Get("Via") == "1.1 kong/3.10.0");
    CHECK(*h.Get("X-Kong-Proxy-Latency") == "0");

    auto tokens = EnabledHeaders::Parse({"server_tokens", "latency_tokens"});
    REQUIRE(tokens.ok());
    CHECK(tokens.value().server);
    CHECK(tokens.value().via);
    CHECK(tokens.value().response_latency);
    CHECK_FALSE(tokens.value().request_id);

    auto bad = EnabledHeaders::Parse({"server_tokens", "X-Bogus"});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().message() == "headers: invalid entry 'X-Bogus'");
  }

  TEST_CASE("Kong's own responses: response latency and Server, no Via") {
    HeaderMap h;
    h.Add("Server", "openresty");
    kong::proxy::ApplyKongResponseHeaders(7, "rid", EnabledHeaders{}, kToken, &h);
    CHECK(*h.Get("X-Kong-Response-Latency") == "7");
    CHECK(h.GetAll("Server") == std::vector<std::string_view>{"kong/3.10.0"});
    CHECK(*h.Get("X-Kong-Request-Id") == "rid");
    CHECK_FALSE(h.Has("Via"));

    EnabledHeaders no_server;
    no_server.server = false;
    HeaderMap h2;
    h2.Add("Server", "openresty");
    kong::proxy::ApplyKongResponseHeaders(7, "rid", no_server, kToken, &h2);
    CHECK_FALSE(h2.Has("Server"));

    // A plugin that answered with "Via: kong/3.10.0" keeps its Server header.
    HeaderMap h3;
    h3.Add("Via", "kong/3.10.0");
    h3.Add("Server", "plugin");
    kong::proxy::ApplyKongResponseHeaders(1, "rid", EnabledHeaders{}, kToken, &h3);
    CHECK(*h3.Get("Server") == "plugin");
  }

  TEST_CASE("ProxiedHeadFields emits what ApplyProxiedResponseHeaders leaves, in order") {
    const ProxiedResponseView view = EmitView();
    EnabledHeaders enabled;
    enabled.upstream_status = true;
    for (const HeaderMap& upstream : UpstreamCases()) {
      HeaderMap edited = upstream;
      kong::proxy::ApplyProxiedResponseHeaders(view, enabled, "kong/3.10.0", &edited);
      Collect emitted;
      kong::proxy::ProxiedHeadFields(view, enabled, "kong/3.10.0", upstream).EmitTo(emitted);
      CheckSame(emitted.map, edited);
    }
  }

  TEST_CASE("ProxiedHeadFields with plugin edits equals the map path, in order") {
    // What OnHead's map path does: Kong's edit, then the plugins' edits applied to the map.
    const ProxiedResponseView view = EmitView();
    const EnabledHeaders enabled;
    kong::http::HeaderEdits edits;
    edits.Set("X-RateLimit-Remaining-Minute", "9");
    edits.Set("Via", "plugin");                   // replaces Kong's Via too
    edits.Remove("Content-Length");               // an upstream field
    edits.Remove("X-Kong-Upstream-Latency");      // one of Kong's
    edits.Add("Vary", "Origin");
    edits.Set("X-Many-3", "replaced");
    for (const HeaderMap& upstream : UpstreamCases()) {
      HeaderMap edited = upstream;
      kong::proxy::ApplyProxiedResponseHeaders(view, enabled, "kong/3.10.0", &edited);
      edits.ApplyTo(&edited);
      Collect emitted;
      kong::proxy::ProxiedHeadFields(view, enabled, "kong/3.10.0", upstream, &edits)
          .EmitTo(emitted);
      CheckSame(emitted.map, edited);
      CHECK(!emitted.map.Has("Content-Length"));
      CHECK(emitted.map.GetAll("Via") == std::vector<std::string_view>{"plugin"});
    }
    // No edits: the plain encoding.
    const kong::http::HeaderEdits none{};
    for (const HeaderMap& upstream : UpstreamCases()) {
      Collect plain, with_none;
      kong::proxy::ProxiedHeadFields(view, enabled, "kong/3.10.0", upstream).EmitTo(plain);
      kong::proxy::ProxiedHeadFields(view, enabled, "kong/3.10.0", upstream, &none)
          .EmitTo(with_none);
      CheckSame(with_none.map, plain.map);
    }
  }
}
