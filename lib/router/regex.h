// Regex: a compiled PCRE2 pattern shared read-only by all threads, with per-thread match data.
#ifndef KONG_ROUTER_REGEX_H_
#define KONG_ROUTER_REGEX_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kong/status.h"

namespace kong::router {

class Regex {
 public:
  // Compiles `pattern` (byte semantics, `$` only at the very end like Rust's regex crate which
  // Kong's ATC router uses) and JIT-compiles it when `jit` and the library allows.
  // Errors: kInvalidArgument "invalid regex '<pattern>': <pcre2 message> at offset N".
  static Result<std::unique_ptr<Regex>> Compile(std::string_view pattern, bool jit);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Unanchored search from the start of `subject` (anchoring comes from a leading '^' in the
  // pattern, as Kong writes it). Thread-safe.
  bool Search(std::string_view subject) const;
  // Like Search, and on success fills `groups` with (offset, length) of group 0..n, nullopt for
  // groups that did not participate.
  bool Search(std::string_view subject,
              std::vector<std::optional<std::pair<size_t, size_t>>>* groups) const;

  // Named groups: (name, group number).
  const std::vector<std::pair<std::string, size_t>>& names() const { return names_; }
  uint32_t group_count() const { return group_count_; }

 private:
  Regex() = default;
  struct Code;
  std::unique_ptr<Code> code_;
  std::vector<std::pair<std::string, size_t>> names_;
  uint32_t group_count_ = 0;
};

}  // namespace kong::router

#endif  // KONG_ROUTER_REGEX_H_
