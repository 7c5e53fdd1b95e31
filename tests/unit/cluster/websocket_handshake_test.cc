// Tests for the WebSocket opening handshake: RFC 6455 vectors and request/response checks.
#include <string>

#include "cluster/websocket_handshake.h"
#include "support/test_support.h"

using kong::StatusCode;
using kong::cluster::AddUpgradeRequestHeaders;
using kong::cluster::UpgradeResponseBytes;
using kong::cluster::ValidateUpgradeRequest;
using kong::cluster::ValidateUpgradeResponse;
using kong::cluster::WebSocketAccept;
using kong::cluster::WebSocketKeyFromNonce;
using kong::http::HeaderMap;
using kong::http::Request;

namespace {

constexpr std::string_view kRfcKey = "dGhlIHNhbXBsZSBub25jZQ==";       // RFC 6455 §1.3
constexpr std::string_view kRfcAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

Request UpgradeRequest() {
  Request r;
  r.method = "GET";
  r.target = "/v1/outlet?node_id=a&node_version=3.6.1";
  AddUpgradeRequestHeaders(r.headers, kRfcKey);
  return r;
}

std::string RequestError(const Request& r) {
  auto result = ValidateUpgradeRequest(r);
  REQUIRE(!result.ok());
  CHECK(result.status().code() == StatusCode::kProtocol);
  return result.status().message();
}

}  // namespace

TEST_SUITE("cluster") {
  TEST_CASE("websocket key and accept reproduce RFC 6455's example") {
    CHECK(WebSocketAccept(kRfcKey) == kRfcAccept);
    auto key = WebSocketKeyFromNonce("the sample nonce");
    REQUIRE(key.ok());
    CHECK(*key == kRfcKey);
    auto short_nonce = WebSocketKeyFromNonce("short");
    REQUIRE(!short_nonce.ok());
    CHECK(short_nonce.status().code() == StatusCode::kInvalidArgument);
  }

  TEST_CASE("a well-formed upgrade request yields the accept value") {
    Request r = UpgradeRequest();
    CHECK(r.headers.Get("Sec-WebSocket-Version") == "13");
    CHECK(!r.headers.Has("Sec-WebSocket-Protocol"));
    auto accept = ValidateUpgradeRequest(r);
    REQUIRE(accept.ok());
    CHECK(*accept == kRfcAccept);
    // Header values are case-insensitive tokens.
    r.headers.Set("Upgrade", "WebSocket");
    r.headers.Set("Connection", "keep-alive, Upgrade");
    CHECK(ValidateUpgradeRequest(r).ok());
  }

  TEST_CASE("bad upgrade requests are refused, naming the header") {
    Request post = UpgradeRequest();
    post.method = "POST";
    CHECK(RequestError(post) == "websocket upgrade needs GET, got method POST");

    Request no_upgrade = UpgradeRequest();
    no_upgrade.headers.Set("Upgrade", "h2c");
    CHECK(RequestError(no_upgrade) == "websocket upgrade: bad or missing upgrade header: 'h2c'");

    Request no_connection = UpgradeRequest();
    no_connection.headers.Set("Connection", "keep-alive");
    CHECK(RequestError(no_connection) == "websocket upgrade: connection header lacks 'upgrade'");

    Request old_version = UpgradeRequest();
    old_version.headers.Set("Sec-WebSocket-Version", "8");
    CHECK(RequestError(old_version) == "websocket upgrade: unsupported sec-websocket-version: '8'");

    Request bad_key = UpgradeRequest();
    bad_key.headers.Set("Sec-WebSocket-Key", "c2hvcnQ=");  // "short": not 16 bytes
    CHECK(RequestError(bad_key) == "websocket upgrade: bad or missing sec-websocket-key: 'c2hvcnQ='");
    bad_key.headers.Remove("Sec-WebSocket-Key");
    CHECK(RequestError(bad_key) == "websocket upgrade: bad or missing sec-websocket-key: ''");
  }

  TEST_CASE("the 101 response carries the accept value") {
    CHECK(UpgradeResponseBytes(kRfcAccept) ==
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
  }

  TEST_CASE("the client checks status, headers and accept value of the answer") {
    HeaderMap ok;
    ok.Add("Upgrade", "websocket");
    ok.Add("Connection", "Upgrade");
    ok.Add("Sec-WebSocket-Accept", std::string(kRfcAccept));
    CHECK(ValidateUpgradeResponse(101, ok, kRfcKey).ok());

    auto not_101 = ValidateUpgradeResponse(400, ok, kRfcKey);
    CHECK(not_101.code() == StatusCode::kProtocol);
    CHECK(not_101.message() == "websocket upgrade: expected status 101, got 400");

    auto wrong_key = ValidateUpgradeResponse(101, ok, "AAAAAAAAAAAAAAAAAAAAAA==");
    CHECK(wrong_key.message() == "websocket upgrade: sec-websocket-accept does not match the key");

    HeaderMap no_upgrade = ok;
    no_upgrade.Remove("Upgrade");
    CHECK(!ValidateUpgradeResponse(101, no_upgrade, kRfcKey).ok());
    HeaderMap no_connection = ok;
    no_connection.Remove("Connection");
    CHECK(!ValidateUpgradeResponse(101, no_connection, kRfcKey).ok());
  }
}
