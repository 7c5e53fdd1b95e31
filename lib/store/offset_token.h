// Page offset tokens: like Kong's PostgreSQL strategy, base64 of the last key on the page.
#ifndef KONG_STORE_OFFSET_TOKEN_H_
#define KONG_STORE_OFFSET_TOKEN_H_

#include <string>
#include <string_view>

#include "kong/status.h"

namespace kong::store {

// Standard base64 (with padding) of `last_id`.
std::string EncodeOffset(std::string_view last_id);

// The id inside `token`. kInvalidArgument "'<token>' is not a valid offset: bad base64
// encoding" (Kong's text) for anything that is not canonical base64 of a non-empty key.
Result<std::string> DecodeOffset(std::string_view token);

}  // namespace kong::store

#endif  // KONG_STORE_OFFSET_TOKEN_H_
