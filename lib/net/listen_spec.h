// Kong listen entries ("127.0.0.1:8001 reuseport backlog=16384") parsed into ListenSpec.
#ifndef KONG_NET_LISTEN_SPEC_H_
#define KONG_NET_LISTEN_SPEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kong/status.h"

namespace kong::net {

// nginx's so_keepalive: unset (system default), on, off, or on with TCP_KEEPIDLE /
// TCP_KEEPINTVL / TCP_KEEPCNT overrides ("30m::10"); 0 in a field keeps the system value.
struct KeepAliveSpec {
  enum class Mode { kUnset, kOn, kOff };
  Mode mode = Mode::kUnset;
  uint32_t idle_s = 0;
  uint32_t interval_s = 0;
  uint32_t count = 0;
};

// One listen entry. Flags mirror nginx's `listen` parameters that Kong accepts.
struct ListenSpec {
  // IP literal without brackets ("127.0.0.1", "::1"), "0.0.0.0" for "*", or a host name
  // (Kong accepts names; the listener resolves them when binding).
  std::string host;
  uint16_t port = 0;  // 0 asks the OS for a free port (tests); Kong entries always name one
  bool ipv6 = false;  // host is an IPv6 literal
  bool ssl = false;   // the owner wraps accepted transports in TLS; the listener itself does not
  bool http2 = false;
  bool proxy_protocol = false;
  bool deferred = false;   // TCP_DEFER_ACCEPT
  bool bind = false;       // nginx's separate bind(); every Listener binds separately anyway
  bool reuseport = false;  // SO_REUSEPORT: one listener per worker on the same port
  int backlog = 511;       // nginx's NGX_LISTEN_BACKLOG on Linux
  bool ipv6only = true;    // nginx's default; meaningful for IPv6 hosts only
  KeepAliveSpec so_keepalive;

  // "127.0.0.1:8001" or "[::1]:8001".
  std::string Address() const;
  // The entry in Kong's normalised form: address followed by the flags that are set.
  std::string ToString() const;
};

// Parses one entry: "<ip>:<port>", "[<ipv6>]:<port>", "*:<port>" or "<name>:<port>", then
// space-separated flags: ssl, http2, proxy_protocol, deferred, bind, reuseport, backlog=N,
// ipv6only=on|off, so_keepalive=on|off|[idle]:[intvl]:[cnt]. Errors name the entry.
Result<ListenSpec> ParseListenSpec(std::string_view entry);

// Parses a Kong array setting (`admin_listen`, `status_listen`, ...) whose items are already
// split. A first item "off" yields an empty list, as in Kong; an empty list is an error.
// Errors start with `setting` ("admin_listen: invalid entry '...': ...").
Result<std::vector<ListenSpec>> ParseListenList(const std::vector<std::string>& entries,
                                                std::string_view setting);
// The same for a raw comma-separated value ("127.0.0.1:8001, 127.0.0.1:8444 ssl").
Result<std::vector<ListenSpec>> ParseListenList(std::string_view value, std::string_view setting);

}  // namespace kong::net

#endif  // KONG_NET_LISTEN_SPEC_H_
