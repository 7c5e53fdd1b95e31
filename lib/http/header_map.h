// HeaderMap: HTTP header fields in arrival order, looked up case-insensitively.
#ifndef KONG_HTTP_HEADER_MAP_H_
#define KONG_HTTP_HEADER_MAP_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kong::http {

namespace internal {
inline uint64_t Load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);  // one unaligned load
  return v;
}
}  // namespace internal

// ASCII case-insensitive equality (header names, tokens). Inline: header lookups call it for
// every field, and most calls end at the size check. Names of 8+ bytes spelled the same way
// (the usual case: "Content-Length" against "Content-Length") compare 8 bytes at a time;
// anything else goes byte by byte.
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8) {
    bool same = true;
    for (size_t i = 0; same && i + 8 <= n; i += 8) {
      same = internal::Load8(a.data() + i) == internal::Load8(b.data() + i);
    }
    if (same && internal::Load8(a.data() + n - 8) == internal::Load8(b.data() + n - 8)) {
      return true;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    char x = a[i], y = b[i];
    if (x == y) continue;
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// A set of header-name lengths, checked before comparing a field's name with a few known ones:
// field names come in many lengths, so most comparisons end here. A name of 64 bytes or more
// may always be in the set.
class NameLengths {
 public:
  constexpr void Add(size_t n) {
    if (n < 64) bits_ |= uint64_t{1} << n;
  }
  constexpr bool MayHave(size_t n) const { return n >= 64 || ((bits_ >> n) & 1) != 0; }

 private:
  uint64_t bits_ = 0;
};

// A multimap: a name may repeat (Set-Cookie, X-Forwarded-For). Names keep their spelling.
// Linear lookups: requests carry tens of headers, not thousands.
class HeaderMap {
 public:
  using Field = std::pair<std::string, std::string>;

  HeaderMap() = default;
  HeaderMap(const HeaderMap& other);
  HeaderMap(HeaderMap&& other) noexcept
      : fields_(std::move(other.fields_)), size_(std::exchange(other.size_, 0)) {}
  HeaderMap& operator=(const HeaderMap& other);
  HeaderMap& operator=(HeaderMap&& other) noexcept;
  ~HeaderMap();

  void Add(std::string name, std::string value);
  // Copies into a recycled field: no allocation once this thread's maps have warmed up.
  // `name` and `value` must not point into this map (a slot or a Remove may move them).
  void AddCopy(std::string_view name, std::string_view value);
  // Room for `n` fields without reallocation (a builder that knows its count).
  void Reserve(size_t n);
  // Replaces every field called `name` by one.
  void Set(std::string name, std::string value);
  void SetCopy(std::string_view name, std::string_view value);
  // Removes every field called `name`; returns how many there were.
  size_t Remove(std::string_view name);
  // Removes every field for which `pred(field)` is true, in one pass; returns how many.
  template <typename Pred>
  size_t RemoveIf(Pred&& pred) {
    auto live_end = fields_.begin() + static_cast<std::ptrdiff_t>(size_);
    auto it = std::remove_if(fields_.begin(), live_end, pred);
    size_t n = static_cast<size_t>(live_end - it);
    size_ -= n;  // the removed slots stay as spares
    return n;
  }

  // The first value, if any.
  std::optional<std::string_view> Get(std::string_view name) const;
  std::vector<std::string_view> GetAll(std::string_view name) const;
  // Calls `fn(value)` for each field called `name`, in order (GetAll without the vector).
  template <typename Fn>
  void ForEach(std::string_view name, Fn&& fn) const {
    for (const auto& f : *this) {
      if (EqualsIgnoreCase(f.first, name)) fn(std::string_view(f.second));
    }
  }
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  // True when a comma-separated value of `name` has `token` (Connection: keep-alive, Upgrade).
  bool HasToken(std::string_view name, std::string_view token) const;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const {
    return fields_.begin() + static_cast<std::ptrdiff_t>(size_);
  }

 private:
  Field& NextSlot();

  // fields_[0, size_) are the fields; the rest are spare slots whose strings keep their
  // buffers. Vectors come from and go back to a per-thread pool, so a proxied request's maps
  // reuse the previous requests' buffers instead of allocating ~10 strings and 3 vectors.
  std::vector<Field> fields_;
  size_t size_ = 0;
};

}  // namespace kong::http

#endif  // KONG_HTTP_HEADER_MAP_H_
