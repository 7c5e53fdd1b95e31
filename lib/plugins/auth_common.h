// What key-auth, basic-auth (and acl) share: the 401 answer, the anonymous fallback of Kong's
// "logical OR" between auth plugins, nginx's base64 decoding and the urlencoded argument
// lookups the way ngx.req.get_uri_args / get_post_args see them.
#ifndef KONG_PLUGINS_AUTH_COMMON_H_
#define KONG_PLUGINS_AUTH_COMMON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "plugins/plugin.h"

namespace kong::plugins::auth {

// At most this many body bytes are buffered to find a key (key-auth's key_in_body), as for
// request-transformer's body transforms; a larger body is refused with 413.
inline constexpr uint64_t kMaxCredentialBodyBytes = 8u << 20;

// kong.response.error(401, message, {WWW-Authenticate = ...}). Returns Flow::kExit.
Flow RejectUnauthorized(PluginContext& ctx, std::string message, const std::string& challenge);

// Kong's set_anonymous_consumer: authenticates the consumer whose id or username is
// `anonymous`, without credential (X-Anonymous-Consumer: true), and continues; when it does
// not exist, answers 500 "anonymous consumer <x> is configured but doesn't exist".
Flow AuthenticateAnonymous(PluginContext& ctx, std::string_view anonymous);

// ngx.decode_base64: the standard alphabet up to the first '=' (anything after it is ignored),
// padding optional; nullopt for any other character or a length that cannot be base64.
std::optional<std::string> NginxDecodeBase64(std::string_view text);

// One argument of an application/x-www-form-urlencoded string, as Lua sees it in the table
// ngx.req.get_uri_args() returns: absent (nil), one value (a string), a name without '='
// (true), or several occurrences (a table).
struct FormArg {
  enum class Kind { kAbsent, kValue, kNoValue, kRepeated };
  Kind kind = Kind::kAbsent;
  std::string value;  // kValue: percent-decoded ('+' is a space)
};

// Looks `name` up among the first 100 arguments of `encoded` (Kong's get_query/get_body limit).
FormArg FindFormArg(std::string_view encoded, std::string_view name);

// `encoded` without any `name` argument, the others kept as they were; nullopt when there was
// none (kong.service.request.clear_query_arg).
std::optional<std::string> RemoveFormArg(std::string_view encoded, std::string_view name);

}  // namespace kong::plugins::auth

#endif  // KONG_PLUGINS_AUTH_COMMON_H_
