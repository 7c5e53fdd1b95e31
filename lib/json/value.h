// kong::json::Value: a mutable JSON document (entities, plugin configs, Admin API bodies).
// simdjson parses into it; Serialize writes it back. simdjson is read-only, hence this type.
#ifndef KONG_JSON_VALUE_H_
#define KONG_JSON_VALUE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kong/status.h"

namespace kong::json {

class Value;
using Array = std::vector<Value>;
// Members keep insertion order (Kong's exports and error bodies read best that way); keys are
// unique: Set replaces.
using Member = std::pair<std::string, Value>;
using Object = std::vector<Member>;

class Value {
 public:
  enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

  Value();                                 // null
  Value(std::nullptr_t);                   // NOLINT: null
  Value(bool b);                           // NOLINT
  Value(int i);                            // NOLINT: kInt
  Value(int64_t i);                        // NOLINT: kInt
  Value(double d);                         // NOLINT: kDouble
  Value(const char* s);                    // NOLINT: kString
  Value(std::string s);                    // NOLINT
  Value(std::string_view s);               // NOLINT
  Value(Array a);                          // NOLINT
  Value(Object o);                         // NOLINT
  static Value EmptyArray() { return Value(Array{}); }
  static Value EmptyObject() { return Value(Object{}); }

  Value(const Value&);
  Value& operator=(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(Value&&) noexcept;
  ~Value();

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_int() const { return type_ == Type::kInt; }
  // kInt or kDouble.
  bool is_number() const { return type_ == Type::kInt || type_ == Type::kDouble; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // REQUIRES: the matching type (is_number() for as_double, which also converts kInt).
  bool as_bool() const;
  int64_t as_int() const;
  double as_double() const;
  const std::string& as_string() const;
  const Array& as_array() const;
  Array& as_array();
  const Object& as_object() const;
  Object& as_object();

  // Object access. Find returns null when this is not an object or the key is absent.
  const Value* Find(std::string_view key) const;
  Value* Find(std::string_view key);
  // REQUIRES: is_object() or is_null() (a null becomes an empty object). Replaces an existing
  // member in place, else appends. Returns the stored value.
  Value& Set(std::string_view key, Value v);
  bool Erase(std::string_view key);

  // Deep equality; kInt 1 equals kDouble 1.0; object member order does not matter.
  bool operator==(const Value& other) const;
  bool operator!=(const Value& other) const { return !(*this == other); }

 private:
  void Destroy() noexcept;                // ends the active payload; type_ becomes kNull
  void MoveFrom(Value&& other) noexcept;  // REQUIRES: this holds no payload (kNull)

  Type type_ = Type::kNull;
  // The payload lives inline: one Value is 40 bytes and parsing allocates only for long
  // strings and for array/object element storage, which matters for 10,000-service exports.
  // std::vector allows the incomplete element type while Value is being defined.
  union {
    bool b_;
    int64_t i_;
    double d_;
    std::string s_;
    Array a_;
    Object o_;
  };
};

struct ParseOptions {
  size_t max_depth = 64;  // nesting deeper than this is rejected (stack safety)
};

// Parses one JSON document (RFC 8259; trailing non-space content is an error). Errors are
// kInvalidArgument with a short message, e.g. "invalid JSON: unexpected end of input".
Result<Value> Parse(std::string_view text, const ParseOptions& options = {});

struct SerializeOptions {
  bool sort_keys = false;  // deterministic output (hashes, exports)
  bool pretty = false;     // two-space indentation
};

// Compact JSON by default. Strings are escaped per RFC 8259 ("/" is not escaped); non-finite
// doubles become null; doubles print with the shortest round-trip form ("1.5", "1e+100").
std::string Serialize(const Value& v, const SerializeOptions& options = {});

}  // namespace kong::json

#endif  // KONG_JSON_VALUE_H_
