// Small helpers shared by the engine files: dotted paths, emptiness, Lua-style formatting.
#include <cmath>
#include <cstdio>

#include "schema/engine.h"

namespace kong::schema::internal {

const Field* View::Resolve(std::string_view name) const {
  if (sub != nullptr) {
    if (const Field* f = sub->Find(name)) return f;
  }
  return base != nullptr ? base->Find(name) : nullptr;
}

const json::Value* GetPath(const json::Value& v, std::string_view dotted) {
  const json::Value* cur = &v;
  while (true) {
    if (!cur->is_object()) return nullptr;
    size_t dot = dotted.find('.');
    const json::Value* next = cur->Find(dotted.substr(0, dot));
    if (next == nullptr || dot == std::string_view::npos) return next;
    cur = next;
    dotted = dotted.substr(dot + 1);
  }
}

void SetPath(json::Value& v, std::string_view dotted, json::Value value) {
  json::Value* cur = &v;
  while (true) {
    if (!cur->is_object()) *cur = json::Value::EmptyObject();
    size_t dot = dotted.find('.');
    if (dot == std::string_view::npos) {
      cur->Set(dotted, std::move(value));
      return;
    }
    std::string_view head = dotted.substr(0, dot);
    json::Value* next = cur->Find(head);
    if (next == nullptr || !next->is_object()) next = &cur->Set(head, json::Value::EmptyObject());
    cur = next;
    dotted = dotted.substr(dot + 1);
  }
}

bool IsNonEmpty(const json::Value* v) {
  if (v == nullptr || v->is_null()) return false;
  if (v->is_string()) return !v->as_string().empty();
  if (v->is_array()) return !v->as_array().empty();
  if (v->is_object()) return !v->as_object().empty();
  return true;
}

std::string QuotedList(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += ", ";
    out += "'" + words[i] + "'";
  }
  return out;
}

std::string LuaToString(const json::Value& v) {
  switch (v.type()) {
    case json::Value::Type::kNull: return "null";
    case json::Value::Type::kBool: return v.as_bool() ? "true" : "false";
    case json::Value::Type::kInt: return std::to_string(v.as_int());
    case json::Value::Type::kDouble: {
      double d = v.as_double();
      if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
      if (std::isnan(d)) return "nan";
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.14g", d);
      return buf;
    }
    case json::Value::Type::kString: return v.as_string();
    case json::Value::Type::kArray:
    case json::Value::Type::kObject: return "table";
  }
  return "";
}

std::string FormatOne(std::string_view fmt, std::string_view arg) {
  size_t pos = fmt.find("%s");
  if (pos == std::string_view::npos) return std::string(fmt);
  std::string out(fmt.substr(0, pos));
  out += arg;
  out += fmt.substr(pos + 2);
  return out;
}

void AddEntityError(json::Value& errors, std::string message) {
  json::Value* list = errors.Find("@entity");
  if (list == nullptr || !list->is_array()) list = &errors.Set("@entity", json::Value::EmptyArray());
  list->as_array().emplace_back(std::move(message));
}

}  // namespace kong::schema::internal
