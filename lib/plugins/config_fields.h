// Reading a plugin's `config` record in a factory. The CP fills Kong's schema defaults in, but
// a DP must not trust that: a missing or null field reads as absent and the caller supplies
// Kong's default.
#ifndef KONG_PLUGINS_CONFIG_FIELDS_H_
#define KONG_PLUGINS_CONFIG_FIELDS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json/value.h"

namespace kong::plugins::config {

// The field's value, or null when `config` is null, not an object, or lacks a non-null `key`.
const json::Value* Field(const json::Value* config, std::string_view key);

bool Bool(const json::Value* config, std::string_view key, bool fallback);
std::optional<std::string> String(const json::Value* config, std::string_view key);
std::optional<double> Number(const json::Value* config, std::string_view key);
// The string elements of an array field; nullopt when the field is absent or null.
std::optional<std::vector<std::string>> Strings(const json::Value* config, std::string_view key);

// "a,b,c": Lua's table.concat(list, sep).
std::string Join(const std::vector<std::string>& list, std::string_view separator);

}  // namespace kong::plugins::config

#endif  // KONG_PLUGINS_CONFIG_FIELDS_H_
