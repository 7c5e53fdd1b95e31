// Parse: simdjson's DOM parser validates the text, then the tape is copied into a Value tree.
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "json/value.h"

namespace kong::json {
namespace {

namespace dom = simdjson::dom;

// A thread's reusable parser keeps its buffers between calls. simdjson sizes them at about 14
// bytes per input byte (tape, structural indexes, strings), so bigger documents (config
// payloads, imports) get a parser of their own rather than pinning that memory to the thread.
constexpr size_t kReusableParserLimit = 512u << 10;

Status Invalid(std::string what) { return Status::InvalidArgument("invalid JSON: " + what); }

// Walks the text outside strings and reports whether it ends inside an unclosed string, array
// or object. simdjson reports a truncated "[1," as a generic structure error; this tells the
// caller the more useful "unexpected end of input". Runs only on the error path.
bool EndsInsideValue(std::string_view text) {
  size_t open = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++open;
    } else if ((c == ']' || c == '}') && open > 0) {
      --open;
    }
  }
  return in_string || open > 0;
}

Status ParseError(simdjson::error_code ec, std::string_view text, size_t max_depth) {
  switch (ec) {
    case simdjson::TAPE_ERROR:
      if (EndsInsideValue(text)) return Invalid("unexpected end of input");
      return Invalid(
          "improper structure (missing or extra comma, bracket, brace or key, or "
          "trailing content)");
    case simdjson::DEPTH_ERROR:
      return Invalid("nesting deeper than " + std::to_string(max_depth) + " levels");
    case simdjson::STRING_ERROR:
      return Invalid("bad string escape (or unpaired \\u surrogate)");
    case simdjson::T_ATOM_ERROR:
      return Invalid("bad literal starting with 't'");
    case simdjson::F_ATOM_ERROR:
      return Invalid("bad literal starting with 'f'");
    case simdjson::N_ATOM_ERROR:
      return Invalid("bad literal starting with 'n'");
    case simdjson::NUMBER_ERROR:
      return Invalid("bad number or number out of range");
    case simdjson::UTF8_ERROR:
      return Invalid("the input is not valid UTF-8");
    case simdjson::EMPTY:
      return Invalid("unexpected end of input (no value found)");
    case simdjson::UNESCAPED_CHARS:
      return Invalid("unescaped control character in a string");
    case simdjson::UNCLOSED_STRING:
      return Invalid("unexpected end of input (unclosed string)");
    case simdjson::CAPACITY:
      return Invalid("document of " + std::to_string(text.size()) + " bytes is too large");
    case simdjson::MEMALLOC:
      return Status::Internal("parse JSON: out of memory");
    default: {
      std::string msg = simdjson::error_message(ec);
      if (!msg.empty())
        msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
      return Status::Internal("parse JSON: " + msg);
    }
  }
}

// simdjson 3.0.1 rejects integer literals outside [INT64_MIN, UINT64_MAX] although they are
// valid JSON (lua-cjson reads them as doubles). On a number error the text is rewritten once
// with ".0" after each such literal so that simdjson reads them as doubles; nullopt means there
// was no such literal and the error stands.
bool IntegerLiteralTooBig(std::string_view digits, bool negative) {
  std::string_view limit = negative ? "9223372036854775808" : "18446744073709551615";
  return digits.size() > limit.size() || (digits.size() == limit.size() && digits > limit);
}

std::optional<std::string> WidenHugeIntegers(std::string_view text) {
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      ++i;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) {
      ++i;
      continue;
    }
    bool negative = c == '-';
    if (negative) ++i;
    size_t digits_start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    std::string_view digits = text.substr(digits_start, i - digits_start);
    bool is_integer = i == text.size() || (text[i] != '.' && text[i] != 'e' && text[i] != 'E');
    if (is_integer && IntegerLiteralTooBig(digits, negative)) {
      out.append(text.substr(copied, i - copied));
      out.append(".0");
      copied = i;
    }
    while (i < text.size() &&
           (text[i] == '.' || text[i] == 'e' || text[i] == 'E' || text[i] == '+' ||
            text[i] == '-' || (text[i] >= '0' && text[i] <= '9'))) {
      ++i;
    }
  }
  if (copied == 0) return std::nullopt;
  out.append(text.substr(copied));
  return out;
}

class TreeBuilder {
 public:
  explicit TreeBuilder(size_t max_depth) : max_depth_(max_depth) {}

  // The first error, once Build has returned false.
  Status TakeError() { return std::move(error_); }

  // Builds `e` into the Value that `emplace(args...)` constructs in place (a new array element,
  // a new member or the root), so no value is built and then moved. `depth` counts the arrays
  // and objects enclosing `e`. False on error (see TakeError).
  template <typename Emplace>
  bool Build(dom::element e, size_t depth, Emplace&& emplace) {
    switch (e.type()) {
      case dom::element_type::NULL_VALUE:
        emplace(nullptr);
        return true;
      case dom::element_type::BOOL:
        emplace(e.get_bool().value_unsafe());
        return true;
      case dom::element_type::INT64:
        emplace(e.get_int64().value_unsafe());
        return true;
      // simdjson uses uint64 only above INT64_MAX, which kInt cannot hold.
      case dom::element_type::UINT64:
        emplace(static_cast<double>(e.get_uint64().value_unsafe()));
        return true;
      case dom::element_type::DOUBLE:
        emplace(e.get_double().value_unsafe());
        return true;
      case dom::element_type::STRING:
        emplace(e.get_string().value_unsafe());
        return true;
      case dom::element_type::ARRAY: {
        Array items;
        if (!BuildArray(e.get_array().value_unsafe(), depth + 1, items)) return false;
        emplace(std::move(items));
        return true;
      }
      case dom::element_type::OBJECT: {
        Object members;
        if (!BuildObject(e.get_object().value_unsafe(), depth + 1, members)) return false;
        emplace(std::move(members));
        return true;
      }
    }
    error_ = Status::Internal("parse JSON: unknown simdjson element type");
    return false;
  }

 private:
  bool CheckDepth(size_t depth) {
    if (depth <= max_depth_) return true;
    error_ = Invalid("nesting deeper than " + std::to_string(max_depth_) + " levels");
    return false;
  }

  bool BuildArray(dom::array a, size_t depth, Array& items) {
    if (!CheckDepth(depth)) return false;
    items.reserve(a.size());
    auto emplace = [&](auto&& v) { items.emplace_back(std::forward<decltype(v)>(v)); };
    for (dom::element child : a) {
      if (!Build(child, depth, emplace)) return false;
    }
    return true;
  }

  bool BuildObject(dom::object o, size_t depth, Object& members) {
    if (!CheckDepth(depth)) return false;
    members.reserve(o.size());
    for (dom::key_value_pair field : o) {
      auto emplace = [&](auto&& v) {
        members.emplace_back(std::piecewise_construct, std::forward_as_tuple(field.key),
                             std::forward_as_tuple(std::forward<decltype(v)>(v)));
      };
      if (!Build(field.value, depth, emplace)) return false;
    }
    if (HasDuplicateKeys(members)) MergeDuplicateKeys(members);
    return true;
  }

  static bool HasDuplicateKeys(const Object& members) {
    size_t n = members.size();
    if (n <= 16) {
      for (size_t i = 1; i < n; ++i) {
        for (size_t j = 0; j < i; ++j) {
          if (members[i].first == members[j].first) return true;
        }
      }
      return false;
    }
    return true;  // MergeDuplicateKeys sorts, which is as cheap as checking
  }

  // lua-cjson keeps the last of repeated keys. Like Value::Set, the member stays where the key
  // first appeared and takes the last value.
  static void MergeDuplicateKeys(Object& members) {
    std::vector<uint32_t> order(members.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return members[a].first < members[b].first; });
    std::vector<bool> drop(members.size(), false);
    for (size_t g = 0; g < order.size();) {
      size_t h = g + 1;
      while (h < order.size() && members[order[h]].first == members[order[g]].first) ++h;
      if (h - g > 1) {
        members[order[g]].second = std::move(members[order[h - 1]].second);
        for (size_t k = g + 1; k < h; ++k) drop[order[k]] = true;
      }
      g = h;
    }
    size_t kept = 0;
    for (size_t i = 0; i < members.size(); ++i) {
      if (drop[i]) continue;
      if (kept != i) members[kept] = std::move(members[i]);
      ++kept;
    }
    members.resize(kept);
  }

  size_t max_depth_;
  Status error_;
};

simdjson::error_code RunParser(dom::parser& parser, std::string_view text, size_t max_depth,
                               dom::element* root) {
  // simdjson's limit also counts the values inside the innermost container ("[[1]]" needs 3,
  // "[[]]" 2), so it gets one spare level; TreeBuilder enforces the exact limit. simdjson
  // allocates per level, and nesting cannot exceed the text's length, so a huge limit is capped
  // by that (small limits stay fixed, so the reusable parser is not reallocated per call).
  size_t simd_depth = (max_depth <= 4096 ? max_depth : std::min(max_depth, text.size())) + 1;
  if (parser.max_depth() != simd_depth) {
    if (auto ec = parser.allocate(std::max(text.size(), parser.capacity()), simd_depth)) return ec;
  }
  // realloc_if_needed copies the text into the parser's padded buffer (reused across calls).
  return parser.parse(text.data(), text.size(), true).get(*root);
}

}  // namespace

Result<Value> Parse(std::string_view text, const ParseOptions& options) {
  thread_local dom::parser reusable;
  dom::parser own;
  dom::parser& parser = text.size() <= kReusableParserLimit ? reusable : own;

  dom::element root;
  std::optional<std::string> widened;
  simdjson::error_code ec = RunParser(parser, text, options.max_depth, &root);
  if (ec == simdjson::NUMBER_ERROR && (widened = WidenHugeIntegers(text))) {
    ec = RunParser(parser, *widened, options.max_depth, &root);
  }
  if (ec) return ParseError(ec, text, options.max_depth);

  Value out;
  TreeBuilder builder(options.max_depth);
  if (!builder.Build(root, 0, [&](auto&& v) { out = Value(std::forward<decltype(v)>(v)); })) {
    return builder.TakeError();
  }
  return out;
}

}  // namespace kong::json
