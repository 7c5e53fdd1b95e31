// Form body parsing and Kong's argument-name decoding (arguments_decoder.lua) into JSON.
#include "admin/body_form_args.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/text.h"
#include "http/message.h"

namespace kong::admin {
namespace {

// A Lua table as the decoder builds it: integer positions and string keys side by side,
// because Kong's decoding relies on table.insert and on merging tables key by key.
struct ArgNode {
  bool table = false;
  json::Value leaf;
  std::map<int64_t, ArgNode> positions;
  std::vector<std::pair<std::string, ArgNode>> named;  // arrival order

  static ArgNode Leaf(json::Value v) {
    ArgNode n;
    n.leaf = std::move(v);
    return n;
  }
  static ArgNode Table() {
    ArgNode n;
    n.table = true;
    return n;
  }

  ArgNode* FindNamed(std::string_view key) {
    for (auto& [k, v] : named) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  ArgNode& SetNamed(const std::string& key, ArgNode v) {
    if (ArgNode* existing = FindNamed(key)) {
      *existing = std::move(v);
      return *existing;
    }
    named.emplace_back(key, std::move(v));
    return named.back().second;
  }
  // Lua's #t for the tables built here: the run of positions starting at 1.
  int64_t Length() const {
    int64_t n = 0;
    while (positions.count(n + 1) != 0) ++n;
    return n;
  }
  // table.insert(t, pos, v): shifts pos..#t up by one when pos is inside the sequence.
  ArgNode& Insert(int64_t pos, ArgNode v) {
    const int64_t n = Length();
    if (pos >= 1 && pos <= n) {
      for (int64_t i = n; i >= pos; --i) positions[i + 1] = std::move(positions[i]);
    }
    ArgNode& slot = positions[pos];
    slot = std::move(v);
    return slot;
  }
  ArgNode& Append(ArgNode v) { return Insert(Length() + 1, std::move(v)); }
};

// A bracket or path segment used as a Lua array index: tonumber() gave an integer.
std::optional<int64_t> AsIndex(std::string_view segment) {
  std::optional<json::Value> n = LuaToNumber(segment);
  if (n && n->is_int()) return n->as_int();
  return std::nullopt;
}

// arguments_decoder extract_param_keys: ".key" and "[key]" pieces of the part after the
// parameter name. `is_map` is set by a non-empty, non-numeric bracket key.
std::vector<std::string> ExtractKeys(std::string_view s, bool* is_map) {
  std::vector<std::string> keys;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '.') {
      size_t j = i + 1;
      while (j < s.size() && s[j] != '[' && s[j] != '.') ++j;
      if (j > i + 1) {
        keys.emplace_back(s.substr(i + 1, j - i - 1));
        i = j;
        continue;
      }
    } else if (s[i] == '[') {
      size_t close = s.find(']', i + 1);
      if (close != std::string_view::npos) {
        std::string key(s.substr(i + 1, close - i - 1));
        if (!key.empty() && !LuaToNumber(key)) *is_map = true;
        keys.push_back(std::move(key));
        i = close + 1;
        continue;
      }
    }
    ++i;
  }
  return keys;
}

// nest_path: walks `path` from `container`, creating tables; array segments ("" or numeric)
// use table.insert. Returns the node that received the value.
ArgNode* NestPath(ArgNode* container, const std::vector<std::string>& path, ArgNode value) {
  for (size_t i = 0; i < path.size(); ++i) {
    const std::string& segment = path[i];
    const bool last = i + 1 == path.size();
    std::optional<int64_t> index = AsIndex(segment);
    if (segment.empty() || index) {
      if (last) {
        if (index) return &container->Insert(*index, std::move(value));
        if (value.table) {
          for (int64_t j = 1; value.positions.count(j) != 0; ++j) {
            container->Insert(j, std::move(value.positions[j]));
          }
          return container;
        }
        container->Append(std::move(value));
        return container;
      }
      const int64_t position = index.value_or(1);
      auto it = container->positions.find(position);
      if (it == container->positions.end()) {
        it = container->positions.emplace(position, ArgNode::Table()).first;
      }
      container = &it->second;
    } else {
      if (last) return &container->SetNamed(segment, std::move(value));
      ArgNode* next = container->FindNamed(segment);
      if (next == nullptr) next = &container->SetNamed(segment, ArgNode::Table());
      container = next;
    }
  }
  return container;
}

// decode_complex_arg: "name[...]..." nests; a plain name (or a map on a method without map
// support) is stored whole.
ArgNode* DecodeComplexArg(const std::string& name, ArgNode value, ArgNode* container,
                          bool allow_maps) {
  // The first key delimiter must come after the first character ("[5][a]" names "[5]").
  size_t delim = name.size() > 1 ? name.find_first_of("[.", 1) : std::string::npos;
  if (delim != std::string::npos) {
    bool is_map = false;
    std::vector<std::string> keys = ExtractKeys(std::string_view(name).substr(delim), &is_map);
    if (!keys.empty() && (!is_map || allow_maps)) {
      std::vector<std::string> path{name.substr(0, delim)};
      path.insert(path.end(), keys.begin(), keys.end());
      return NestPath(container, path, std::move(value));
    }
  }
  return &container->SetNamed(name, std::move(value));
}

// decode_arg's split: runs of characters, each optionally followed by [..] groups, separated
// by dots; dots inside brackets do not split ("a[x.y].b" -> "a[x.y]", "b").
std::vector<std::string> SplitDotted(std::string_view name) {
  std::vector<std::string> out;
  std::string current;
  size_t i = 0;
  while (i < name.size()) {
    if (name[i] == '.') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
      ++i;
      continue;
    }
    current.push_back(name[i++]);
    while (i < name.size() && name[i] == '[') {
      size_t close = name.find(']', i + 1);
      if (close == std::string_view::npos) break;
      current.append(name.substr(i, close - i + 1));
      i = close + 1;
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

ArgNode DecodeArg(const std::string& name, ArgNode value, bool allow_maps) {
  ArgNode container = ArgNode::Table();
  if (name.empty() || name.front() == '.' || name.back() == '.') {
    container.SetNamed(name, std::move(value));
    return container;
  }
  std::vector<std::string> names = SplitDotted(name);
  ArgNode* bucket = &container;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i + 1 == names.size()) {
      DecodeComplexArg(names[i], std::move(value), bucket, allow_maps);
    } else {
      bucket = DecodeComplexArg(names[i], ArgNode::Table(), bucket, allow_maps);
    }
  }
  return container;
}

// combine_arg: merges one decoded argument into the result; a scalar meeting another value
// turns into a list of both.
void CombineArg(ArgNode& to, ArgNode arg) {
  if (!arg.table) {
    to.Append(std::move(arg));
    return;
  }
  auto merge = [](ArgNode* existing, ArgNode v, auto store) {
    if (existing == nullptr) {
      store(std::move(v));
    } else if (existing->table) {
      CombineArg(*existing, std::move(v));
    } else {
      ArgNode list = ArgNode::Table();
      list.Append(std::move(*existing));
      CombineArg(list, std::move(v));
      *existing = std::move(list);
    }
  };
  for (auto& [pos, v] : arg.positions) {
    auto it = to.positions.find(pos);
    merge(it == to.positions.end() ? nullptr : &it->second, std::move(v),
          [&to, pos = pos](ArgNode n) { to.positions.emplace(pos, std::move(n)); });
  }
  for (auto& [key, v] : arg.named) {
    merge(to.FindNamed(key), std::move(v),
          [&to, &key = key](ArgNode n) { to.SetNamed(key, std::move(n)); });
  }
}

json::Value ToJson(ArgNode& node) {
  if (!node.table) return std::move(node.leaf);
  bool array = node.named.empty() && !node.positions.empty();
  for (const auto& [pos, v] : node.positions) array = array && pos >= 1;
  if (array) {
    json::Array out;
    for (auto& [pos, v] : node.positions) out.push_back(ToJson(v));
    return json::Value(std::move(out));
  }
  json::Value out = json::Value::EmptyObject();
  for (auto& [pos, v] : node.positions) out.Set(std::to_string(pos), ToJson(v));
  for (auto& [key, v] : node.named) out.Set(key, ToJson(v));
  return out;
}

}  // namespace

std::vector<FormArgument> ParseUrlEncodedForm(std::string_view body) {
  std::vector<FormArgument> out;
  std::map<std::string, size_t> index;
  http::ForEachQueryPair(body, [&](std::string_view pair) {
    size_t eq = pair.find('=');
    std::string name = http::PercentDecode(pair.substr(0, eq), true);
    if (name.empty()) return true;
    json::Value value = eq == std::string_view::npos
                            ? json::Value(true)
                            : json::Value(http::PercentDecode(pair.substr(eq + 1), true));
    auto [it, inserted] = index.emplace(name, out.size());
    if (inserted) out.push_back(FormArgument{name, {}});
    out[it->second].values.push_back(std::move(value));
    return true;
  });
  return out;
}

json::Value DecodeFormArguments(const std::vector<FormArgument>& args, bool allow_maps) {
  ArgNode root = ArgNode::Table();
  for (const FormArgument& arg : args) {
    if (arg.values.empty()) continue;
    ArgNode value;
    if (arg.values.size() == 1) {
      value = ArgNode::Leaf(arg.values.front());
    } else {
      value = ArgNode::Table();
      for (const json::Value& v : arg.values) value.Append(ArgNode::Leaf(v));
    }
    CombineArg(root, DecodeArg(arg.name, std::move(value), allow_maps));
  }
  json::Value out = ToJson(root);
  // Positional top-level arguments ("1=x") would make an array; the body must be an object.
  if (!out.is_object()) {
    json::Value obj = json::Value::EmptyObject();
    for (size_t i = 0; i < out.as_array().size(); ++i) {
      obj.Set(std::to_string(i + 1), out.as_array()[i]);
    }
    return obj;
  }
  return out;
}

}  // namespace kong::admin
