// Kong's text helpers that schema validators depend on: normalize_ip / format_host
// (kong.tools.utils), IP and CIDR checks, UTF-8 checks, LuaSocket's url.parse and
// kong.tools.uri.normalize. Each mirrors Kong's behaviour, quirks included, because the
// validation messages quote their results.
#ifndef KONG_SCHEMA_HOST_SYNTAX_H_
#define KONG_SCHEMA_HOST_SYNTAX_H_

#include <optional>
#include <string>
#include <string_view>

namespace kong::schema {

enum class HostKind { kName, kIpv4, kIpv6 };

struct NormalizedHost {
  HostKind kind = HostKind::kName;
  std::string host;         // IPv4 dotted, IPv6 fully expanded lower case (no brackets), or name
  std::optional<int> port;  // present when the input carried one
};

// Kong's utils.normalize_ip: the host type is guessed from the text (two or more colons:
// IPv6; only digits and dots: IPv4; else a name). On failure returns nullopt and sets *err to
// Kong's message: "invalid ipv4 address: x", "invalid ipv6 address: x", "invalid hostname: x"
// or "invalid port number".
std::optional<NormalizedHost> NormalizeIp(std::string_view address, std::string* err);

// Kong's utils.format_host: "host:port", "[ipv6]:port"; `default_port` applies when the host
// has none (targets use 8000).
std::string FormatHost(const NormalizedHost& h, std::optional<int> default_port);

bool IsValidIp(std::string_view s);          // IPv4 or IPv6
bool IsValidIpOrCidr(std::string_view s);    // also "ip/bits"
bool IsValidIpOrCidrV4(std::string_view s);  // IPv4 or IPv4 CIDR

// The 1-based position of the first byte that is not valid UTF-8, or 0 when valid.
size_t InvalidUtf8Position(std::string_view s);

// LuaSocket url.parse (the parts Kong reads).
struct ParsedUrl {
  std::optional<std::string> scheme, host, port, path;
};
ParsedUrl ParseUrl(std::string_view url);

// kong.tools.uri.normalize(uri, true): decodes %XX of unreserved characters, upper-cases the
// escapes it keeps, removes dot segments and merges slashes.
std::string NormalizeUriPath(std::string_view uri);

// "{vault://...}" references (Kong's kong.vault.is_reference).
bool IsVaultReference(std::string_view s);

}  // namespace kong::schema

#endif  // KONG_SCHEMA_HOST_SYNTAX_H_
