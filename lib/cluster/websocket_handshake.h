// RFC 6455 §4 opening handshake for /v1/outlet: key/accept values and request/response checks.
#ifndef KONG_CLUSTER_WEBSOCKET_HANDSHAKE_H_
#define KONG_CLUSTER_WEBSOCKET_HANDSHAKE_H_

#include <string>
#include <string_view>

#include "http/header_map.h"
#include "http/message.h"
#include "kong/status.h"

namespace kong::cluster {

// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + RFC 6455 GUID)).
std::string WebSocketAccept(std::string_view key);

// A Sec-WebSocket-Key from a 16-byte random nonce (the caller owns the randomness).
// kInvalidArgument unless the nonce is 16 bytes.
Result<std::string> WebSocketKeyFromNonce(std::string_view nonce);

// The client's upgrade headers (Upgrade, Connection, Sec-WebSocket-Key/Version); no
// subprotocol header, as Kong's v1 DP sends none.
void AddUpgradeRequestHeaders(http::HeaderMap& headers, std::string_view key);

// Checks a server-side upgrade request (GET, Upgrade: websocket, Connection: upgrade, version
// 13, a key that decodes to 16 bytes) and returns the Sec-WebSocket-Accept value to answer
// with. Errors are kProtocol naming the bad header.
Result<std::string> ValidateUpgradeRequest(const http::Request& request);

// The raw "HTTP/1.1 101 Switching Protocols" response the new transport owner writes.
std::string UpgradeResponseBytes(std::string_view accept);

// Checks the server's answer on the client: status 101, Upgrade: websocket,
// Connection: upgrade and the accept value matching `key`. Errors are kProtocol.
Status ValidateUpgradeResponse(int status, const http::HeaderMap& headers, std::string_view key);

}  // namespace kong::cluster

#endif  // KONG_CLUSTER_WEBSOCKET_HANDSHAKE_H_
