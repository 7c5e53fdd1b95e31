// multipart/form-data bodies (RFC 7578) read into named string arguments, as Kong's
// arguments.lua does with resty.upload: the boundary comes from the Content-Type parameter.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admin/body_form_args.h"
#include "base/text.h"
#include "http/header_map.h"

namespace kong::admin {
namespace {

// find_content_type_boundary: "boundary=" searched after "multipart/form-data;" (Lua index
// 21), up to the next ';', one pair of quotes removed.
std::optional<std::string> BoundaryOf(std::string_view content_type) {
  if (content_type.size() <= 20) return std::nullopt;
  size_t at = content_type.find("boundary=", 20);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view b = content_type.substr(at + 9);
  b = b.substr(0, b.find(';'));
  if (b.size() >= 2 && ((b.front() == '"' && b.back() == '"') ||
                        (b.front() == '\'' && b.back() == '\''))) {
    b = b.substr(1, b.size() - 2);
  }
  if (b.empty()) return std::nullopt;
  return std::string(b);
}

// The `name` parameter of a Content-Disposition value (`form-data; name="x"; filename=..`);
// RFC 5987's name*=utf-8''x wins, as in parse_multipart_header.
std::optional<std::string> DispositionName(std::string_view value) {
  std::optional<std::string> name;
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(';', start);
    if (end == std::string_view::npos) end = value.size();
    std::string_view param = base::Trim(value.substr(start, end - start));
    start = end + 1;
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key = base::ToLower(base::Trim(param.substr(0, eq)));
    std::string_view v = base::Trim(param.substr(eq + 1));
    if (v.size() >= 2 && ((v.front() == '"' && v.back() == '"') ||
                          (v.front() == '\'' && v.back() == '\''))) {
      v = v.substr(1, v.size() - 2);
    }
    if (key == "name*" && base::ToLower(v.substr(0, 7)) == "utf-8''") {
      name = std::string(v.substr(7));
    } else if (key == "name" && !name) {
      name = std::string(v);
    }
  }
  return name;
}

}  // namespace

std::optional<std::vector<FormArgument>> ParseMultipartForm(std::string_view content_type,
                                                            std::string_view body) {
  std::optional<std::string> boundary = BoundaryOf(content_type);
  if (!boundary) return std::nullopt;
  const std::string delimiter = "--" + *boundary;
  // The first delimiter opens the body (a preamble before it is allowed).
  size_t pos;
  if (body.substr(0, delimiter.size()) == delimiter) {
    pos = delimiter.size();
  } else {
    pos = body.find("\r\n" + delimiter);
    if (pos == std::string_view::npos) return std::nullopt;
    pos += 2 + delimiter.size();
  }
  std::vector<FormArgument> out;
  std::map<std::string, size_t> index;
  const std::string next_delimiter = "\r\n" + delimiter;
  while (true) {
    if (body.substr(pos, 2) == "--") return out;  // close delimiter
    // Transport padding, then the line end.
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != "\r\n") return std::nullopt;
    pos += 2;
    size_t headers_end = body.find("\r\n\r\n", pos);
    // A part without headers starts with the blank line right away.
    std::optional<std::string> name;
    if (body.substr(pos, 2) == "\r\n") {
      pos += 2;
    } else {
      if (headers_end == std::string_view::npos) return std::nullopt;
      std::string_view headers = body.substr(pos, headers_end - pos);
      size_t line_start = 0;
      while (line_start <= headers.size()) {
        size_t line_end = headers.find("\r\n", line_start);
        if (line_end == std::string_view::npos) line_end = headers.size();
        std::string_view line = headers.substr(line_start, line_end - line_start);
        line_start = line_end + 2;
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        if (http::EqualsIgnoreCase(base::Trim(line.substr(0, colon)), "content-disposition")) {
          name = DispositionName(line.substr(colon + 1));
        }
      }
      pos = headers_end + 4;
    }
    size_t data_end = body.find(next_delimiter, pos);
    if (data_end == std::string_view::npos) return std::nullopt;
    if (name) {
      auto [it, inserted] = index.emplace(*name, out.size());
      if (inserted) out.push_back(FormArgument{*name, {}});
      out[it->second].values.emplace_back(std::string(body.substr(pos, data_end - pos)));
    }
    pos = data_end + next_delimiter.size();
  }
}

}  // namespace kong::admin
