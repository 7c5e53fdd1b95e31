// Lua 5.1 pattern matching (string.find/match semantics), so schemas can state Kong's patterns
// ("^%u+$", "^[%w%.%-%_~]+$") verbatim and plugin schemas can be ported as written.
#ifndef KONG_SCHEMA_LUA_PATTERN_H_
#define KONG_SCHEMA_LUA_PATTERN_H_

#include <string_view>

namespace kong::schema {

// True when `pattern` matches somewhere in `subject` (anywhere, or at the start when the pattern
// begins with '^'), like Lua's `string.find(subject, pattern) ~= nil`. Character classes use the
// C locale (bytes >= 0x80 are never %a, %w, ...). Captures only group; back-references (%1) and
// malformed patterns never match. Patterns come from schema definitions, not from users.
bool LuaPatternFind(std::string_view subject, std::string_view pattern);

}  // namespace kong::schema

#endif  // KONG_SCHEMA_LUA_PATTERN_H_
