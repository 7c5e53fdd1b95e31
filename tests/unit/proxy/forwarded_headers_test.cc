// Tests for the upstream request headers: X-Forwarded-* with trusted and untrusted peers,
// X-Real-IP, Via, Host with preserve_host and ports, hop-by-hop removal, WebSocket upgrades.
#include "proxy/forwarded_headers.h"

#include <string>
#include <vector>

#include "support/test_support.h"

using kong::http::HeaderMap;
using kong::proxy::BuildUpstreamHeaders;
using kong::proxy::ClientRequestView;
using kong::proxy::UpstreamHeaderOptions;
using kong::proxy::UpstreamRequestView;

namespace {

UpstreamHeaderOptions Options() {
  UpstreamHeaderOptions o;
  o.server_token = kong::proxy::ServerToken("3.10.0");
  return o;
}

ClientRequestView Client(const HeaderMap* headers, bool trusted) {
  ClientRequestView c;
  c.headers = headers;
  c.peer_ip = "10.0.0.5";
  c.peer_trusted = trusted;
  c.scheme = "http";
  c.listener_port = 8000;
  c.raw_path = "/route/a%20b";
  c.request_id = "4f1a2b3c";
  return c;
}

UpstreamRequestView Upstream() {
  UpstreamRequestView u;
  u.stripped_prefix = "/route";
  u.upstream_host = "backend.internal";
  u.upstream_port = 80;
  u.upstream_scheme = "http";
  return u;
}

std::vector<std::string> Names(const HeaderMap& h) {
  std::vector<std::string> names;
  for (const auto& [name, value] : h) names.push_back(name);
  return names;
}

HeaderMap ClientHeaders() {
  HeaderMap h;
  h.Add("Host", "API.Example.com:8000");
  h.Add("X-Forwarded-For", "1.1.1.1");
  h.Add("X-Forwarded-For", "2.2.2.2");
  h.Add("X-Forwarded-Proto", "https");
  h.Add("X-Forwarded-Host", "public.example.com");
  h.Add("X-Forwarded-Port", "443");
  h.Add("X-Forwarded-Path", "/public/path");
  h.Add("X-Forwarded-Prefix", "/public");
  h.Add("X-Real-IP", "3.3.3.3");
  h.Add("X-Kong-Request-Id", "client-chosen");
  h.Add("Accept", "*/*");
  return h;
}

}  // namespace

TEST_SUITE("proxy") {
  TEST_CASE("untrusted peer: X-Forwarded-* replaced, X-Forwarded-For appended with the peer") {
    const HeaderMap in = ClientHeaders();
    const HeaderMap out = BuildUpstreamHeaders(Client(&in, false), Upstream(), Options());
    CHECK(*out.Get("X-Forwarded-For") == "1.1.1.1, 2.2.2.2, 10.0.0.5");
    CHECK(*out.Get("X-Forwarded-Proto") == "http");
    CHECK(*out.Get("X-Forwarded-Host") == "api.example.com");  // nginx's $host
    CHECK(*out.Get("X-Forwarded-Port") == "8000");
    CHECK(*out.Get("X-Forwarded-Path") == "/route/a%20b");
    CHECK(*out.Get("X-Forwarded-Prefix") == "/route");
    CHECK(*out.Get("X-Real-IP") == "10.0.0.5");  // the client's claim is ignored
    CHECK(*out.Get("X-Kong-Request-Id") == "4f1a2b3c");
    CHECK(*out.Get("Via") == "1.1 kong/3.10.0");
    CHECK(*out.Get("Accept") == "*/*");
    for (const char* name : {"X-Forwarded-For", "X-Forwarded-Proto", "X-Real-IP", "Host",
                             "X-Kong-Request-Id"}) {
      CHECK(out.GetAll(name).size() == 1);
    }
  }

  TEST_CASE("trusted peer: client X-Forwarded-* and X-Real-IP are kept") {
    const HeaderMap in = ClientHeaders();
    const HeaderMap out = BuildUpstreamHeaders(Client(&in, true), Upstream(), Options());
    CHECK(*out.Get("X-Forwarded-For") == "1.1.1.1, 2.2.2.2, 10.0.0.5");
    CHECK(*out.Get("X-Forwarded-Proto") == "https");
    CHECK(*out.Get("X-Forwarded-Host") == "public.example.com");
    CHECK(*out.Get("X-Forwarded-Port") == "443");
    CHECK(*out.Get("X-Forwarded-Path") == "/public/path");
    CHECK(*out.Get("X-Forwarded-Prefix") == "/public");
    CHECK(*out.Get("X-Real-IP") == "3.3.3.3");  // realip: the trusted peer names the client
  }

  TEST_CASE("trusted peer without X-Forwarded-* headers gets Kong's own values") {
    HeaderMap in;
    in.Add("Host", "a.test");
    UpstreamRequestView up = Upstream();
    up.stripped_prefix.reset();
    const HeaderMap out = BuildUpstreamHeaders(Client(&in, true), up, Options());
    CHECK(*out.Get("X-Forwarded-For") == "10.0.0.5");
    CHECK(*out.Get("X-Forwarded-Proto") == "http");
    CHECK(*out.Get("X-Forwarded-Host") == "a.test");
    CHECK(*out.Get("X-Forwarded-Port") == "8000");
    CHECK(*out.Get("X-Forwarded-Path") == "/route/a%20b");
    CHECK_FALSE(out.Has("X-Forwarded-Prefix"));  // nothing was stripped
    CHECK(*out.Get("X-Real-IP") == "10.0.0.5");
  }

  TEST_CASE("X-Real-IP from a trusted peer: only an IP counts; XFF as real_ip_header") {
    HeaderMap in;
    in.Add("X-Real-IP", "not an ip");
    CHECK(*BuildUpstreamHeaders(Client(&in, true), Upstream(), Options()).Get("X-Real-IP") ==
          "10.0.0.5");
    HeaderMap xff;
    xff.Add("X-Forwarded-For", "7.7.7.7, 8.8.8.8");
    UpstreamHeaderOptions o = Options();
    o.real_ip_header = "X-Forwarded-For";
    const HeaderMap out = BuildUpstreamHeaders(Client(&xff, true), Upstream(), o);
    CHECK(*out.Get("X-Real-IP") == "8.8.8.8");
    CHECK(*out.Get("X-Forwarded-For") == "7.7.7.7, 8.8.8.8, 10.0.0.5");
    // Without an X-Forwarded-For, the list starts with the real IP ($remote_addr).
    HeaderMap real;
    real.Add("X-Real-IP", "9.9.9.9");
    CHECK(*BuildUpstreamHeaders(Client(&real, true), Upstream(), Options())
               .Get("X-Forwarded-For") == "9.9.9.9");
  }

  TEST_CASE("Host: preserve_host keeps the client's; otherwise the target with non-default port") {
    HeaderMap in;
    in.Add("Host", "Client.Example:8443");
    UpstreamRequestView up = Upstream();
    up.preserve_host = true;
    CHECK(*BuildUpstreamHeaders(Client(&in, false), up, Options()).Get("Host") ==
          "Client.Example:8443");
    HeaderMap no_host;  // HTTP/1.0 without Host: falls back to the target
    CHECK(*BuildUpstreamHeaders(Client(&no_host, false), up, Options()).Get("Host") ==
          "backend.internal");
    CHECK(*BuildUpstreamHeaders(Client(&no_host, false), up, Options())
               .Get("X-Forwarded-Host") == "kong");  // nginx's server_name

    using kong::proxy::UpstreamHostHeader;
    CHECK(UpstreamHostHeader("b.test", 80, "http") == "b.test");
    CHECK(UpstreamHostHeader("b.test", 443, "https") == "b.test");
    CHECK(UpstreamHostHeader("b.test", 443, "http") == "b.test:443");
    CHECK(UpstreamHostHeader("b.test", 80, "https") == "b.test:80");
    CHECK(UpstreamHostHeader("b.test", 8080, "http") == "b.test:8080");
    CHECK(UpstreamHostHeader("b.test", 80, "grpc") == "b.test");
    CHECK(UpstreamHostHeader("b.test", 443, "grpcs") == "b.test");
    CHECK(UpstreamHostHeader("::1", 8080, "http") == "[::1]:8080");
    up.preserve_host = false;
    up.upstream_port = 9000;
    const HeaderMap out = BuildUpstreamHeaders(Client(&in, false), up, Options());
    CHECK(*out.Get("Host") == "backend.internal:9000");
    CHECK(Names(out).front() == "Host");
  }

  TEST_CASE("hop-by-hop headers are removed, TE: trailers survives") {
    HeaderMap in;
    in.Add("Host", "a.test");
    in.Add("Connection", "keep-alive, X-Secret-Hop,  Foo");
    in.Add("X-Secret-Hop", "1");
    in.Add("foo", "2");
    in.Add("Keep-Alive", "timeout=5");
    in.Add("Proxy", "http://evil");
    in.Add("Proxy-Connection", "keep-alive");
    in.Add("TE", "gzip, trailers;q=1, trailers");
    in.Add("Trailer", "X-Checksum");
    in.Add("Transfer-Encoding", "chunked");
    in.Add("Expect", "100-continue");
    in.Add("Upgrade", "h2c");
    in.Add("Content-Type", "text/plain");
    in.Add("Content-Length", "5");
    in.Add("X-Custom", "kept");
    const HeaderMap out = BuildUpstreamHeaders(Client(&in, false), Upstream(), Options());
    for (const char* gone : {"X-Secret-Hop", "Foo", "Keep-Alive", "Proxy", "Proxy-Connection",
                             "Trailer", "Transfer-Encoding", "Expect", "Upgrade"}) {
      INFO(gone);
      CHECK_FALSE(out.Has(gone));
    }
    CHECK(*out.Get("TE") == "trailers");
    CHECK(*out.Get("Connection") == "keep-alive");
    CHECK(out.GetAll("Connection").size() == 1);
    CHECK(*out.Get("Content-Type") == "text/plain");
    CHECK(*out.Get("Content-Length") == "5");
    CHECK(*out.Get("X-Custom") == "kept");

    HeaderMap gzip_only;
    gzip_only.Add("TE", "gzip");
    CHECK_FALSE(BuildUpstreamHeaders(Client(&gzip_only, false), Upstream(), Options()).Has("TE"));
  }

  TEST_CASE("a WebSocket upgrade is passed through; Via keeps the client's chain") {
    HeaderMap in;
    in.Add("Host", "a.test");
    in.Add("Connection", "Upgrade");
    in.Add("Upgrade", "WebSocket");
    in.Add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    in.Add("Via", "1.0 fred");
    ClientRequestView c = Client(&in, false);
    c.http_minor = 0;
    const HeaderMap out = BuildUpstreamHeaders(c, Upstream(), Options());
    CHECK(*out.Get("Upgrade") == "websocket");
    CHECK(*out.Get("Connection") == "keep-alive, Upgrade");
    CHECK(*out.Get("Sec-WebSocket-Key") == "dGhlIHNhbXBsZSBub25jZQ==");
    CHECK(*out.Get("Via") == "1.0 fred, 1 kong/3.10.0");  // Lua prints HTTP/1.0 as "1"
    CHECK(kong::proxy::ViaVersion(2, 0) == "2");
    CHECK(kong::proxy::ViaVersion(1, 1) == "1.1");
  }

  TEST_CASE("headers_upstream without X-Kong-Request-Id passes the client's through") {
    const HeaderMap in = ClientHeaders();
    UpstreamHeaderOptions o = Options();
    o.send_request_id = false;
    const HeaderMap out = BuildUpstreamHeaders(Client(&in, false), Upstream(), o);
    CHECK(out.GetAll("X-Kong-Request-Id") == std::vector<std::string_view>{"client-chosen"});
  }

  TEST_CASE("the serialized upstream head carries BuildUpstreamHeaders' fields, then framing") {
    using kong::proxy::UpstreamFraming;
    HeaderMap in = ClientHeaders();
    in.Add("Content-Length", "5");
    const ClientRequestView c = Client(&in, false);
    std::string expected = "POST /x?y=1 HTTP/1.1\r\n";
    for (const auto& [name, value] : BuildUpstreamHeaders(c, Upstream(), Options())) {
      expected += name + ": " + value + "\r\n";
    }
    std::string head;
    kong::proxy::AppendUpstreamRequestHead("POST", "/x?y=1", UpstreamFraming{}, c, Upstream(),
                                           Options(), &head);
    CHECK(head == expected + "\r\n");
    CHECK(head.find("Content-Length: 5\r\n") != std::string::npos);

    // Chunked: the client's framing fields go, Transfer-Encoding comes last.
    std::string chunked;
    kong::proxy::AppendUpstreamRequestHead("POST", "/x", {UpstreamFraming::Kind::kChunked, 0}, c,
                                           Upstream(), Options(), &chunked);
    CHECK(chunked.find("Content-Length") == std::string::npos);
    CHECK(chunked.size() > 32);
    CHECK(chunked.substr(chunked.size() - 32) == "\r\nTransfer-Encoding: chunked\r\n\r\n");

    // A replaced body: its own length instead of the client's.
    std::string replaced;
    kong::proxy::AppendUpstreamRequestHead("POST", "/x", {UpstreamFraming::Kind::kLength, 1234},
                                           c, Upstream(), Options(), &replaced);
    CHECK(replaced.find("Content-Length: 5\r\n") == std::string::npos);
    CHECK(replaced.find("\r\nContent-Length: 1234\r\n\r\n") != std::string::npos);
  }

  TEST_CASE("long Kong-built values spill off the stack intact") {
    HeaderMap in;
    const std::string chain(300, 'a');
    in.Add("Host", "h.test");
    in.Add("Via", chain);
    in.Add("X-Forwarded-For", chain);
    UpstreamRequestView up = Upstream();
    const std::string long_host(200, 'b');
    up.upstream_host = long_host;
    up.upstream_port = 8080;
    const HeaderMap out = BuildUpstreamHeaders(Client(&in, true), up, Options());
    CHECK(*out.Get("Via") == chain + ", 1.1 kong/3.10.0");
    CHECK(*out.Get("X-Forwarded-For") == chain + ", 10.0.0.5");
    CHECK(*out.Get("Host") == long_host + ":8080");
  }
}
