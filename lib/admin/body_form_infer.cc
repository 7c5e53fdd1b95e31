// Schema type inference of decoded form arguments (arguments.lua infer / infer_value) and
// Lua's tonumber for strings.
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "admin/body_form_args.h"

namespace kong::admin {
namespace {

void InferValue(json::Value& value, const schema::Field* field);

// A record's (or schema's) fields, each inferred when present.
void InferRecord(json::Value& object, const schema::Record& record) {
  if (!object.is_object()) return;
  for (auto& [key, v] : object.as_object()) {
    if (const schema::Field* f = record.Find(key)) InferValue(v, f);
  }
}

void InferValue(json::Value& value, const schema::Field* field) {
  using schema::FieldType;
  if (field == nullptr || value.is_null()) return;
  if (value.is_string() && value.as_string().empty()) {
    value = json::Value();  // Kong: an empty form value means null
    return;
  }
  switch (field->type) {
    case FieldType::kInteger:
    case FieldType::kNumber:
      if (value.is_string()) {
        if (std::optional<json::Value> n = LuaToNumber(value.as_string())) value = *n;
      }
      return;
    case FieldType::kBoolean:
      if (value.is_string() && value.as_string() == "true") value = json::Value(true);
      if (value.is_string() && value.as_string() == "false") value = json::Value(false);
      return;
    case FieldType::kArray:
    case FieldType::kSet:
      if (value.is_object() && value.as_object().empty()) {
        value = json::Value::EmptyArray();  // a Lua {} is an empty array as well
      } else if (!value.is_array() && !value.is_object()) {
        json::Array one;
        one.push_back(std::move(value));
        value = json::Value(std::move(one));
      }
      if (value.is_array()) {
        for (json::Value& item : value.as_array()) InferValue(item, field->elements.get());
      }
      return;
    case FieldType::kForeign:
      // Kong infers with the referenced schema; its key fields (id, name, username) are
      // strings, so only the empty-string rule can apply.
      if (value.is_object()) {
        for (auto& [key, v] : value.as_object()) {
          if (v.is_string() && v.as_string().empty()) v = json::Value();
        }
      }
      return;
    case FieldType::kMap:
      if (value.is_object()) {
        for (auto& [key, v] : value.as_object()) InferValue(v, field->values.get());
      }
      return;
    case FieldType::kRecord:
      if (!field->abstract && field->record) InferRecord(value, *field->record);
      return;
    default:
      return;
  }
}

}  // namespace

std::optional<json::Value> LuaToNumber(std::string_view text) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  std::string_view digits = text;
  bool negative = false;
  if (digits.front() == '-' || digits.front() == '+') {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    double v = 0;
    for (char c : digits.substr(2)) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
      v = v * 16 + (std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                                                               : (std::tolower(c) - 'a' + 10));
    }
    if (negative) v = -v;
    if (std::fabs(v) < 9007199254740992.0) return json::Value(static_cast<int64_t>(v));
    return json::Value(v);
  }
  // Only decimal syntax: strtod would also take "inf", "nan" and hex floats.
  bool has_digit = false;
  for (char c : digits) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      has_digit = true;
    } else if (c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') {
      return std::nullopt;
    }
  }
  if (!has_digit) return std::nullopt;
  std::string s(text);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) {
    return json::Value(static_cast<int64_t>(v));
  }
  return json::Value(v);
}

void InferFormTypes(json::Value& args, const schema::EntitySchema* schema) {
  if (schema == nullptr || !args.is_object()) return;
  // Schema:each_field(values): a field the selected subschema redefines (plugins' config)
  // is inferred with the subschema's definition.
  std::shared_ptr<const schema::Subschema> sub;
  if (!schema->subschema_key.empty() && schema->find_subschema) {
    const json::Value* key = args.Find(schema->subschema_key);
    if (key != nullptr && key->is_string()) sub = schema->find_subschema(key->as_string());
  }
  for (const schema::NamedField& nf : schema->fields) {
    json::Value* value = args.Find(nf.name);
    if (value == nullptr) continue;
    const schema::Field* field = &nf.field;
    if (sub) {
      if (const schema::Field* specialized = sub->Find(nf.name)) field = specialized;
    }
    InferValue(*value, field);
  }
}

}  // namespace kong::admin
