// kong.conf syntax: Penlight's config.read as Kong calls it, then Kong's comment stripping.
#ifndef KONG_CONF_CONF_TEXT_H_
#define KONG_CONF_CONF_TEXT_H_

#include <map>
#include <string>
#include <string_view>

namespace kong::conf {

// Parses kong.conf text into key -> raw value (a later line wins), as Kong's load_config does:
// - blank lines and lines whose first non-space character is '#' or ';' are skipped;
// - a line ending in '\' (trailing spaces allowed) continues on the next kept line;
// - `key = value` splits on the first '='; both sides are trimmed; every non-alphanumeric
//   character of the key becomes '_';
// - lines without '=' are ignored, and so is everything after a "[section]" line;
// - the value loses an inline comment (StripInlineComment).
// Values keep their text: typing happens later, per property.
std::map<std::string, std::string> ParseConfText(std::string_view text);

// Kong's strip_comments: removes `\s*(?<!\\)#.*$` (the first '#' not preceded by '\', with the
// spaces before it), then turns every "\#" into "#".
std::string StripInlineComment(std::string_view value);

}  // namespace kong::conf

#endif  // KONG_CONF_CONF_TEXT_H_
