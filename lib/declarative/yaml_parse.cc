// ParseYaml: libyaml's event stream folded into a json::Value tree (anchors, aliases, `<<`).
#include <yaml.h>

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "declarative/yaml.h"
#include "base/macros.h"
#include "declarative/yaml_scalar.h"

namespace kong::declarative {
namespace {

constexpr size_t kMaxDepth = 256;
// Aliases copy their anchor's value, so a few lines can expand exponentially ("billion
// laughs"); stop well before memory runs out.
constexpr size_t kMaxNodes = 20'000'000;

size_t CountNodes(const json::Value& v) {
  size_t n = 1;
  if (v.is_array()) {
    for (const auto& e : v.as_array()) n += CountNodes(e);
  } else if (v.is_object()) {
    for (const auto& [k, e] : v.as_object()) n += CountNodes(e);
  }
  return n;
}

std::string Str(const yaml_char_t* s) { return s ? reinterpret_cast<const char*>(s) : ""; }

std::string At(const yaml_mark_t& mark) {
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

Status YamlError(const yaml_mark_t& mark, const std::string& problem) {
  return Status::InvalidArgument("invalid YAML at " + At(mark) + ": " + problem);
}

struct Frame {
  json::Value value;
  std::string anchor;
  std::optional<std::string> key;  // mapping frames: the key awaiting its value
  bool key_is_merge = false;
};

// A scalar as a value plus, for use as a mapping key, its text.
struct Node {
  json::Value value;
  std::optional<std::string> key_text;  // nullopt: not usable as a key
  bool merge_key = false;               // the plain scalar "<<"
};

Result<json::Value> TaggedScalar(const std::string& tag, const std::string& text,
                                 const yaml_mark_t& mark) {
  const std::string prefix = "tag:yaml.org,2002:";
  std::string t = tag.rfind(prefix, 0) == 0 ? tag.substr(prefix.size()) : tag;
  std::optional<json::Value> v;
  if (t == "str") return json::Value(text);
  if (t == "int") v = ParseYamlInt(text);
  else if (t == "float") v = ParseYamlFloat(text);
  else if (t == "bool") v = ParseYamlBool(text);
  else if (t == "null") v = IsYamlNull(text) ? std::optional<json::Value>(json::Value()) : std::nullopt;
  else return ResolvePlainScalar(text);  // unknown tags: read as if untagged
  if (!v && t == "float") v = ParseYamlInt(text);
  if (!v) return YamlError(mark, "'" + text + "' is not a valid !!" + t);
  return std::move(*v);
}

class TreeBuilder {
 public:
  // Folds one event into the tree; sets *done at the end of the first document (lyaml's
  // load reads only that one).
  Status OnEvent(const yaml_event_t& e, bool* done) {
    switch (e.type) {
      case YAML_SCALAR_EVENT: {
        std::string text(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
        std::string tag = Str(e.data.scalar.tag);
        Node node;
        bool plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (!tag.empty() && tag != "!") {
          KONG_ASSIGN_OR_RETURN(node.value, TaggedScalar(tag, text, e.start_mark));
        } else if (plain && tag.empty()) {
          node.value = ResolvePlainScalar(text);
          node.merge_key = text == "<<";
        } else {
          node.value = json::Value(text);
        }
        if (node.value.type() == json::Value::Type::kDouble && !std::isfinite(node.value.as_double())) {
          node.value = json::Value();
        }
        node.key_text = text;
        if (e.data.scalar.anchor) Remember(Str(e.data.scalar.anchor), node.value);
        return Add(std::move(node), e.start_mark);
      }
      case YAML_ALIAS_EVENT: {
        auto it = anchors_.find(Str(e.data.alias.anchor));
        if (it == anchors_.end()) {
          return YamlError(e.start_mark, "unknown anchor '" + Str(e.data.alias.anchor) + "'");
        }
        nodes_ += it->second.nodes;
        if (nodes_ > kMaxNodes) return YamlError(e.start_mark, "too many nodes from aliases");
        Node node{it->second.value, std::nullopt, false};
        if (node.value.is_string()) node.key_text = node.value.as_string();
        return Add(std::move(node), e.start_mark);
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        if (stack_.size() >= kMaxDepth) return YamlError(e.start_mark, "nesting too deep");
        Frame f;
        bool seq = e.type == YAML_SEQUENCE_START_EVENT;
        f.value = seq ? json::Value::EmptyArray() : json::Value::EmptyObject();
        f.anchor = Str(seq ? e.data.sequence_start.anchor : e.data.mapping_start.anchor);
        stack_.push_back(std::move(f));
        return Status::Ok();
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: {
        Frame f = std::move(stack_.back());
        stack_.pop_back();
        if (!f.anchor.empty()) Remember(f.anchor, f.value);
        return Add(Node{std::move(f.value), std::nullopt, false}, e.start_mark);
      }
      case YAML_DOCUMENT_END_EVENT:
        *done = true;
        return Status::Ok();
      default:
        return Status::Ok();
    }
  }

  json::Value TakeRoot() { return std::move(root_); }

 private:
  struct Anchor {
    json::Value value;
    size_t nodes;
  };

  void Remember(const std::string& name, const json::Value& v) {
    anchors_[name] = Anchor{v, CountNodes(v)};
  }

  Status Add(Node node, const yaml_mark_t& mark) {
    ++nodes_;
    if (nodes_ > kMaxNodes) return YamlError(mark, "too many nodes");
    if (stack_.empty()) {
      root_ = std::move(node.value);
      return Status::Ok();
    }
    Frame& top = stack_.back();
    if (top.value.is_array()) {
      top.value.as_array().push_back(std::move(node.value));
      return Status::Ok();
    }
    if (!top.key) {
      if (!node.key_text) return YamlError(mark, "a mapping key must be a scalar");
      top.key = std::move(*node.key_text);
      top.key_is_merge = node.merge_key;
      return Status::Ok();
    }
    if (top.key_is_merge) {
      KONG_RETURN_IF_ERROR(Merge(top.value, node.value, mark));
    } else {
      top.value.Set(*top.key, std::move(node.value));
    }
    top.key.reset();
    top.key_is_merge = false;
    return Status::Ok();
  }

  // YAML's merge key: members of the merged mapping(s) the target does not have yet.
  static Status Merge(json::Value& target, const json::Value& source, const yaml_mark_t& mark) {
    if (source.is_object()) {
      for (const auto& [k, v] : source.as_object()) {
        if (!target.Find(k)) target.Set(k, v);
      }
      return Status::Ok();
    }
    if (source.is_array()) {
      for (const auto& item : source.as_array()) {
        if (!item.is_object()) return YamlError(mark, "'<<' expects a mapping or a list of mappings");
        KONG_RETURN_IF_ERROR(Merge(target, item, mark));
      }
      return Status::Ok();
    }
    return YamlError(mark, "'<<' expects a mapping or a list of mappings");
  }

  std::vector<Frame> stack_;
  std::map<std::string, Anchor> anchors_;
  json::Value root_;
  size_t nodes_ = 0;
};

}  // namespace

Result<json::Value> ParseYaml(std::string_view text) {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return Status::Internal("yaml parser: out of memory");
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  TreeBuilder builder;
  Status status;
  bool done = false;
  while (!done) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser, &event)) {
      std::string problem = parser.problem ? parser.problem : "unknown error";
      if (parser.context) {
        problem += " (" + std::string(parser.context) + " at " + At(parser.context_mark) + ")";
      }
      status = YamlError(parser.problem_mark, problem);
      break;
    }
    bool end = event.type == YAML_STREAM_END_EVENT;
    status = builder.OnEvent(event, &done);
    yaml_event_delete(&event);
    if (!status.ok() || end) break;
  }
  yaml_parser_delete(&parser);
  if (!status.ok()) return status;
  return builder.TakeRoot();
}

}  // namespace kong::declarative
