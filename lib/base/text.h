// Text helpers shared by the parsers: trimming, splitting, case, joining.
#ifndef KONG_BASE_TEXT_H_
#define KONG_BASE_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

namespace kong::base {

std::string_view Trim(std::string_view s);
// Splits on `sep`, trims each item, drops empty items (Kong's array parsing).
std::vector<std::string> SplitTrimmed(std::string_view s, char sep);
std::string ToLower(std::string_view s);
std::string ToUpper(std::string_view s);
std::string Join(const std::vector<std::string>& items, std::string_view sep);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
// The value of a hex digit (0-9, a-f, A-F), or -1.
int HexDigitValue(char c);

// Calls fn(token) for each trimmed, non-empty item of a comma-separated header value, without
// allocating (Connection, TE, Accept-style lists).
template <typename Fn>
void ForEachListToken(std::string_view value, Fn&& fn) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    const std::string_view token = Trim(value.substr(0, comma));
    if (!token.empty()) fn(token);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace kong::base

#endif  // KONG_BASE_TEXT_H_
