// SHA-1 + base64 (mbedTLS) for the WebSocket accept value and the header checks around it.
#include "cluster/websocket_handshake.h"

#include <mbedtls/base64.h>

#include <array>
#include <optional>

#include "base/macros.h"
#include "pki/digest.h"

namespace kong::cluster {
namespace {

constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr size_t kNonceSize = 16;

std::string Base64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  size_t written = 0;
  int rc = mbedtls_base64_encode(reinterpret_cast<unsigned char*>(out.data()), out.size(), &written,
                                 data, size);
  KONG_DCHECK(rc == 0);
  out.resize(written);
  return out;
}

// The decoded size of a base64 value, or -1 when it is not valid base64.
long DecodedSize(std::string_view b64) {
  std::array<unsigned char, 64> buf{};
  size_t written = 0;
  if (b64.size() > 4 * buf.size() / 3) return -1;
  int rc = mbedtls_base64_decode(buf.data(), buf.size(), &written,
                                 reinterpret_cast<const unsigned char*>(b64.data()), b64.size());
  return rc == 0 ? static_cast<long>(written) : -1;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string WebSocketAccept(std::string_view key) {
  std::string input(key);
  input += kWebSocketGuid;
  std::array<unsigned char, 20> digest = pki::Sha1(input);
  return Base64(digest.data(), digest.size());
}

Result<std::string> WebSocketKeyFromNonce(std::string_view nonce) {
  if (nonce.size() != kNonceSize) {
    return Status::InvalidArgument("websocket key nonce must be 16 bytes, got " +
                                   std::to_string(nonce.size()));
  }
  return Base64(reinterpret_cast<const unsigned char*>(nonce.data()), nonce.size());
}

void AddUpgradeRequestHeaders(http::HeaderMap& headers, std::string_view key) {
  headers.Set("Upgrade", "websocket");
  headers.Set("Connection", "Upgrade");
  headers.Set("Sec-WebSocket-Key", std::string(key));
  headers.Set("Sec-WebSocket-Version", "13");
}

Result<std::string> ValidateUpgradeRequest(const http::Request& request) {
  if (request.method != "GET") {
    return Status::Protocol("websocket upgrade needs GET, got method " + request.method);
  }
  std::optional<std::string_view> upgrade = request.headers.Get("Upgrade");
  if (!upgrade || !EqualsIgnoreCase(*upgrade, "websocket")) {
    return Status::Protocol("websocket upgrade: bad or missing upgrade header: '" +
                            std::string(upgrade.value_or("")) + "'");
  }
  if (!request.headers.HasToken("Connection", "upgrade")) {
    return Status::Protocol("websocket upgrade: connection header lacks 'upgrade'");
  }
  std::optional<std::string_view> version = request.headers.Get("Sec-WebSocket-Version");
  if (!version || *version != "13") {
    return Status::Protocol("websocket upgrade: unsupported sec-websocket-version: '" +
                            std::string(version.value_or("")) + "'");
  }
  std::optional<std::string_view> key = request.headers.Get("Sec-WebSocket-Key");
  if (!key || DecodedSize(*key) != static_cast<long>(kNonceSize)) {
    return Status::Protocol("websocket upgrade: bad or missing sec-websocket-key: '" +
                            std::string(key.value_or("")) + "'");
  }
  return WebSocketAccept(*key);
}

std::string UpgradeResponseBytes(std::string_view accept) {
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
         "Sec-WebSocket-Accept: " +
         std::string(accept) + "\r\n\r\n";
}

Status ValidateUpgradeResponse(int status, const http::HeaderMap& headers, std::string_view key) {
  if (status != 101) {
    return Status::Protocol("websocket upgrade: expected status 101, got " + std::to_string(status));
  }
  std::optional<std::string_view> upgrade = headers.Get("Upgrade");
  if (!upgrade || !EqualsIgnoreCase(*upgrade, "websocket")) {
    return Status::Protocol("websocket upgrade: bad or missing upgrade header in response: '" +
                            std::string(upgrade.value_or("")) + "'");
  }
  if (!headers.HasToken("Connection", "upgrade")) {
    return Status::Protocol("websocket upgrade: response connection header lacks 'upgrade'");
  }
  std::optional<std::string_view> accept = headers.Get("Sec-WebSocket-Accept");
  if (!accept || *accept != WebSocketAccept(key)) {
    return Status::Protocol("websocket upgrade: sec-websocket-accept does not match the key");
  }
  return Status::Ok();
}

}  // namespace kong::cluster
