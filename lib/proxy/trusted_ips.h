// trusted_ips: the peers whose X-Forwarded-* and real-IP headers Kong believes (kong.conf).
#ifndef KONG_PROXY_TRUSTED_IPS_H_
#define KONG_PROXY_TRUSTED_IPS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kong/status.h"

namespace kong::proxy {

// A parsed trusted_ips list: IPv4/IPv6 addresses, CIDR blocks (0.0.0.0/0 and ::/0 trust
// everyone) and "unix:" (peers on Unix domain sockets). Built once per configuration, then
// read-only: IsTrusted() is safe from any number of threads.
class TrustedIps {
 public:
  // Trusts nobody (Kong's default "NONE", which kong.conf parsing turns into an empty list).
  TrustedIps() = default;

  // Parses the entries; an error names the first bad one ("trusted_ips: invalid entry 'x'").
  // Entries are trimmed; empty entries are skipped.
  static Result<TrustedIps> Parse(const std::vector<std::string>& entries);

  // True when `peer_ip` (the address that connected to us, as nginx's $realip_remote_addr:
  // "1.2.3.4", "::1", "[::1]", or "unix:" for a Unix socket) is trusted. An IPv4-mapped IPv6
  // address ("::ffff:1.2.3.4") is also matched against the IPv4 blocks (a dual-stack
  // listener's IPv4 client). Anything that is not an address is untrusted.
  bool IsTrusted(std::string_view peer_ip) const;

  bool empty() const { return blocks_.empty() && !unix_; }

 private:
  struct Block {
    bool v6 = false;
    int prefix_bits = 0;
    std::array<uint8_t, 16> addr{};  // masked to prefix_bits
  };

  bool MatchesAny(bool v6, const std::array<uint8_t, 16>& addr) const;

  std::vector<Block> blocks_;
  bool unix_ = false;
};

// The IP part of a peer "ip:port" as kept in http::Request::peer_address: "1.2.3.4:5" gives
// "1.2.3.4", "[::1]:5" gives "::1"; "" stays "" and "unix:..." gives "unix:".
std::string_view PeerIp(std::string_view peer_address);

// True for an IPv4 or IPv6 address literal (IPv6 with or without brackets).
bool IsIpAddress(std::string_view s);

}  // namespace kong::proxy

#endif  // KONG_PROXY_TRUSTED_IPS_H_
