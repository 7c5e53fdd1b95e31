// Serialize: writes a Value as compact or pretty JSON, optionally with sorted keys.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "json/path.h"
#include "json/value.h"

namespace kong::json {
namespace {

class Writer {
 public:
  Writer(const SerializeOptions& options, std::string* out) : options_(options), out_(*out) {}

  void Write(const Value& v, size_t level) {
    switch (v.type()) {
      case Value::Type::kNull:
        out_.append("null", 4);
        return;
      case Value::Type::kBool:
        v.as_bool() ? out_.append("true", 4) : out_.append("false", 5);
        return;
      case Value::Type::kInt:
        WriteInt(v.as_int());
        return;
      case Value::Type::kDouble:
        WriteDouble(v.as_double());
        return;
      case Value::Type::kString:
        AppendQuotedJsonString(&out_, v.as_string());
        return;
      case Value::Type::kArray:
        WriteArray(v.as_array(), level);
        return;
      case Value::Type::kObject:
        WriteObject(v.as_object(), level);
        return;
    }
  }

 private:
  void WriteInt(int64_t i) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, i);
    out_.append(buf, static_cast<size_t>(end - buf));
  }

  // std::to_chars without a format is the shortest form that reads back to the same double
  // ("1.5", "1e+100"); an integral double prints without a fraction ("2"), as lua-cjson does.
  // JSON has no NaN or infinity.
  void WriteDouble(double d) {
    if (!std::isfinite(d)) {
      out_.append("null", 4);
      return;
    }
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    out_.append(buf, static_cast<size_t>(end - buf));
  }

  void NewLine(size_t level) {
    out_.push_back('\n');
    out_.append(level * 2, ' ');
  }

  void WriteArray(const Array& a, size_t level) {
    if (a.empty()) {
      out_.append("[]", 2);
      return;
    }
    out_.push_back('[');
    for (size_t i = 0; i < a.size(); ++i) {
      if (i != 0) out_.push_back(',');
      if (options_.pretty) NewLine(level + 1);
      Write(a[i], level + 1);
    }
    if (options_.pretty) NewLine(level);
    out_.push_back(']');
  }

  void WriteMember(const Member& m, bool first, size_t level) {
    if (!first) out_.push_back(',');
    if (options_.pretty) NewLine(level + 1);
    AppendQuotedJsonString(&out_, m.first);
    options_.pretty ? out_.append(": ", 2) : out_.append(":", 1);
    Write(m.second, level + 1);
  }

  void WriteObject(const Object& o, size_t level) {
    if (o.empty()) {
      out_.append("{}", 2);
      return;
    }
    out_.push_back('{');
    if (options_.sort_keys && o.size() > 1) {
      // Every nesting level sorts its own segment at the end of one shared scratch vector, so
      // an export of thousands of objects does not allocate a vector per object. Indexes, not
      // iterators: nested objects may grow (and move) the vector.
      size_t begin = sorted_.size();
      for (const Member& m : o) sorted_.push_back(&m);
      std::sort(sorted_.begin() + static_cast<ptrdiff_t>(begin), sorted_.end(),
                [](const Member* a, const Member* b) { return a->first < b->first; });
      for (size_t i = 0; i < o.size(); ++i) WriteMember(*sorted_[begin + i], i == 0, level);
      sorted_.resize(begin);
    } else {
      for (size_t i = 0; i < o.size(); ++i) WriteMember(o[i], i == 0, level);
    }
    if (options_.pretty) NewLine(level);
    out_.push_back('}');
  }

  const SerializeOptions& options_;
  std::string& out_;
  std::vector<const Member*> sorted_;
};

}  // namespace

std::string Serialize(const Value& v, const SerializeOptions& options) {
  std::string out;
  out.reserve(256);
  Writer(options, &out).Write(v, 0);
  return out;
}

}  // namespace kong::json
