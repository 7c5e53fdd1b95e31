// YAML 1.1 <-> json::Value over libyaml, resolving plain scalars the way Kong's lyaml does.
#ifndef KONG_DECLARATIVE_YAML_H_
#define KONG_DECLARATIVE_YAML_H_

#include <string>
#include <string_view>

#include "json/value.h"
#include "kong/status.h"

namespace kong::declarative {

// Parses the first YAML document of `text` (an empty text is null). Plain scalars resolve as
// lyaml's implicit rules do: null/Null/NULL/~/empty -> null; true/yes/on and false/no/off (any
// of the three casings) -> bool; decimal, 0x hex, 0o/leading-0 octal, 0b binary (underscores
// allowed) -> int; decimals/exponents/.inf/.nan -> double (non-finite doubles become null).
// Quoted and block scalars stay strings, so `"3.0"` is a string while `3.0` is a number.
// Tags !!str, !!int, !!float, !!bool and !!null are honoured. Anchors, aliases and the `<<`
// merge key work. Mapping keys become strings; a mapping or sequence used as a key is an
// error. Errors are kInvalidArgument "invalid YAML at line L, column C: <problem>" (1-based).
Result<json::Value> ParseYaml(std::string_view text);

// Block-style YAML with a "---"-less header, keys in the value's order, sequences indented
// as kong.yml and decK write them ("- " under the key). Strings that would read back as
// another type (numbers, booleans, null words, "") are double-quoted; multi-line strings
// use literal blocks (PEM certificates). ParseYaml(EmitYaml(v)) == v for every value whose
// doubles are finite.
std::string EmitYaml(const json::Value& value);

}  // namespace kong::declarative

#endif  // KONG_DECLARATIVE_YAML_H_
