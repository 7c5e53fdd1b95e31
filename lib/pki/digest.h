// Message digests over mbedTLS (MD5 for Kong's config hash, SHA-1 for UUIDv5 ids and the
// WebSocket handshake, SHA-256 for certificate fingerprints), hiding its 2.x/3.x differences.
#ifndef KONG_PKI_DIGEST_H_
#define KONG_PKI_DIGEST_H_

#include <array>
#include <string_view>

namespace kong::pki {

std::array<unsigned char, 16> Md5(std::string_view data);
std::array<unsigned char, 20> Sha1(std::string_view data);
std::array<unsigned char, 32> Sha256(std::string_view data);

}  // namespace kong::pki

#endif  // KONG_PKI_DIGEST_H_
