// Parsing Kong's list arguments and building its paginated list body.
#include "admin/list_request.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "schema/errors.h"

namespace kong::admin {
namespace {

// Lua's tonumber for decimal text: optional surrounding spaces, a whole-string number.
bool ToNumber(std::string_view text, double* out) {
  std::string s(text);
  const char* begin = s.c_str();
  while (*begin == ' ' || *begin == '\t' || *begin == '\n' || *begin == '\r') ++begin;
  if (*begin == '\0') return false;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(begin, &end);
  if (end == begin) return false;
  while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r') ++end;
  if (*end != '\0' || std::isnan(v)) return false;
  *out = v;
  return true;
}

}  // namespace

dao::DaoResult<dao::ListOptions> ParseListOptions(const http::Request& request) {
  dao::ListOptions options;
  if (std::optional<std::string_view> size = request.Query("size")) {
    double v = 0;
    if (!ToNumber(*size, &v)) {
      return dao::DaoError::FromBody(schema::ErrorCode::kInvalidSize,
                                     schema::InvalidSizeBody("size must be a number"));
    }
    // A fraction or an out-of-range value becomes 0 so the Dao answers with its range message.
    options.size = (v >= 1 && v <= 1000 && v == std::floor(v)) ? static_cast<int>(v) : 0;
  }
  if (std::optional<std::string_view> offset = request.Query("offset")) {
    options.offset = std::string(*offset);
  }
  if (std::optional<std::string_view> tags = request.Query("tags")) {
    options.tags = std::string(*tags);
  }
  return options;
}

std::string CarriedListArguments(const http::Request& request) {
  std::string carried;
  if (std::optional<std::string_view> size = request.Query("size")) {
    carried += "&size=" + http::PercentEncode(*size);
  }
  if (std::optional<std::string_view> tags = request.Query("tags")) {
    carried += "&tags=" + http::PercentEncode(*tags);
  }
  return carried;
}

json::Value ListBody(dao::ListPage page, std::string_view path, std::string_view carried) {
  json::Value body = json::Value::EmptyObject();
  body.Set("data", std::move(page.data));
  if (!page.offset) {
    body.Set("next", nullptr);
    return body;
  }
  std::string next(path);
  next += "?offset=" + http::PercentEncode(*page.offset);
  next += carried;
  body.Set("offset", *page.offset);
  body.Set("next", next);
  return body;
}

}  // namespace kong::admin
