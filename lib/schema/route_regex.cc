// PCRE2 dry-run compilation and Rust-regex compatibility scan for route path regexes.
#include "schema/route_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace kong::schema {

std::optional<std::string> PcreCompileError(std::string_view re) {
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* compiled = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(re.data()), re.size(),
                                       PCRE2_ANCHORED, &code, &offset, nullptr);
  if (compiled != nullptr) {
    pcre2_code_free(compiled);
    return std::nullopt;
  }
  PCRE2_UCHAR msg[256];
  pcre2_get_error_message(code, msg, sizeof msg);
  return "pcre2_compile() failed: " + std::string(reinterpret_cast<const char*>(msg)) + " in \"" +
         std::string(re) + "\"";
}

std::optional<std::string> RustRegexIncompatibility(std::string_view re) {
  for (size_t i = 0; i < re.size(); ++i) {
    if (re[i] == '\\') {
      if (i + 1 < re.size()) {
        char n = re[i + 1];
        if ((n >= '1' && n <= '9') || n == 'g' || n == 'k') {
          return std::string("backreferences are not supported");
        }
      }
      ++i;  // skip the escaped character
      continue;
    }
    if (re.substr(i, 3) == "(?=" || re.substr(i, 3) == "(?!" || re.substr(i, 4) == "(?<=" ||
        re.substr(i, 4) == "(?<!") {
      return std::string("look-around, including look-ahead and look-behind, is not supported");
    }
  }
  return std::nullopt;
}

}  // namespace kong::schema
