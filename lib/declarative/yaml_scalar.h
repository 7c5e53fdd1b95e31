// YAML 1.1 plain-scalar resolution (lyaml's implicit rules), shared by the parser and emitter.
#ifndef KONG_DECLARATIVE_YAML_SCALAR_H_
#define KONG_DECLARATIVE_YAML_SCALAR_H_

#include <optional>
#include <string_view>

#include "json/value.h"

namespace kong::declarative {

// The value a plain (unquoted, untagged) scalar denotes: null, bool, int, double or string.
json::Value ResolvePlainScalar(std::string_view text);

// Typed readings for explicit tags (!!int, !!float, !!bool, !!null); nullopt when `text`
// is not of that type.
std::optional<json::Value> ParseYamlInt(std::string_view text);
std::optional<json::Value> ParseYamlFloat(std::string_view text);
std::optional<json::Value> ParseYamlBool(std::string_view text);
bool IsYamlNull(std::string_view text);

}  // namespace kong::declarative

#endif  // KONG_DECLARATIVE_YAML_SCALAR_H_
