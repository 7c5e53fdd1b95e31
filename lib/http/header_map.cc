// HeaderMap: case-insensitive lookups over an ordered vector of fields.
#include "http/header_map.h"

#include <algorithm>

#include "base/text.h"

namespace kong::http {

namespace {

// Growing 1, 2, 4, 8, 16 moves every field each time; a request or response carries ~5-20.
constexpr size_t kInitialFields = 16;
// Bounds on what the pool keeps: a few requests' worth of maps, ordinary field sizes. Bigger
// vectors and strings (a huge cookie) go back to malloc rather than pinning memory.
constexpr size_t kPooledMaps = 32;
constexpr size_t kPooledFieldsMax = 64;
constexpr size_t kPooledNameMax = 64;
constexpr size_t kPooledValueMax = 256;

// Per thread: maps are built and dropped on their worker's loop thread.
struct FieldPool {
  std::vector<std::vector<HeaderMap::Field>> free;
  bool alive = true;
  ~FieldPool() { alive = false; }
};

FieldPool& Pool() {
  // initial-exec: the library is linked, not dlopen()ed; no __tls_get_addr per map.
  [[gnu::tls_model("initial-exec")]] thread_local FieldPool pool;
  return pool;
}

std::vector<HeaderMap::Field> TakeVector(size_t min_capacity) {
  FieldPool& pool = Pool();
  std::vector<HeaderMap::Field> v;
  if (pool.alive && !pool.free.empty()) {
    v = std::move(pool.free.back());
    pool.free.pop_back();
  }
  v.reserve(std::max(min_capacity, kInitialFields));
  return v;
}

void ReturnVector(std::vector<HeaderMap::Field>& v) {
  if (v.capacity() == 0 || v.capacity() > kPooledFieldsMax) return;
  FieldPool& pool = Pool();
  if (!pool.alive || pool.free.size() >= kPooledMaps) return;
  for (auto& f : v) {
    if (f.first.capacity() > kPooledNameMax) std::string().swap(f.first);
    if (f.second.capacity() > kPooledValueMax) std::string().swap(f.second);
  }
  pool.free.push_back(std::move(v));
}

}  // namespace

HeaderMap::HeaderMap(const HeaderMap& other) {
  if (other.size_ == 0) return;
  fields_ = TakeVector(other.size_);
  for (const Field& f : other) AddCopy(f.first, f.second);
}

HeaderMap& HeaderMap::operator=(const HeaderMap& other) {
  if (this == &other) return *this;
  size_ = 0;
  for (const Field& f : other) AddCopy(f.first, f.second);
  return *this;
}

HeaderMap& HeaderMap::operator=(HeaderMap&& other) noexcept {
  if (this == &other) return *this;
  ReturnVector(fields_);
  fields_ = std::move(other.fields_);
  size_ = std::exchange(other.size_, 0);
  other.fields_.clear();
  return *this;
}

HeaderMap::~HeaderMap() { ReturnVector(fields_); }

void HeaderMap::Reserve(size_t n) {
  if (fields_.capacity() == 0) {
    fields_ = TakeVector(n);
  } else {
    fields_.reserve(n);
  }
}

HeaderMap::Field& HeaderMap::NextSlot() {
  if (fields_.capacity() == 0) fields_ = TakeVector(kInitialFields);
  if (size_ == fields_.size()) fields_.emplace_back();
  return fields_[size_++];
}

void HeaderMap::Add(std::string name, std::string value) {
  Field& f = NextSlot();
  f.first = std::move(name);
  f.second = std::move(value);
}

void HeaderMap::AddCopy(std::string_view name, std::string_view value) {
  Field& f = NextSlot();
  f.first.assign(name);
  f.second.assign(value);
}

void HeaderMap::Set(std::string name, std::string value) {
  Remove(name);
  Add(std::move(name), std::move(value));
}

void HeaderMap::SetCopy(std::string_view name, std::string_view value) {
  Remove(name);
  AddCopy(name, value);
}

size_t HeaderMap::Remove(std::string_view name) {
  return RemoveIf([&](const Field& f) { return EqualsIgnoreCase(f.first, name); });
}

std::optional<std::string_view> HeaderMap::Get(std::string_view name) const {
  for (const auto& f : *this) {
    if (EqualsIgnoreCase(f.first, name)) return std::string_view(f.second);
  }
  return std::nullopt;
}

std::vector<std::string_view> HeaderMap::GetAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& f : *this) {
    if (EqualsIgnoreCase(f.first, name)) out.emplace_back(f.second);
  }
  return out;
}

bool HeaderMap::HasToken(std::string_view name, std::string_view token) const {
  for (const auto& f : *this) {
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
