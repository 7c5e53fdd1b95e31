// Kong 3.x's config hash: to_sorted_string + md5, reproduced rule by rule from config_helper.lua.
#include "cluster/config_hash.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <vector>

#include "base/macros.h"
#include "pki/digest.h"

namespace kong::cluster {
namespace {

// Kong checks the buffer size on entry to every value and folds it when it exceeds this.
constexpr size_t kFoldThreshold = 1000000;
// Kong's plain-array rendering unrolls 1..5 elements without a trailing ';'.
constexpr size_t kMaxUnrolledArray = 5;

// LuaJIT's string.buffer renders numbers like tostring: "%.14g". Lua numbers are doubles, so
// integers go through double too (1e17 prints as "1e+17").
void PutNumber(double d, std::string& out) {
  char buf[40];
  int n = std::snprintf(buf, sizeof(buf), "%.14g", d);
  out.append(buf, static_cast<size_t>(n));
}

void PutSorted(const json::Value& value, std::string& out) {
  if (out.size() > kFoldThreshold) {
    auto digest = pki::Md5(out);
    out.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
  }
  switch (value.type()) {
    case json::Value::Type::kNull:
      out += "/null/";
      return;
    case json::Value::Type::kBool:
      out += value.as_bool() ? "true" : "false";
      return;
    case json::Value::Type::kInt:
    case json::Value::Type::kDouble:
      PutNumber(value.as_double(), out);
      return;
    case json::Value::Type::kString:
      out += value.as_string();
      return;
    case json::Value::Type::kArray: {
      const json::Array& items = value.as_array();
      if (items.empty()) {
        out += "{}";  // Lua cannot tell an empty array from an empty object
        return;
      }
      if (items.size() <= kMaxUnrolledArray) {
        for (size_t i = 0; i < items.size(); ++i) {
          if (i > 0) out += ';';
          PutSorted(items[i], out);
        }
        return;
      }
      for (const json::Value& item : items) {
        PutSorted(item, out);
        out += ';';
      }
      return;
    }
    case json::Value::Type::kObject: {
      const json::Object& members = value.as_object();
      if (members.empty()) {
        out += "{}";
        return;
      }
      std::vector<const json::Member*> sorted;
      sorted.reserve(members.size());
      for (const json::Member& m : members) sorted.push_back(&m);
      // Lua's sort on string keys compares bytes (strcmp), as std::string's operator< does.
      std::sort(sorted.begin(), sorted.end(),
                [](const json::Member* a, const json::Member* b) { return a->first < b->first; });
      for (const json::Member* m : sorted) {
        out += m->first;
        out += ':';
        PutSorted(m->second, out);
        out += ';';
      }
      return;
    }
  }
}

}  // namespace

json::Value ConfigHashes::ToJson() const {
  json::Value v = json::Value::EmptyObject();
  v.Set("config", config);
  v.Set("routes", routes);
  v.Set("services", services);
  v.Set("plugins", plugins);
  v.Set("upstreams", upstreams);
  v.Set("targets", targets);
  return v;
}

std::string SortedHashInput(const json::Value& value) {
  std::string out;
  PutSorted(value, out);
  return out;
}

std::string Md5Hex(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto digest = pki::Md5(data);
  std::string hex;
  hex.reserve(32);
  for (unsigned char c : digest) {
    hex += kHex[c >> 4];
    hex += kHex[c & 0xf];
  }
  return hex;
}

std::string CalculateHash(const json::Value* value) {
  if (value == nullptr) return std::string(kEmptyConfigHash);
  return Md5Hex(SortedHashInput(*value));
}

ConfigHashes CalculateConfigHash(const json::Value& config_table) {
  ConfigHashes hashes;
  if (!config_table.is_object()) {
    hashes.config = CalculateHash(&config_table);
    return hashes;
  }
  hashes.routes = CalculateHash(config_table.Find("routes"));
  hashes.services = CalculateHash(config_table.Find("services"));
  hashes.plugins = CalculateHash(config_table.Find("plugins"));
  hashes.upstreams = CalculateHash(config_table.Find("upstreams"));
  hashes.targets = CalculateHash(config_table.Find("targets"));

  // The rest: everything but the five parts, hashed without copying the big entity arrays.
  json::Value rest = json::Value::EmptyObject();
  for (const json::Member& m : config_table.as_object()) {
    if (m.first == "routes" || m.first == "services" || m.first == "plugins" ||
        m.first == "upstreams" || m.first == "targets") {
      continue;
    }
    rest.Set(m.first, m.second);
  }
  std::string rest_hash = CalculateHash(&rest);
  hashes.config = Md5Hex(hashes.routes + hashes.services + hashes.plugins + hashes.upstreams +
                         hashes.targets + rest_hash);
  return hashes;
}

}  // namespace kong::cluster
