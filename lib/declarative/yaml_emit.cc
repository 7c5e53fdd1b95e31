// EmitYaml: json::Value to block YAML through libyaml's emitter (it picks safe quoting).
#include <yaml.h>

#include <cmath>
#include <string>

#include "declarative/yaml.h"
#include "declarative/yaml_scalar.h"

namespace kong::declarative {
namespace {

int AppendOutput(void* data, unsigned char* buffer, size_t size) noexcept {
  static_cast<std::string*>(data)->append(reinterpret_cast<const char*>(buffer), size);
  return 1;
}

yaml_char_t* Chars(const std::string& s) {
  return reinterpret_cast<yaml_char_t*>(const_cast<char*>(s.data()));
}

class Emitter {
 public:
  explicit Emitter(std::string* out) {
    ok_ = yaml_emitter_initialize(&emitter_) != 0;
    if (!ok_) return;
    yaml_emitter_set_output(&emitter_, AppendOutput, out);
    yaml_emitter_set_unicode(&emitter_, 1);
    yaml_emitter_set_indent(&emitter_, 2);
    yaml_emitter_set_width(&emitter_, -1);  // long values (PEM lines, regexes) stay on one line
  }
  ~Emitter() {
    if (ok_) yaml_emitter_delete(&emitter_);
  }
  Emitter(const Emitter&) = delete;
  Emitter& operator=(const Emitter&) = delete;

  bool Document(const json::Value& v) {
    yaml_event_t e;
    yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING);
    if (!Emit(&e)) return false;
    yaml_document_start_event_initialize(&e, nullptr, nullptr, nullptr, 1);
    if (!Emit(&e) || !Node(v)) return false;
    yaml_document_end_event_initialize(&e, 1);
    if (!Emit(&e)) return false;
    yaml_stream_end_event_initialize(&e);
    return Emit(&e) && yaml_emitter_flush(&emitter_) != 0;
  }

 private:
  bool Emit(yaml_event_t* e) { return ok_ && yaml_emitter_emit(&emitter_, e) != 0; }

  bool Scalar(const std::string& text, yaml_scalar_style_t style) {
    yaml_event_t e;
    yaml_scalar_event_initialize(&e, nullptr, nullptr, Chars(text), static_cast<int>(text.size()),
                                 style == YAML_ANY_SCALAR_STYLE || style == YAML_PLAIN_SCALAR_STYLE,
                                 1, style);
    return Emit(&e);
  }

  // Strings that a plain scalar would turn into another type are double-quoted, as lyaml's
  // dump does ("3.0", "true", ""); "<<" would read back as a merge key.
  bool String(const std::string& s) {
    if (!ResolvePlainScalar(s).is_string() || s == "<<") {
      return Scalar(s, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
    }
    if (s.find('\n') != std::string::npos) return Scalar(s, YAML_LITERAL_SCALAR_STYLE);
    return Scalar(s, YAML_ANY_SCALAR_STYLE);
  }

  bool Number(const json::Value& v) {
    if (v.is_int()) return Scalar(std::to_string(v.as_int()), YAML_PLAIN_SCALAR_STYLE);
    double d = v.as_double();
    if (std::isnan(d)) return Scalar(".nan", YAML_PLAIN_SCALAR_STYLE);
    if (std::isinf(d)) return Scalar(d > 0 ? ".inf" : "-.inf", YAML_PLAIN_SCALAR_STYLE);
    std::string text = json::Serialize(v);
    // Keep it a float on the way back: "2" would read as an integer.
    if (text.find_first_of(".eE") == std::string::npos) text += ".0";
    return Scalar(text, YAML_PLAIN_SCALAR_STYLE);
  }

  bool Node(const json::Value& v) {
    yaml_event_t e;
    switch (v.type()) {
      case json::Value::Type::kNull:
        return Scalar("null", YAML_PLAIN_SCALAR_STYLE);
      case json::Value::Type::kBool:
        return Scalar(v.as_bool() ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
      case json::Value::Type::kInt:
      case json::Value::Type::kDouble:
        return Number(v);
      case json::Value::Type::kString:
        return String(v.as_string());
      case json::Value::Type::kArray:
        yaml_sequence_start_event_initialize(&e, nullptr, nullptr, 1, YAML_BLOCK_SEQUENCE_STYLE);
        if (!Emit(&e)) return false;
        for (const auto& item : v.as_array()) {
          if (!Node(item)) return false;
        }
        yaml_sequence_end_event_initialize(&e);
        return Emit(&e);
      case json::Value::Type::kObject:
        yaml_mapping_start_event_initialize(&e, nullptr, nullptr, 1, YAML_BLOCK_MAPPING_STYLE);
        if (!Emit(&e)) return false;
        for (const auto& [key, item] : v.as_object()) {
          if (!String(key) || !Node(item)) return false;
        }
        yaml_mapping_end_event_initialize(&e);
        return Emit(&e);
    }
    return false;
  }

  yaml_emitter_t emitter_;
  bool ok_ = false;
};

}  // namespace

std::string EmitYaml(const json::Value& value) {
  std::string out;
  {
    Emitter emitter(&out);
    if (emitter.Document(value)) return out;
  }
  // libyaml refuses only text it cannot represent (invalid UTF-8). JSON is valid YAML, so
  // the caller still gets a document rather than nothing.
  return json::Serialize(value, {.sort_keys = false, .pretty = true}) + "\n";
}

}  // namespace kong::declarative
