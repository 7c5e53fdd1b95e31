// HeaderMap: HTTP header fields in arrival order, looked up case-insensitively.
#ifndef KONG_HTTP_HEADER_MAP_H_
#define KONG_HTTP_HEADER_MAP_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kong::http {

// ASCII case-insensitive equality (header names, tokens).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// A multimap: a name may repeat (Set-Cookie, X-Forwarded-For). Names keep their spelling.
// Linear lookups: requests carry tens of headers, not thousands.
class HeaderMap {
 public:
  using Field = std::pair<std::string, std::string>;

  void Add(std::string name, std::string value);
  // Replaces every field called `name` by one.
  void Set(std::string name, std::string value);
  // Removes every field called `name`; returns how many there were.
  size_t Remove(std::string_view name);

  // The first value, if any.
  std::optional<std::string_view> Get(std::string_view name) const;
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  // True when a comma-separated value of `name` has `token` (Connection: keep-alive, Upgrade).
  bool HasToken(std::string_view name, std::string_view token) const;

  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

}  // namespace kong::http

#endif  // KONG_HTTP_HEADER_MAP_H_
