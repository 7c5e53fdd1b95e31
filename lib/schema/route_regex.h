// Regex checks for route paths: PCRE2 compilation (Kong dry-runs ngx.re.find with "aj") and,
// for the ATC-based router flavors, constructs that Rust's regex crate rejects.
#ifndef KONG_SCHEMA_ROUTE_REGEX_H_
#define KONG_SCHEMA_ROUTE_REGEX_H_

#include <optional>
#include <string>
#include <string_view>

namespace kong::schema {

// nullopt when `re` compiles (anchored), else ngx's message:
// "pcre2_compile() failed: missing closing parenthesis in \"/(foo\"".
std::optional<std::string> PcreCompileError(std::string_view re);

// nullopt when `re` uses nothing Rust's regex crate refuses; else the reason, e.g.
// "look-around, including look-ahead and look-behind, is not supported".
std::optional<std::string> RustRegexIncompatibility(std::string_view re);

}  // namespace kong::schema

#endif  // KONG_SCHEMA_ROUTE_REGEX_H_
