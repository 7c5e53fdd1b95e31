// Base64 offset tokens for keyset pagination.
#include "store/offset_token.h"

#include <cstdint>

namespace kong::store {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string EncodeOffset(std::string_view last_id) {
  std::string out;
  out.reserve((last_id.size() + 2) / 3 * 4);
  for (size_t i = 0; i < last_id.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(last_id[i]) << 16;
    if (i + 1 < last_id.size()) n |= static_cast<uint8_t>(last_id[i + 1]) << 8;
    if (i + 2 < last_id.size()) n |= static_cast<uint8_t>(last_id[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < last_id.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < last_id.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

Result<std::string> DecodeOffset(std::string_view token) {
  auto bad = [&] {
    return Status::InvalidArgument("'" + std::string(token) +
                                   "' is not a valid offset: bad base64 encoding");
  };
  if (token.empty() || token.size() % 4 != 0) return bad();
  size_t pad = 0;
  if (token.back() == '=') pad = token[token.size() - 2] == '=' ? 2 : 1;
  std::string out;
  out.reserve(token.size() / 4 * 3);
  for (size_t i = 0; i < token.size(); i += 4) {
    bool last = i + 4 == token.size();
    int v[4];
    for (size_t k = 0; k < 4; ++k) {
      bool is_pad = last && k >= 4 - pad;
      v[k] = is_pad ? 0 : DecodeChar(token[i + k]);
      if (v[k] < 0) return bad();
    }
    uint32_t n = (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) |
                 uint32_t(v[3]);
    out += static_cast<char>((n >> 16) & 0xff);
    if (!(last && pad == 2)) out += static_cast<char>((n >> 8) & 0xff);
    if (!(last && pad >= 1)) out += static_cast<char>(n & 0xff);
    // Canonical form only: the bits that padding drops must be zero.
    if (last && pad == 2 && (n & 0xffff) != 0) return bad();
    if (last && pad == 1 && (n & 0xff) != 0) return bad();
  }
  if (out.empty()) return bad();
  return out;
}

}  // namespace kong::store
