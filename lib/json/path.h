// JSON string quoting shared by Serialize and by hand-written JSON writers (error bodies, logs).
#ifndef KONG_JSON_PATH_H_
#define KONG_JSON_PATH_H_

#include <string>
#include <string_view>

namespace kong::json {

// `s` as a JSON string literal, quotes included. Escapes per RFC 8259: \" \\ \b \f \n \r \t, and
// \u00xx for other control characters; "/" and valid UTF-8 pass through unchanged. Each byte of
// an invalid UTF-8 sequence becomes U+FFFD, so the output always parses.
std::string QuoteJsonString(std::string_view s);

// Appends QuoteJsonString(s) to `*out` without a temporary (for writers building large bodies).
void AppendQuotedJsonString(std::string* out, std::string_view s);

}  // namespace kong::json

#endif  // KONG_JSON_PATH_H_
