// The kong.conf properties this library knows, their types and values once typed.
#ifndef KONG_CONF_PROPERTIES_H_
#define KONG_CONF_PROPERTIES_H_

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kong::conf {

// Kong's `typ` values (conf_loader/constants.lua CONF_PARSERS); enums are strings.
enum class PropType { kString, kNumber, kBoolean, kNgxBoolean, kArray };

// Kong's name for a type, as it appears in "<key> is not a <type>: '<value>'".
std::string_view TypeName(PropType type);

struct PropertyDef {
  std::string_view name;
  // Kong's default text; "NONE" means unset.
  std::string_view default_value;
  PropType type = PropType::kString;
  // Allowed values, in the order Kong lists them in its error message; empty = any.
  std::span<const std::string_view> enum_values;
  // Redacted in Entries(true) (Kong's CONF_SENSITIVE).
  bool secret = false;
};

// Every known property, sorted by name.
std::span<const PropertyDef> Properties();
// nullptr when `name` is not a known property.
const PropertyDef* FindProperty(std::string_view name);

// True for keys Kong passes through to nginx or plugins by prefix (nginx_http_*, vault_*...):
// accepted and kept as strings although not in the table.
bool IsDynamicKey(std::string_view name);

// One property after typing (Kong's parse_value).
struct Value {
  PropType type = PropType::kString;
  bool set = false;  // false: NONE, empty or failed typing
  std::string text;  // strings, enums and dynamic keys
  double number = 0;
  bool boolean = false;
  std::vector<std::string> list;
};

using ValueMap = std::map<std::string, Value, std::less<>>;

// Types `raw` (already merged from defaults, file, env and overrides; nullopt = absent) for
// `def`. Appends Kong's type or enum error to `errors`.
Value TypeValue(const PropertyDef& def, const std::optional<std::string>& raw,
                std::vector<std::string>& errors);

// Lua's tonumber() on a whole string: decimal, exponent or 0x hex, surrounding spaces allowed;
// no inf or nan.
std::optional<double> ParseLuaNumber(std::string_view text);
// Lua's tostring() of a number ("%.14g"): 16777216, 0.5, 1e+20.
std::string FormatLuaNumber(double n);

// The canonical text of a value: numbers as Lua prints them, booleans "on"/"off", lists
// joined by ", "; "" when unset.
std::string CanonicalText(const Value& v);

}  // namespace kong::conf

#endif  // KONG_CONF_PROPERTIES_H_
