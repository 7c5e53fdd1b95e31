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

}  // namespace kong::base

#endif  // KONG_BASE_TEXT_H_
