// What request-transformer and response-transformer share: "name:value" splitting (Kong's
// Lua pattern "^([^:]+):*(.-)$"), Lua table semantics on decoded JSON, and request-transformer's
// value templates, a subset of Lua's pl.template: literal text with $( expression ) parts,
// compiled once per snapshot.
#ifndef KONG_PLUGINS_TRANSFORMER_TEMPLATE_H_
#define KONG_PLUGINS_TRANSFORMER_TEMPLATE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/header_map.h"
#include "http/message.h"
#include "json/value.h"
#include "kong/status.h"
#include "router/router.h"

namespace kong::plugins {

// "a:b" -> {"a", "b"}; "a::b" -> {"a", "b"}; "a" and "a:" -> {"a", ""}. The name stops at the
// first ':' and every ':' after it is skipped, as Kong's pattern does.
struct NameValue {
  std::string name;
  std::string value;
};
NameValue SplitNameValue(std::string_view entry);

// Lua's view of a decoded JSON object member (cjson): absent and false are falsy, null
// (cjson.null) is truthy.
bool LuaTruthy(const json::Value* member);
// Kong's append_value on a decoded JSON member: a string becomes [old, value], an array gets
// `value` pushed, anything else (absent, number, null...) becomes [value].
json::Value LuaAppended(const json::Value* member, json::Value value);

// What a template reads: Kong's lazily loaded `headers` (ngx.req.get_headers: lookups are
// case-insensitive and '_' matches '-'), `query_params`, `uri_captures` (the route's regex
// captures) and `shared` (kong.ctx.shared: always empty here). Null members read as empty.
struct TemplateEnv {
  const http::HeaderMap* headers = nullptr;
  const http::QueryParams* query = nullptr;
  const router::RouteMatch* match = nullptr;
};

// A compiled template. Supported expressions: `root`, `root.name`, `root["name"]`,
// `root[1]` (chains of them), string literals and `a or b`; roots are headers, query_params,
// uri_captures and shared (any other name is nil, as in Kong's sandbox). nil renders as "".
// Anything else (function calls, `..`, arithmetic) is a template error, reported by Render
// like Kong's compile or runtime errors (the request then gets a 500). A multi-valued header
// or argument renders its first value.
class Template {
 public:
  Template() = default;
  static Template Compile(std::string_view source);

  // Errors: kInvalidArgument "failed to render the template <source>, error: <why>".
  Result<std::string> Render(const TemplateEnv& env) const;

  const std::string& source() const { return source_; }
  // No $( ): Render returns the source without looking at the env.
  bool is_literal() const { return parts_.size() <= 1 && (parts_.empty() || parts_[0].literal); }
  // Some expression reads `headers` (the caller keeps the original headers around).
  bool reads_headers() const { return reads_headers_; }

  // An index step of a path: .name / ["name"] (key) or [n] (number >= 0).
  struct Step {
    std::string key;
    std::optional<long> number;
  };
  // One operand of an `or` chain: a string literal, or a root name followed by steps.
  struct Operand {
    std::optional<std::string> literal;
    std::string root;
    std::vector<Step> steps;
  };
  struct Part {
    bool literal = true;
    std::string text;               // literal text
    std::vector<Operand> operands;  // expression: operands joined by `or`
  };

 private:
  std::string source_;
  std::vector<Part> parts_;
  std::string error_;  // a syntax error found at compile time: every Render fails with it
  bool reads_headers_ = false;
};

}  // namespace kong::plugins

#endif  // KONG_PLUGINS_TRANSFORMER_TEMPLATE_H_
