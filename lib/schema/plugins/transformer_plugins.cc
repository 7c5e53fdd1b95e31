// request-transformer and response-transformer: config schemas and priorities.
#include <string>

#include "schema/lua_pattern.h"
#include "schema/plugins/bundled.h"
#include "schema/plugins/plugin_fields.h"
#include "schema/typedefs.h"

namespace kong::schema {
namespace {

using plugin_fields::EmptyDefaultArray;

// request-transformer check_for_value: "name:value" with a non-empty value. (Kong also
// compiles the value as a pl.template; template errors surface at request time here.)
std::optional<std::string> CheckForValue(const std::string& entry) {
  size_t colon = entry.find(':');
  std::string name = entry.substr(0, colon);
  size_t value_start = colon == std::string::npos ? entry.size() : colon;
  while (value_start < entry.size() && entry[value_start] == ':') ++value_start;
  if (name.empty() || value_start >= entry.size()) return "key '" + name + "' has no value";
  return std::nullopt;
}

// The header name of a "name" or "name:value" entry, checked as typedefs.header_name.
std::optional<std::string> ValidateHeaderPart(const std::string& entry, bool with_value) {
  std::string name = with_value ? entry.substr(0, entry.find(':')) : entry;
  Field header = typedefs::HeaderName();
  if (header.custom_validator) {
    if (auto err = header.custom_validator(json::Value(name))) return err;
  }
  return with_value ? CheckForValue(entry) : std::nullopt;
}

Field StringElement(std::function<std::optional<std::string>(const std::string&)> check,
                    const char* match = nullptr) {
  Field f = StringField();
  if (match != nullptr) f.match = match;
  f.custom_validator = [check = std::move(check)](const json::Value& v) -> std::optional<std::string> {
    return v.is_string() ? check(v.as_string()) : std::nullopt;
  };
  return f;
}

// remove: plain names; rename, replace, add, append: "name:value" (rename: "old:new").
Field RequestRecord(bool colon, bool with_uri) {
  Field body = colon ? EmptyDefaultArray(StringElement(CheckForValue)) : EmptyDefaultArray();
  Field headers = EmptyDefaultArray(StringElement(
      [colon](const std::string& e) { return ValidateHeaderPart(e, colon); },
      colon ? "^[^:]+:.*$" : nullptr));
  std::vector<NamedField> fields{{"body", body}, {"headers", headers}, {"querystring", body}};
  if (with_uri) fields.push_back({"uri", StringField()});
  return RecordOf(std::move(fields));
}

Field ColonStrings() {
  Field element = StringField();
  element.match = "^[^:]+:.*$";
  return EmptyDefaultArray(element);
}

Field ResponseColonRecord() {
  Field json_type = StringField();
  json_type.one_of = StringValues({"boolean", "number", "string"});
  return RecordOf({
      {"json", ColonStrings()},
      {"json_types", EmptyDefaultArray(json_type)},
      {"headers", ColonStrings()},
  });
}

}  // namespace

PluginSchema RequestTransformerPlugin() {
  PluginSchema p;
  p.name = "request-transformer";
  p.priority = 801;
  p.config = {
      {"http_method", typedefs::HttpMethod()},
      {"remove", RequestRecord(false, false)},
      {"rename", RequestRecord(true, false)},
      {"replace", RequestRecord(true, true)},
      {"add", RequestRecord(true, false)},
      {"append", RequestRecord(true, false)},
  };
  return p;
}

PluginSchema ResponseTransformerPlugin() {
  PluginSchema p;
  p.name = "response-transformer";
  p.priority = 800;
  p.config = {
      {"remove", RecordOf({{"json", EmptyDefaultArray()}, {"headers", EmptyDefaultArray()}})},
      {"rename", RecordOf({{"headers", ColonStrings()}, {"json", ColonStrings()}})},
      {"replace", ResponseColonRecord()},
      {"add", ResponseColonRecord()},
      {"append", ResponseColonRecord()},
  };
  return p;
}

}  // namespace kong::schema
