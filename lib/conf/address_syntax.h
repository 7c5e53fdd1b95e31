// Syntax checks of kong.conf values: listen addresses, IPs and CIDRs, UUIDs, proxy URLs, labels.
#ifndef KONG_CONF_ADDRESS_SYNTAX_H_
#define KONG_CONF_ADDRESS_SYNTAX_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kong::conf {

// Kong's usage text for an invalid *_listen value (HTTP subsystem flags, Kong 3.x), without
// the property name: "must be of form: [off] | <ip>:<port> [ssl] ... [... next entry ...]".
std::string_view ListenUsage();

// Kong's parse_listeners: a non-empty list, either "off" first or every entry
// "<ip>:<port>" / "<hostname>:<port>" / "[<ipv6>]:<port>" followed by known flags.
bool IsValidListen(const std::vector<std::string>& entries);

// True when any entry carries the `ssl` flag.
bool ListenHasSsl(const std::vector<std::string>& entries);

// An IPv4 or IPv6 address, or a CIDR block of either (trusted_ips).
bool IsIpOrCidr(std::string_view s);

// An IPv4/IPv6 address with an optional port: "1.2.3.4", "1.2.3.4:53", "::1", "[::1]:53"
// (dns_resolver; Kong's normalize_ip without names).
bool IsIpWithOptionalPort(std::string_view s);

// 8-4-4-4-12 hex digits, any case (Kong's is_valid_uuid).
bool IsValidUuid(std::string_view s);

// Kong's proxy_server checks; "" when valid, otherwise the error message. Never echoes the URL,
// which may carry credentials.
std::string CheckProxyServer(std::string_view url);

// Kong's validate_labels for cluster_dp_labels ("key:value" items); "" when valid.
std::string CheckDpLabels(const std::vector<std::string>& labels);

// One cluster_control_plane address.
struct ControlPlaneAddress {
  std::string host;  // brackets removed from an IPv6 literal
  uint16_t port = 0;
  std::string text;  // the entry as written, trimmed: "cp1.example:8005", "[::1]:8005"
};

// cluster_control_plane: "host:port" or "[ipv6]:port" as in Kong, or (ours) several of them
// separated by commas, which a data plane tries in order. Returns "" and fills `out`, or the
// error naming the bad entry ("cluster_control_plane: bad port in 'cp2.example:80x'"), leaving
// `out` unchanged.
std::string ParseControlPlaneList(std::string_view value, std::vector<ControlPlaneAddress>* out);

}  // namespace kong::conf

#endif  // KONG_CONF_ADDRESS_SYNTAX_H_
