// Socket address helpers over libuv's portable inet functions.
#include "net/socket_address.h"

#include <netinet/in.h>
#include <uv.h>

#include <cstring>

namespace kong::net {

std::string_view StripBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

bool IsIpLiteral(std::string_view host) {
  std::string h(StripBrackets(host));
  unsigned char buf[16];
  return uv_inet_pton(AF_INET, h.c_str(), buf) == 0 || uv_inet_pton(AF_INET6, h.c_str(), buf) == 0;
}

bool ParseIpAddress(std::string_view host, uint16_t port, sockaddr_storage* out) {
  std::memset(out, 0, sizeof *out);
  std::string h(StripBrackets(host));
  return uv_ip4_addr(h.c_str(), port, reinterpret_cast<sockaddr_in*>(out)) == 0 ||
         uv_ip6_addr(h.c_str(), port, reinterpret_cast<sockaddr_in6*>(out)) == 0;
}

Result<sockaddr_storage> IpAddress(std::string_view host, uint16_t port) {
  sockaddr_storage ss;
  if (ParseIpAddress(host, port, &ss)) return ss;
  return Status::InvalidArgument("'" + std::string(host) + "' is not an ip address");
}

std::string FormatAddress(const sockaddr* addr) {
  char ip[INET6_ADDRSTRLEN] = {0};
  if (addr->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    uv_ip4_name(in, ip, sizeof ip);
    return std::string(ip) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (addr->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    uv_ip6_name(in6, ip, sizeof ip);
    return "[" + std::string(ip) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  return "";
}

uint16_t AddressPort(const sockaddr* addr) {
  if (addr->sa_family == AF_INET)
    return ntohs(reinterpret_cast<const sockaddr_in*>(addr)->sin_port);
  if (addr->sa_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(addr)->sin6_port);
  }
  return 0;
}

}  // namespace kong::net
