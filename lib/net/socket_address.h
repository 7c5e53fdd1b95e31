// Conversions between socket addresses and "ip:port" text for the net layer.
#ifndef KONG_NET_SOCKET_ADDRESS_H_
#define KONG_NET_SOCKET_ADDRESS_H_

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "kong/status.h"

namespace kong::net {

// True for an IPv4 or IPv6 literal (IPv6 without brackets).
bool IsIpLiteral(std::string_view host);

// The socket address of an IP literal (brackets around IPv6 allowed); an error for names.
Result<sockaddr_storage> IpAddress(std::string_view host, uint16_t port);
// The same without an error message: false for names (per-request paths such as the
// resolver's literal check, which would otherwise parse the literal twice).
bool ParseIpAddress(std::string_view host, uint16_t port, sockaddr_storage* out);

// "1.2.3.4:80" or "[::1]:80"; "" for an address family other than IPv4/IPv6.
std::string FormatAddress(const sockaddr* addr);

// The port of an IPv4/IPv6 address, 0 otherwise.
uint16_t AddressPort(const sockaddr* addr);

// Removes the brackets of "[::1]".
std::string_view StripBrackets(std::string_view host);

}  // namespace kong::net

#endif  // KONG_NET_SOCKET_ADDRESS_H_
