// Declarative text in and errors out: parser choice by extension, Kong's CLI error layout.
#include <algorithm>
#include <string>
#include <vector>

#include "base/text.h"
#include "declarative/declarative.h"
#include "declarative/yaml.h"

namespace kong::declarative {
namespace {

// kong/db/declarative/init.lua pretty_print_error: "in '<key>':" per level, array entries as
// "- in entry <n> of '<parent key>'" (1-based), two more spaces per level.
void PrettyLines(const json::Value& err, const std::string& item, const std::string& indent,
                 std::vector<std::string>& out) {
  auto emit = [&](const std::string& prettykey, const json::Value& v, const std::string& key) {
    if (v.is_array() || v.is_object()) {
      out.push_back(indent + prettykey + ":");
      PrettyLines(v, key, indent + "  ", out);
    } else {
      out.push_back(indent + prettykey + ": " +
                    (v.is_string() ? v.as_string() : json::Serialize(v)));
    }
  };
  if (err.is_array()) {
    const json::Array& a = err.as_array();
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].is_null()) continue;
      std::string n = std::to_string(i + 1);
      emit("- in entry " + n + " of '" + item + "'", a[i], n);
    }
  } else if (err.is_object()) {
    // Lua's pairs() has no order; sorted keys make the output stable.
    std::vector<const json::Member*> members;
    for (const auto& m : err.as_object()) members.push_back(&m);
    std::sort(members.begin(), members.end(),
              [](const json::Member* a, const json::Member* b) { return a->first < b->first; });
    for (const json::Member* m : members) emit("in '" + m->first + "'", m->second, m->first);
  }
}

}  // namespace

TextFormat FormatForPath(std::string_view path) {
  std::string lower = base::ToLower(path);
  if (base::EndsWith(lower, ".json")) return TextFormat::kJson;
  if (base::EndsWith(lower, ".yml") || base::EndsWith(lower, ".yaml")) return TextFormat::kYaml;
  return TextFormat::kAuto;
}

std::string PrettyError(const DeclarativeError& error) {
  if (error.parse_failure || !(error.fields.is_object() || error.fields.is_array())) {
    return error.message;
  }
  std::vector<std::string> lines;
  PrettyLines(error.fields, "", "", lines);
  return base::Join(lines, "\n");
}

Result<json::Value> ParseText(std::string_view text, TextFormat format, DeclarativeError* error) {
  if (format == TextFormat::kAuto) {
    std::string_view trimmed = base::Trim(text);
    format = !trimmed.empty() && trimmed.front() == '{' ? TextFormat::kJson : TextFormat::kYaml;
  }
  Result<json::Value> parsed = format == TextFormat::kJson ? json::Parse(text) : ParseYaml(text);
  std::string why;
  if (!parsed.ok()) {
    why = parsed.status().message();
  } else if (!parsed->is_object()) {
    why = "expected an object";  // lyaml gives a string or a list for such text
  } else {
    return parsed;
  }
  std::string message = "failed parsing declarative configuration: " + why;
  if (error) {
    error->message = message;
    error->fields = json::Value::EmptyObject();
    error->fields.Set("error", message);
    error->parse_failure = true;
  }
  return Status::InvalidArgument(message);
}

Result<json::Value> LoadDeclarative(std::string_view text, TextFormat hint,
                                    const schema::Catalog& catalog, DeclarativeError* error) {
  Result<json::Value> doc = ParseText(text, hint, error);
  if (!doc.ok()) return doc.status();
  return Flatten(*doc, catalog, error);
}

}  // namespace kong::declarative
