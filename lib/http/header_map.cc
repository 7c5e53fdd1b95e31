// HeaderMap: case-insensitive lookups over an ordered vector of fields.
#include "http/header_map.h"

#include <algorithm>

#include "base/text.h"

namespace kong::http {

namespace {

// Growing 1, 2, 4, 8, 16 moves every field each time; a request or response carries ~5-20.
constexpr size_t kInitialFields = 16;

}  // namespace

void HeaderMap::Add(std::string name, std::string value) {
  if (fields_.capacity() == 0) fields_.reserve(kInitialFields);
  fields_.emplace_back(std::move(name), std::move(value));
}

void HeaderMap::Set(std::string name, std::string value) {
  Remove(name);
  Add(std::move(name), std::move(value));
}

size_t HeaderMap::Remove(std::string_view name) {
  return RemoveIf([&](const Field& f) { return EqualsIgnoreCase(f.first, name); });
}

std::optional<std::string_view> HeaderMap::Get(std::string_view name) const {
  for (const auto& f : fields_) {
    if (EqualsIgnoreCase(f.first, name)) return std::string_view(f.second);
  }
  return std::nullopt;
}

std::vector<std::string_view> HeaderMap::GetAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& f : fields_) {
    if (EqualsIgnoreCase(f.first, name)) out.emplace_back(f.second);
  }
  return out;
}

bool HeaderMap::HasToken(std::string_view name, std::string_view token) const {
  for (const auto& f : fields_) {
    if (!EqualsIgnoreCase(f.first, name)) continue;
    std::string_view v = f.second;
    size_t start = 0;
    while (start <= v.size()) {
      size_t end = v.find(',', start);
      if (end == std::string_view::npos) end = v.size();
      if (EqualsIgnoreCase(base::Trim(v.substr(start, end - start)), token)) return true;
      start = end + 1;
    }
  }
  return false;
}

}  // namespace kong::http
