// CIDR matching over inet_pton'd bytes; the list is tiny, so a linear scan is fastest.
#include "proxy/trusted_ips.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "base/text.h"

namespace kong::proxy {
namespace {

// Parses an address into 16 bytes (IPv4 in the first 4). Brackets around IPv6 are allowed.
bool ParseIp(std::string_view text, bool* v6, std::array<uint8_t, 16>* out) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  out->fill(0);
  if (inet_pton(AF_INET, buf, out->data()) == 1) {
    *v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, buf, out->data()) == 1) {
    *v6 = true;
    return true;
  }
  return false;
}

void Mask(std::array<uint8_t, 16>* addr, int bits) {
  for (int i = 0; i < 16; ++i) {
    const int keep = bits - i * 8;
    if (keep >= 8) continue;
    (*addr)[i] = keep <= 0 ? 0 : static_cast<uint8_t>((*addr)[i] & (0xFF << (8 - keep)));
  }
}

bool IsV4Mapped(const std::array<uint8_t, 16>& a) {
  static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  return std::memcmp(a.data(), kPrefix, sizeof(kPrefix)) == 0;
}

}  // namespace

Result<TrustedIps> TrustedIps::Parse(const std::vector<std::string>& entries) {
  TrustedIps ips;
  for (const std::string& raw : entries) {
    const std::string_view entry = base::Trim(raw);
    if (entry.empty()) continue;
    if (entry == "unix:") {
      ips.unix_ = true;
      continue;
    }
    Block block;
    std::string_view ip = entry;
    const size_t slash = entry.find('/');
    int max_bits = 0;
    bool ok = true;
    if (slash != std::string_view::npos) ip = entry.substr(0, slash);
    ok = ParseIp(ip, &block.v6, &block.addr);
    max_bits = block.v6 ? 128 : 32;
    block.prefix_bits = max_bits;
    if (ok && slash != std::string_view::npos) {
      const std::string_view bits = entry.substr(slash + 1);
      const auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(),
                                             block.prefix_bits);
      ok = !bits.empty() && ec == std::errc() && end == bits.data() + bits.size() &&
           block.prefix_bits >= 0 && block.prefix_bits <= max_bits;
    }
    if (!ok) {
      return Status::InvalidArgument("trusted_ips: invalid entry '" + std::string(entry) +
                                     "' (expected an IPv4 or IPv6 address, a CIDR block or "
                                     "'unix:')");
    }
    Mask(&block.addr, block.prefix_bits);
    ips.blocks_.push_back(block);
  }
  return ips;
}

bool TrustedIps::IsTrusted(std::string_view peer_ip) const {
  if (peer_ip.substr(0, 5) == "unix:") return unix_;
  if (blocks_.empty()) return false;
  bool v6 = false;
  std::array<uint8_t, 16> addr;
  if (!ParseIp(peer_ip, &v6, &addr)) return false;
  if (MatchesAny(v6, addr)) return true;
  if (v6 && IsV4Mapped(addr)) {  // a dual-stack socket's IPv4 peer: also try the IPv4 blocks
    std::array<uint8_t, 16> v4{};
    std::memcpy(v4.data(), addr.data() + 12, 4);
    return MatchesAny(false, v4);
  }
  return false;
}

bool TrustedIps::MatchesAny(bool v6, const std::array<uint8_t, 16>& addr) const {
  for (const Block& b : blocks_) {
    if (b.v6 != v6) continue;
    std::array<uint8_t, 16> masked = addr;
    Mask(&masked, b.prefix_bits);
    if (masked == b.addr) return true;
  }
  return false;
}

bool IsIpAddress(std::string_view s) {
  bool v6 = false;
  std::array<uint8_t, 16> addr;
  return ParseIp(s, &v6, &addr);
}

std::string_view PeerIp(std::string_view peer_address) {
  if (peer_address.substr(0, 5) == "unix:") return peer_address.substr(0, 5);
  if (!peer_address.empty() && peer_address.front() == '[') {
    const size_t close = peer_address.find(']');
    return close == std::string_view::npos ? peer_address : peer_address.substr(1, close - 1);
  }
  const size_t colon = peer_address.find(':');
  // One colon: "ip:port". Several: a bare IPv6 address without a port.
  if (colon != std::string_view::npos &&
      peer_address.find(':', colon + 1) == std::string_view::npos) {
    return peer_address.substr(0, colon);
  }
  return peer_address;
}

}  // namespace kong::proxy
