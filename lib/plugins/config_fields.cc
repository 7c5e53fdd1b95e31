// Typed reads of a plugin's config record, tolerant of missing fields.
#include "plugins/config_fields.h"

namespace kong::plugins::config {

const json::Value* Field(const json::Value* config, std::string_view key) {
  if (config == nullptr) return nullptr;
  const json::Value* v = config->Find(key);
  return (v == nullptr || v->is_null()) ? nullptr : v;
}

bool Bool(const json::Value* config, std::string_view key, bool fallback) {
  const json::Value* v = Field(config, key);
  return (v != nullptr && v->is_bool()) ? v->as_bool() : fallback;
}

std::optional<std::string> String(const json::Value* config, std::string_view key) {
  const json::Value* v = Field(config, key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->as_string();
}

std::optional<double> Number(const json::Value* config, std::string_view key) {
  const json::Value* v = Field(config, key);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return v->as_double();
}

std::optional<std::vector<std::string>> Strings(const json::Value* config, std::string_view key) {
  const json::Value* v = Field(config, key);
  if (v == nullptr || !v->is_array()) return std::nullopt;
  std::vector<std::string> out;
  out.reserve(v->as_array().size());
  for (const json::Value& item : v->as_array()) {
    if (item.is_string()) out.push_back(item.as_string());
  }
  return out;
}

std::string Join(const std::vector<std::string>& list, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += separator;
    out += list[i];
  }
  return out;
}

}  // namespace kong::plugins::config
