// YAML 1.1 plain-scalar resolution, following lyaml's implicit.lua (what Kong reads kong.yml
// with): null words, the yes/no/on/off booleans, base-prefixed and sexagesimal integers.
#include "declarative/yaml_scalar.h"

#include <charconv>
#include <system_error>
#include <limits>
#include <string>

namespace kong::declarative {
namespace {

bool OneOf(std::string_view text, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words) {
    if (text == w) return true;
  }
  return false;
}

bool IsDigitIn(char c, int base) {
  if (base == 2) return c == '0' || c == '1';
  if (base == 8) return c >= '0' && c <= '7';
  if (base == 10) return c >= '0' && c <= '9';
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Digits of `base` with '_' separators (YAML 1.1); at least one digit. Values beyond int64
// come back as a double, as Lua numbers would.
std::optional<json::Value> DigitsValue(std::string_view digits, int base, bool negative) {
  bool any = false, overflow = false;
  uint64_t acc = 0;
  double approx = 0;  // used once the value no longer fits 64 bits
  for (char c : digits) {
    if (c == '_') continue;
    if (!IsDigitIn(c, base)) return std::nullopt;
    any = true;
    auto digit = static_cast<uint64_t>(DigitValue(c));
    approx = approx * base + static_cast<double>(digit);
    if (acc > (std::numeric_limits<uint64_t>::max() - digit) / static_cast<uint64_t>(base)) {
      overflow = true;
    }
    acc = acc * static_cast<uint64_t>(base) + digit;
  }
  if (!any) return std::nullopt;
  const auto max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (!overflow && !negative && acc <= max) return json::Value(static_cast<int64_t>(acc));
  if (!overflow && negative && acc <= max + 1) {
    return json::Value(acc == max + 1 ? std::numeric_limits<int64_t>::min()
                                      : -static_cast<int64_t>(acc));
  }
  return json::Value(negative ? -approx : approx);
}

// [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+  (base 60, e.g. "1:30" is 90).
std::optional<json::Value> SexagesimalValue(std::string_view body, bool negative) {
  size_t colon = body.find(':');
  if (colon == std::string_view::npos || colon == 0 || body[0] == '0') return std::nullopt;
  auto head = DigitsValue(body.substr(0, colon), 10, false);
  if (!head || !head->is_int()) return std::nullopt;
  int64_t acc = head->as_int();
  std::string_view rest = body.substr(colon + 1);
  while (true) {
    size_t next = rest.find(':');
    std::string_view part = rest.substr(0, next);
    if (part.empty() || part.size() > 2) return std::nullopt;
    for (char c : part) {
      if (c < '0' || c > '9') return std::nullopt;
    }
    int v = part.size() == 2 ? (part[0] - '0') * 10 + (part[1] - '0') : part[0] - '0';
    if (part.size() == 2 && part[0] > '5') return std::nullopt;
    if (acc > std::numeric_limits<int64_t>::max() / 60 - 60) return std::nullopt;
    acc = acc * 60 + v;
    if (next == std::string_view::npos) break;
    rest = rest.substr(next + 1);
  }
  return json::Value(negative ? -acc : acc);
}

}  // namespace

bool IsYamlNull(std::string_view text) {
  return OneOf(text, {"", "~", "null", "Null", "NULL"});
}

std::optional<json::Value> ParseYamlBool(std::string_view text) {
  if (OneOf(text, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})) {
    return json::Value(true);
  }
  if (OneOf(text, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})) {
    return json::Value(false);
  }
  return std::nullopt;
}

std::optional<json::Value> ParseYamlInt(std::string_view text) {
  bool negative = false;
  std::string_view body = text;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body.empty()) return std::nullopt;
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
    return DigitsValue(body.substr(2), 16, negative);
  }
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'b' || body[1] == 'B')) {
    return DigitsValue(body.substr(2), 2, negative);
  }
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'o' || body[1] == 'O')) {
    return DigitsValue(body.substr(2), 8, negative);
  }
  if (body.find(':') != std::string_view::npos) return SexagesimalValue(body, negative);
  if (body.size() > 1 && body[0] == '0') return DigitsValue(body.substr(1), 8, negative);
  if (body[0] == '_') return std::nullopt;
  return DigitsValue(body, 10, negative);
}

std::optional<json::Value> ParseYamlFloat(std::string_view text) {
  std::string_view body = text;
  bool negative = false;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (OneOf(body, {".inf", ".Inf", ".INF"})) {
    return json::Value(negative ? -std::numeric_limits<double>::infinity()
                                : std::numeric_limits<double>::infinity());
  }
  if (text == body && OneOf(body, {".nan", ".NaN", ".NAN"})) {
    return json::Value(std::numeric_limits<double>::quiet_NaN());
  }
  // ([0-9][0-9_]*)?(\.[0-9_]*)?([eE][-+]?[0-9]+)? with a digit and a '.' or an exponent.
  std::string digits(text.substr(0, text.size() - body.size()));
  size_t i = 0;
  bool mantissa_digit = false, dot = false, exponent = false;
  while (i < body.size() && ((body[i] >= '0' && body[i] <= '9') || body[i] == '_')) {
    if (body[i] != '_') { digits += body[i]; mantissa_digit = true; }
    ++i;
  }
  if (i < body.size() && body[i] == '.') {
    dot = true;
    digits += '.';
    ++i;
    while (i < body.size() && ((body[i] >= '0' && body[i] <= '9') || body[i] == '_')) {
      if (body[i] != '_') { digits += body[i]; mantissa_digit = true; }
      ++i;
    }
  }
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    exponent = true;
    digits += 'e';
    ++i;
    if (i < body.size() && (body[i] == '-' || body[i] == '+')) digits += body[i++];
    size_t start = i;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') digits += body[i++];
    if (i == start) return std::nullopt;
  }
  if (i != body.size() || !mantissa_digit || !(dot || exponent)) return std::nullopt;
  // `digits` is the text without '_' (and without a '+', which from_chars refuses);
  // from_chars, unlike strtod, ignores the locale. Out-of-range values come back as inf.
  if (!digits.empty() && digits[0] == '+') digits.erase(0, 1);
  double d = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
  if (ec == std::errc::result_out_of_range) {  // 1e400 overflows to inf, 1e-400 to 0
    bool tiny = digits.find("e-") != std::string::npos;
    d = tiny ? 0.0 : std::numeric_limits<double>::infinity();
    if (digits[0] == '-') d = -d;
  }
  (void)end;
  return json::Value(d);
}

json::Value ResolvePlainScalar(std::string_view text) {
  if (IsYamlNull(text)) return json::Value();
  if (auto b = ParseYamlBool(text)) return *b;
  if (auto i = ParseYamlInt(text)) return *i;
  if (auto f = ParseYamlFloat(text)) return *f;
  return json::Value(text);
}

}  // namespace kong::declarative
