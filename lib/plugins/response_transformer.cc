// response-transformer (PRIORITY 800): edits the response headers in header_filter and, when
// json transforms are configured and the response is application/json, buffers the body and
// rewrites its top-level members at eof (kong/plugins/response-transformer/*.lua). It never
// rejects; a body that does not decode as JSON passes through unchanged.
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>

#include "base/text.h"
#include "plugins/config_fields.h"
#include "plugins/factory.h"
#include "plugins/transformer_template.h"

namespace kong::plugins {
namespace {

// One "name" / "name:value" entry; for json entries `json` is the value as Kong's json_value()
// makes it, nullopt when Kong yields nil (no value, or a number that does not parse).
struct Entry {
  std::string name;
  std::string value;
  std::optional<json::Value> json;
};
using Entries = std::vector<Entry>;

// Lua's tonumber on a string: surrounding spaces allowed, decimal or 0x hex; not inf/nan.
std::optional<json::Value> LuaToNumber(const std::string& text) {
  std::string_view trimmed = base::Trim(text);
  if (trimmed.empty()) return std::nullopt;
  std::string s(trimmed);
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(d)) return std::nullopt;
  const std::string lower = base::ToLower(s);
  if (lower.find("inf") != std::string::npos || lower.find("nan") != std::string::npos) {
    return std::nullopt;
  }
  if (d == std::floor(d) && std::fabs(d) < 9007199254740992.0) {
    return json::Value(static_cast<int64_t>(d));
  }
  return json::Value(d);
}

// json_value(): cjson-encode the string, drop the quotes and un-escape \" (so a backslash or a
// control character stays escaped, as in Kong), then cast to json_types[i].
std::optional<json::Value> JsonValue(const std::string& value, std::string_view type) {
  std::string encoded = json::Serialize(json::Value(value));
  encoded = encoded.substr(1, encoded.size() - 2);
  std::string v;
  v.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '\\' && i + 1 < encoded.size() && encoded[i + 1] == '"') continue;
    v.push_back(encoded[i]);
    if (encoded[i] == '\\' && i + 1 < encoded.size()) v.push_back(encoded[++i]);
  }
  if (type == "number") return LuaToNumber(v);
  if (type == "boolean") return json::Value(v == "true");
  return json::Value(std::move(v));
}

Entries ReadEntries(const json::Value* config, std::string_view operation,
                    std::string_view target) {
  Entries out;
  const json::Value* record = config::Field(config, operation);
  auto list = config::Strings(record, target);
  if (!list) return out;
  std::vector<std::string> types;
  if (target == "json") types = config::Strings(record, "json_types").value_or(types);
  for (size_t i = 0; i < list->size(); ++i) {
    NameValue nv = SplitNameValue((*list)[i]);
    Entry e{std::move(nv.name), std::move(nv.value), std::nullopt};
    if (target == "json" && !e.value.empty()) {
      e.json = JsonValue(e.value, i < types.size() ? std::string_view(types[i]) : "");
    }
    out.push_back(std::move(e));
  }
  return out;
}

// header_transformer.is_json_body: one of the comma-separated media types is application/json.
bool IsJsonContentType(std::optional<std::string_view> content_type) {
  if (!content_type) return false;
  bool json = false;
  base::ForEachListToken(*content_type, [&json](std::string_view media) {
    media = base::Trim(media.substr(0, media.find(';')));
    if (http::EqualsIgnoreCase(media, "application/json")) json = true;
  });
  return json;
}

// The response body, buffered until eof, for a response whose JSON is transformed.
struct BufferedBody final : PluginRequestState {
  std::string body;
};

class ResponseTransformer final : public Plugin {
 public:
  explicit ResponseTransformer(PluginSpec spec) : Plugin(std::move(spec)) {
    const json::Value* c = this->spec().config;
    for (auto [ops, target] : {std::pair{&headers_, "headers"}, std::pair{&json_, "json"}}) {
      ops->remove = ReadEntries(c, "remove", target);
      ops->rename = ReadEntries(c, "rename", target);
      ops->replace = ReadEntries(c, "replace", target);
      ops->add = ReadEntries(c, "add", target);
      ops->append = ReadEntries(c, "append", target);
    }
    transforms_json_ = !json_.empty();
  }

  uint32_t phases() const override {
    return kHeaderFilterPhase | (transforms_json_ ? kBodyFilterPhase : 0u);
  }

  void HeaderFilter(PluginContext& ctx, ResponseHead& head) const override {
    if (head.headers == nullptr) return;
    http::HeaderMap& h = *head.headers;
    // Kong tests existence against the headers as they were before this plugin.
    std::vector<std::optional<std::vector<std::string>>> renamed(headers_.rename.size());
    for (size_t i = 0; i < renamed.size(); ++i) {
      if (headers_.rename[i].value.empty() || !h.Has(headers_.rename[i].name)) continue;
      renamed[i].emplace();
      for (std::string_view v : h.GetAll(headers_.rename[i].name)) renamed[i]->emplace_back(v);
    }
    std::vector<char> replace_existed(headers_.replace.size());
    for (size_t i = 0; i < replace_existed.size(); ++i) {
      replace_existed[i] = h.Has(headers_.replace[i].name);
    }
    std::vector<char> add_existed(headers_.add.size());
    for (size_t i = 0; i < add_existed.size(); ++i) add_existed[i] = h.Has(headers_.add[i].name);
    const bool json_body = transforms_json_ && IsJsonContentType(h.Get("Content-Type"));

    for (const Entry& e : headers_.remove) h.Remove(e.name);
    for (size_t i = 0; i < renamed.size(); ++i) {
      if (!renamed[i]) continue;
      h.Remove(headers_.rename[i].value);
      for (std::string& v : *renamed[i]) h.Add(headers_.rename[i].value, std::move(v));
      h.Remove(headers_.rename[i].name);
    }
    for (size_t i = 0; i < replace_existed.size(); ++i) {
      const Entry& e = headers_.replace[i];
      if (replace_existed[i] && !e.value.empty()) h.Set(e.name, e.value);
    }
    for (size_t i = 0; i < add_existed.size(); ++i) {
      const Entry& e = headers_.add[i];
      if (!add_existed[i] && !e.value.empty()) h.Set(e.name, e.value);
    }
    for (const Entry& e : headers_.append) {
      if (!e.value.empty()) h.Add(e.name, e.value);
    }
    if (json_body) {
      h.Remove("Content-Length");  // the body is going to change
      ctx.state() = std::make_unique<BufferedBody>();
    }
  }

  void BodyFilter(PluginContext& ctx, std::string& chunk, bool eof) const override {
    auto* buffered = static_cast<BufferedBody*>(ctx.state().get());
    if (buffered == nullptr) return;  // not JSON: streamed untouched
    buffered->body.append(chunk);
    chunk.clear();
    if (!eof) return;
    std::string body = std::move(buffered->body);
    ctx.state().reset();
    auto transformed = Transform(body);
    chunk = transformed ? std::move(*transformed) : std::move(body);
  }

  // body_transformer.transform_json_body; nullopt leaves the body as it was.
  std::optional<std::string> Transform(std::string_view body) const {
    auto parsed = json::Parse(body);
    if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
    json::Value& doc = *parsed;
    for (const Entry& e : json_.remove) doc.Erase(e.name);
    for (const Entry& e : json_.rename) {
      const json::Value* old = doc.Find(e.name);
      if (old == nullptr || e.value.empty()) continue;
      json::Value moved = *old;
      doc.Erase(e.name);
      doc.Set(e.value, std::move(moved));
    }
    for (const Entry& e : json_.replace) {
      if (e.json && LuaTruthy(doc.Find(e.name))) doc.Set(e.name, *e.json);
    }
    for (const Entry& e : json_.add) {
      if (e.json && !LuaTruthy(doc.Find(e.name))) doc.Set(e.name, *e.json);
    }
    for (const Entry& e : json_.append) {
      if (e.json) doc.Set(e.name, LuaAppended(doc.Find(e.name), *e.json));
    }
    return json::Serialize(doc);
  }

 private:
  struct OpSet {
    Entries remove, rename, replace, add, append;
    bool empty() const {
      return remove.empty() && rename.empty() && replace.empty() && add.empty() && append.empty();
    }
  };
  OpSet headers_, json_;
  bool transforms_json_ = false;
};

}  // namespace

PluginDescriptor ResponseTransformerDescriptor() {
  return {"response-transformer", 800,
          [](PluginSpec spec, const PluginEnv&) -> Result<std::unique_ptr<Plugin>> {
            return std::unique_ptr<Plugin>(new ResponseTransformer(std::move(spec)));
          }};
}

}  // namespace kong::plugins
