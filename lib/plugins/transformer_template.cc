// Template: compiling and rendering request-transformer's $( ) values.
#include "plugins/transformer_template.h"

#include <cctype>

namespace kong::plugins {
namespace {

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// A recursive-descent reader of one $( ) expression. Sets `error` and returns false on the
// first thing outside the supported subset.
class ExpressionParser {
 public:
  explicit ExpressionParser(std::string_view text) : text_(text) {}

  bool Parse(std::vector<Template::Operand>* operands, std::string* error) {
    for (;;) {
      Template::Operand operand;
      if (!ParseOperand(&operand, error)) return false;
      operands->push_back(std::move(operand));
      SkipSpace();
      if (pos_ == text_.size()) return true;
      std::string word = ReadName();
      if (word != "or") {
        *error = "unsupported expression '" + std::string(text_) + "'";
        return false;
      }
    }
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  std::string ReadName() {
    SkipSpace();
    size_t start = pos_;
    if (pos_ < text_.size() && IsNameStart(text_[pos_])) {
      while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }
  // A Lua short string: '...' or "..." with the common backslash escapes.
  bool ReadString(std::string* out) {
    const char quote = text_[pos_++];
    while (pos_ < text_.size() && text_[pos_] != quote) {
      char c = text_[pos_++];
      if (c == '\\' && pos_ < text_.size()) {
        c = text_[pos_++];
        if (c == 'n') c = '\n';
        if (c == 't') c = '\t';
      }
      out->push_back(c);
    }
    if (pos_ == text_.size()) return false;
    ++pos_;
    return true;
  }
  bool Fail(std::string* error) {
    *error = "unsupported expression '" + std::string(text_) + "'";
    return false;
  }

  bool ParseOperand(Template::Operand* operand, std::string* error) {
    SkipSpace();
    if (pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\'')) {
      operand->literal.emplace();
      if (!ReadString(&*operand->literal)) return Fail(error);
      return true;
    }
    operand->root = ReadName();
    if (operand->root.empty() || operand->root == "or") return Fail(error);
    for (;;) {
      SkipSpace();
      if (pos_ == text_.size()) return true;
      Template::Step step;
      if (text_[pos_] == '.') {
        ++pos_;
        step.key = ReadName();
        if (step.key.empty()) return Fail(error);
      } else if (text_[pos_] == '[') {
        ++pos_;
        SkipSpace();
        if (pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\'')) {
          if (!ReadString(&step.key)) return Fail(error);
        } else {
          size_t start = pos_;
          while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
          if (start == pos_ || pos_ - start > 9) return Fail(error);
          step.number = std::stol(std::string(text_.substr(start, pos_ - start)));
        }
        SkipSpace();
        if (pos_ == text_.size() || text_[pos_] != ']') return Fail(error);
        ++pos_;
      } else {
        return true;  // `or` or garbage: the caller decides
      }
      operand->steps.push_back(std::move(step));
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// A value met while evaluating: nil, a string, or one of the env's tables.
enum class Kind { kNil, kString, kHeaders, kQuery, kCaptures, kEmptyTable };
struct Evaluated {
  Kind kind = Kind::kNil;
  std::string_view text;
};

Evaluated Index(const Evaluated& table, const Template::Step& step, const TemplateEnv& env) {
  Evaluated out;
  auto set = [&out](std::optional<std::string_view> v) {
    if (v) out = Evaluated{Kind::kString, *v};
  };
  switch (table.kind) {
    case Kind::kHeaders:
      if (!step.number && env.headers != nullptr) set(env.headers->Get(step.key));
      break;
    case Kind::kQuery:
      if (!step.number && env.query != nullptr) {
        auto it = env.query->find(step.key);
        if (it != env.query->end() && !it->second.empty()) set(it->second.front());
      }
      break;
    case Kind::kCaptures:
      if (env.match == nullptr) break;
      if (step.number) {
        if (*step.number > 0) set(env.match->capture(static_cast<size_t>(*step.number)));
      } else {
        set(env.match->capture(std::string_view(step.key)));
      }
      break;
    default:  // a string's fields are its methods (not values here); empty tables hold nil
      break;
  }
  return out;
}

}  // namespace

bool LuaTruthy(const json::Value* member) {
  return member != nullptr && !(member->is_bool() && !member->as_bool());
}

json::Value LuaAppended(const json::Value* member, json::Value value) {
  if (member != nullptr && member->is_string()) {
    return json::Value(json::Array{*member, std::move(value)});
  }
  if (member != nullptr && member->is_array()) {
    json::Value out = *member;
    out.as_array().push_back(std::move(value));
    return out;
  }
  if (member != nullptr && member->is_object() && !member->as_object().empty()) {
    json::Value out = *member;  // table.insert into a hash table: key 1, encoded as "1"
    out.Set("1", std::move(value));
    return out;
  }
  return json::Value(json::Array{std::move(value)});
}

NameValue SplitNameValue(std::string_view entry) {
  size_t colon = entry.find(':');
  NameValue out;
  out.name = std::string(entry.substr(0, colon));
  if (colon != std::string_view::npos) {
    size_t value_start = entry.find_first_not_of(':', colon);
    if (value_start != std::string_view::npos) out.value = std::string(entry.substr(value_start));
  }
  return out;
}

Template Template::Compile(std::string_view source) {
  Template t;
  t.source_ = std::string(source);
  size_t pos = 0;
  std::string literal;
  while (pos < source.size()) {
    size_t dollar = source.find("$(", pos);
    if (dollar == std::string_view::npos) break;
    // Lua's %b(): the balanced parenthesis group (quotes are not special to it).
    int depth = 0;
    size_t end = dollar + 1;
    for (; end < source.size(); ++end) {
      if (source[end] == '(') ++depth;
      if (source[end] == ')' && --depth == 0) break;
    }
    if (end >= source.size()) break;  // unbalanced: the rest is literal text
    literal.append(source.substr(pos, dollar - pos));
    if (!literal.empty()) t.parts_.push_back(Part{true, std::move(literal), {}});
    literal.clear();
    Part part;
    part.literal = false;
    std::string_view expression = source.substr(dollar + 2, end - dollar - 2);
    if (!ExpressionParser(expression).Parse(&part.operands, &t.error_)) return t;
    for (Operand& operand : part.operands) {
      if (operand.root != "headers") continue;
      t.reads_headers_ = true;
      // ngx.req.get_headers' __index: a miss retries with '_' turned into '-'.
      if (!operand.steps.empty()) {
        for (char& c : operand.steps[0].key) c = c == '_' ? '-' : c;
      }
    }
    t.parts_.push_back(std::move(part));
    pos = end + 1;
  }
  literal.append(source.substr(pos));
  if (!literal.empty()) t.parts_.push_back(Part{true, std::move(literal), {}});
  return t;
}

Result<std::string> Template::Render(const TemplateEnv& env) const {
  auto failure = [this](std::string_view why) {
    return Status::InvalidArgument("failed to render the template " + source_ +
                                   ", error: " + std::string(why));
  };
  if (!error_.empty()) return failure(error_);
  std::string out;
  for (const Part& part : parts_) {
    if (part.literal) {
      out.append(part.text);
      continue;
    }
    Evaluated value;
    for (const Operand& operand : part.operands) {
      if (operand.literal) {
        value = Evaluated{Kind::kString, *operand.literal};
      } else {
        value = Evaluated{};
        if (operand.root == "headers") value.kind = Kind::kHeaders;
        if (operand.root == "query_params") value.kind = Kind::kQuery;
        if (operand.root == "uri_captures") value.kind = Kind::kCaptures;
        if (operand.root == "shared") value.kind = Kind::kEmptyTable;
        for (const Step& step : operand.steps) {
          if (value.kind == Kind::kNil) {
            return failure("attempt to index a nil value (" + operand.root + ")");
          }
          value = Index(value, step, env);
        }
      }
      if (value.kind != Kind::kNil) break;  // Lua's `or`: the first non-nil operand
    }
    if (value.kind == Kind::kString) out.append(value.text);
  }
  return out;
}

}  // namespace kong::plugins
