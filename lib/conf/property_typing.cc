// Typing raw kong.conf text into values, as Kong's parse_value and check_and_parse head do.
#include <charconv>
#include <cmath>

#include "base/text.h"
#include "conf/properties.h"

namespace kong::conf {
namespace {

std::string JoinEnum(std::span<const std::string_view> values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += values[i];
  }
  return out;
}

std::optional<double> ParseHex(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return std::nullopt;
  s.remove_prefix(2);
  double n = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return std::nullopt;
    n = n * 16 + d;
  }
  return negative ? -n : n;
}

}  // namespace

std::optional<double> ParseLuaNumber(std::string_view text) {
  std::string_view s = base::Trim(text);
  if (s.empty()) return std::nullopt;
  if (auto hex = ParseHex(s)) return hex;
  std::string_view digits = s;
  // from_chars takes no leading '+', Lua's tonumber does (once).
  if (digits[0] == '+') {
    digits.remove_prefix(1);
    if (digits.empty() || digits[0] == '+' || digits[0] == '-') return std::nullopt;
  }
  double n = 0;
  auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), n, std::chars_format::general);
  if (ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(n)) {
    return std::nullopt;
  }
  return n;
}

std::string FormatLuaNumber(double n) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n, std::chars_format::general, 14);
  if (ec != std::errc()) return "0";
  return std::string(buf, end);
}

std::string CanonicalText(const Value& v) {
  if (!v.set) return "";
  switch (v.type) {
    case PropType::kNumber:
      return FormatLuaNumber(v.number);
    case PropType::kBoolean:
    case PropType::kNgxBoolean:
      return v.boolean ? "on" : "off";
    case PropType::kArray:
      return base::Join(v.list, ", ");
    case PropType::kString:
      return v.text;
  }
  return v.text;
}

Value TypeValue(const PropertyDef& def, const std::optional<std::string>& raw,
                std::vector<std::string>& errors) {
  Value v;
  v.type = def.type;
  std::string text(raw ? base::Trim(*raw) : std::string_view());
  // NONE means unset wherever it is written (Kong only maps it in its defaults).
  if (text == "NONE") text.clear();
  const std::string shown = def.secret ? std::string("******") : text;
  switch (def.type) {
    case PropType::kBoolean:
      v.set = true;
      v.boolean = text == "on" || text == "true";
      break;
    case PropType::kNgxBoolean:
      // Kong: ("on" or true) -> "on", anything else "off"; the text "true" is not "on".
      v.set = true;
      v.boolean = text == "on";
      break;
    case PropType::kNumber:
      if (text.empty()) break;
      if (auto n = ParseLuaNumber(text)) {
        v.set = true;
        v.number = *n;
      } else {
        errors.push_back(std::string(def.name) + " is not a number: '" + shown + "'");
      }
      break;
    case PropType::kArray:
      v.list = base::SplitTrimmed(text, ',');
      v.set = !v.list.empty();
      break;
    case PropType::kString:
      v.text = text;
      v.set = !text.empty();
      if (!def.enum_values.empty()) {
        bool found = false;
        for (std::string_view e : def.enum_values) found = found || e == text;
        if (!found) {
          errors.push_back(std::string(def.name) + " has an invalid value: '" + shown + "' (" +
                           JoinEnum(def.enum_values) + ")");
          v.set = false;
        }
      }
      break;
  }
  return v;
}

}  // namespace kong::conf
