// Form bodies as Kong reads them: urlencoded and multipart parsing (ngx get_post_args,
// resty.upload), argument-name decoding into nested tables (kong/api/arguments_decoder.lua)
// and schema type inference of the string values (kong/api/arguments.lua infer).
#ifndef KONG_ADMIN_BODY_FORM_ARGS_H_
#define KONG_ADMIN_BODY_FORM_ARGS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json/value.h"
#include "schema/field.h"

namespace kong::admin {

// One argument name with its values in arrival order. A value is a string, or `true` for a
// urlencoded key without '=' (as ngx.req.get_post_args gives).
struct FormArgument {
  std::string name;
  std::vector<json::Value> values;
};

// "a=1&b=%20x+y&a=2&flag": keys and values percent-decoded, '+' as space, repeated names
// grouped in order of first appearance, empty names dropped.
std::vector<FormArgument> ParseUrlEncodedForm(std::string_view body);

// multipart/form-data with the boundary from `content_type` (found after
// "multipart/form-data;", quotes removed). Each named part becomes a string value (file
// names are ignored, like Kong's part.content); unnamed parts are dropped. nullopt when the
// boundary is missing or the body is not well-formed multipart.
std::optional<std::vector<FormArgument>> ParseMultipartForm(std::string_view content_type,
                                                            std::string_view body);

// Kong's argument decoding, into a JSON object:
//   "hosts[]=a&hosts[]=b", "hosts=a&hosts=b" -> {"hosts":["a","b"]}
//   "hosts[2]=b&hosts[1]=a"                  -> {"hosts":["a","b"]}
//   "config.minute=5", "service.id=x"         -> {"config":{"minute":"5"}}, {"service":{"id":"x"}}
//   "headers[x-foo]=bar" -> {"headers":{"x-foo":"bar"}} (only when `allow_maps`: Kong allows
//                           map syntax on POST/PUT/PATCH)
// Names starting or ending with '.' are kept whole. Lua tables with only positive integer keys
// become arrays (holes closed up), others objects.
json::Value DecodeFormArguments(const std::vector<FormArgument>& args, bool allow_maps);

// Converts the decoded strings to `schema`'s field types in place (arguments.lua
// infer/infer_value): "" -> null; numbers and integers via Lua's tonumber (unchanged when not
// numeric); "true"/"false" -> booleans; a scalar for an array or set field -> a one-element
// array, elements inferred; map values; record fields; foreign keys' members ("" -> null).
// With a subschema key (plugins' "name"), fields the subschema redefines (the plugin's
// `config` record) are inferred with the subschema's definition. Null schema: no change.
void InferFormTypes(json::Value& args, const schema::EntitySchema* schema);

// Lua's tonumber() on a string: surrounding spaces, decimal, exponent and 0x hex forms.
// Integral values come back as integers (cjson writes them so).
std::optional<json::Value> LuaToNumber(std::string_view text);

}  // namespace kong::admin

#endif  // KONG_ADMIN_BODY_FORM_ARGS_H_
