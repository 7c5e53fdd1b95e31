// kong::json::Value: construction, copying, member access and deep equality.
#include "json/value.h"

#include <algorithm>
#include <new>

#include "base/macros.h"

namespace kong::json {

Value::Value() : i_(0) {}
Value::Value(std::nullptr_t) : i_(0) {}
Value::Value(bool b) : type_(Type::kBool), b_(b) {}
Value::Value(int i) : type_(Type::kInt), i_(i) {}
Value::Value(int64_t i) : type_(Type::kInt), i_(i) {}
Value::Value(double d) : type_(Type::kDouble), d_(d) {}
Value::Value(const char* s) : type_(Type::kString), s_(s != nullptr ? s : "") {
  KONG_DCHECK(s != nullptr);
}
Value::Value(std::string s) : type_(Type::kString), s_(std::move(s)) {}
Value::Value(std::string_view s) : type_(Type::kString), s_(s) {}
Value::Value(Array a) : type_(Type::kArray), a_(std::move(a)) {}
Value::Value(Object o) : type_(Type::kObject), o_(std::move(o)) {}

Value::Value(const Value& other) : type_(other.type_) {
  switch (other.type_) {
    case Type::kNull:
      i_ = 0;
      break;
    case Type::kBool:
      b_ = other.b_;
      break;
    case Type::kInt:
      i_ = other.i_;
      break;
    case Type::kDouble:
      d_ = other.d_;
      break;
    case Type::kString:
      new (&s_) std::string(other.s_);
      break;
    case Type::kArray:
      new (&a_) Array(other.a_);
      break;
    case Type::kObject:
      new (&o_) Object(other.o_);
      break;
  }
}

Value::Value(Value&& other) noexcept : i_(0) { MoveFrom(std::move(other)); }

// Copying first and then moving keeps `v = v.as_array()[0]` safe (the source may live inside
// this value) and leaves this unchanged if the copy throws bad_alloc.
Value& Value::operator=(const Value& other) {
  if (this != &other) {
    Value copy(other);
    *this = std::move(copy);
  }
  return *this;
}

// The source may be one of our own descendants (`v = std::move(v.as_object()[0].second)`), so
// take it out before destroying our payload.
Value& Value::operator=(Value&& other) noexcept {
  if (this != &other) {
    Value taken(std::move(other));
    Destroy();
    MoveFrom(std::move(taken));
  }
  return *this;
}

Value::~Value() { Destroy(); }

void Value::Destroy() noexcept {
  switch (type_) {
    case Type::kString:
      s_.~basic_string();
      break;
    case Type::kArray:
      a_.~Array();
      break;
    case Type::kObject:
      o_.~Object();
      break;
    default:
      break;
  }
  type_ = Type::kNull;
  i_ = 0;
}

void Value::MoveFrom(Value&& other) noexcept {
  type_ = other.type_;
  switch (other.type_) {
    case Type::kNull:
      i_ = 0;
      return;  // nothing to release in `other`
    case Type::kBool:
      b_ = other.b_;
      break;
    case Type::kInt:
      i_ = other.i_;
      break;
    case Type::kDouble:
      d_ = other.d_;
      break;
    case Type::kString:
      new (&s_) std::string(std::move(other.s_));
      break;
    case Type::kArray:
      new (&a_) Array(std::move(other.a_));
      break;
    case Type::kObject:
      new (&o_) Object(std::move(other.o_));
      break;
  }
  other.Destroy();
}

bool Value::as_bool() const {
  KONG_DCHECK(is_bool());
  return b_;
}

int64_t Value::as_int() const {
  KONG_DCHECK(is_int());
  return i_;
}

double Value::as_double() const {
  KONG_DCHECK(is_number());
  return type_ == Type::kInt ? static_cast<double>(i_) : d_;
}

const std::string& Value::as_string() const {
  KONG_DCHECK(is_string());
  return s_;
}

const Array& Value::as_array() const {
  KONG_DCHECK(is_array());
  return a_;
}

Array& Value::as_array() {
  KONG_DCHECK(is_array());
  return a_;
}

const Object& Value::as_object() const {
  KONG_DCHECK(is_object());
  return o_;
}

Object& Value::as_object() {
  KONG_DCHECK(is_object());
  return o_;
}

const Value* Value::Find(std::string_view key) const {
  if (type_ != Type::kObject) return nullptr;
  for (const Member& m : o_) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

Value* Value::Find(std::string_view key) {
  return const_cast<Value*>(static_cast<const Value*>(this)->Find(key));
}

Value& Value::Set(std::string_view key, Value v) {
  KONG_DCHECK(is_object() || is_null());
  if (type_ == Type::kNull) {
    new (&o_) Object();
    type_ = Type::kObject;
  }
  for (Member& m : o_) {
    if (m.first == key) {
      m.second = std::move(v);
      return m.second;
    }
  }
  o_.emplace_back(std::string(key), std::move(v));
  return o_.back().second;
}

bool Value::Erase(std::string_view key) {
  if (type_ != Type::kObject) return false;
  auto it = std::find_if(o_.begin(), o_.end(), [&](const Member& m) { return m.first == key; });
  if (it == o_.end()) return false;
  o_.erase(it);
  return true;
}

namespace {

// Exact: 2^63 is exactly representable, and casting an in-range integral double is exact, so
// no precision is lost the way `double(i) == d` would lose it above 2^53.
bool IntEqualsDouble(int64_t i, double d) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return false;  // NaN too
  auto truncated = static_cast<int64_t>(d);
  return static_cast<double>(truncated) == d && truncated == i;
}

bool MemberKeyLess(const Member* a, const Member* b) { return a->first < b->first; }

// Member order does not matter. Objects from Parse or Set have unique keys, so equal sizes plus
// a match for every member of `a` means equal.
bool ObjectsEqual(const Object& a, const Object& b) {
  if (a.size() != b.size()) return false;
  size_t same_order = 0;
  while (same_order < a.size() && a[same_order].first == b[same_order].first) {
    if (a[same_order].second != b[same_order].second) return false;
    ++same_order;
  }
  size_t rest = a.size() - same_order;
  if (rest == 0) return true;
  if (rest <= 16) {
    for (size_t i = same_order; i < a.size(); ++i) {
      auto it = std::find_if(b.begin() + same_order, b.end(),
                             [&](const Member& m) { return m.first == a[i].first; });
      if (it == b.end() || it->second != a[i].second) return false;
    }
    return true;
  }
  std::vector<const Member*> sa, sb;
  sa.reserve(rest);
  sb.reserve(rest);
  for (size_t i = same_order; i < a.size(); ++i) {
    sa.push_back(&a[i]);
    sb.push_back(&b[i]);
  }
  std::sort(sa.begin(), sa.end(), MemberKeyLess);
  std::sort(sb.begin(), sb.end(), MemberKeyLess);
  for (size_t i = 0; i < rest; ++i) {
    if (sa[i]->first != sb[i]->first || sa[i]->second != sb[i]->second) return false;
  }
  return true;
}

}  // namespace

bool Value::operator==(const Value& other) const {
  if (is_number() && other.is_number()) {
    if (type_ == Type::kInt && other.type_ == Type::kInt) return i_ == other.i_;
    if (type_ == Type::kDouble && other.type_ == Type::kDouble) return d_ == other.d_;
    return type_ == Type::kInt ? IntEqualsDouble(i_, other.d_) : IntEqualsDouble(other.i_, d_);
  }
  if (type_ != other.type_) return false;
  switch (type_) {
    case Type::kNull:
      return true;
    case Type::kBool:
      return b_ == other.b_;
    case Type::kString:
      return s_ == other.s_;
    case Type::kArray:
      return a_ == other.a_;
    case Type::kObject:
      return ObjectsEqual(o_, other.o_);
    default:
      return false;  // numbers were handled above
  }
}

}  // namespace kong::json
