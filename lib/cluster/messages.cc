// Building and parsing the /v1/outlet messages with Kong's field names and error texts.
#include "cluster/messages.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "base/macros.h"
#include "cluster/gzip.h"
#include "http/message.h"

namespace kong::cluster {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// How Lua's ".." would render a decoded JSON scalar in an error message.
std::string LuaConcatForm(const json::Value* v) {
  if (v == nullptr || v->is_null()) return "unknown";
  if (v->is_string()) return v->as_string();
  if (v->is_number()) {
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%.14g", v->as_double());
    return buf;
  }
  return "unknown";
}

// The hash field `key` of a decoded `hashes` object, or the empty hash (fill_empty_hashes).
std::string HashField(const json::Value* hashes, std::string_view key) {
  const json::Value* v = hashes != nullptr ? hashes->Find(key) : nullptr;
  if (v != nullptr && v->is_string()) return v->as_string();
  return std::string(kEmptyConfigHash);
}

// nginx's ngx_http_arg: "name=" at the start of the query or after '&', case-insensitively.
bool FindArg(std::string_view query, std::string_view name, std::string& value) {
  bool found = false;
  http::ForEachQueryPair(query, [&](std::string_view pair) {
    found = pair.size() > name.size() && pair[name.size()] == '=' &&
            Lower(pair.substr(0, name.size())) == name;
    if (found) value = std::string(pair.substr(name.size() + 1));
    return !found;
  });
  return found;
}

}  // namespace

std::string SerializeBasicInfo(const BasicInfo& info) {
  std::vector<PluginVersion> plugins = info.plugins;
  std::stable_sort(plugins.begin(), plugins.end(), [](const PluginVersion& a, const PluginVersion& b) {
    return Lower(a.name) < Lower(b.name);
  });
  json::Array list;
  list.reserve(plugins.size());
  for (const PluginVersion& p : plugins) {
    json::Value entry = json::Value::EmptyObject();
    entry.Set("name", p.name);
    if (!p.version.empty()) entry.Set("version", p.version);
    list.push_back(std::move(entry));
  }
  json::Value msg = json::Value::EmptyObject();
  msg.Set("type", "basic_info");
  msg.Set("plugins", json::Value(std::move(list)));
  if (!info.process_conf.is_null()) msg.Set("process_conf", info.process_conf);
  if (!info.filters.is_null()) msg.Set("filters", info.filters);
  if (!info.labels.is_null()) msg.Set("labels", info.labels);
  return json::Serialize(msg);
}

Result<BasicInfo> ParseBasicInfo(std::string_view payload) {
  auto parsed = json::Parse(payload);
  if (!parsed.ok()) {
    return Status::Protocol("failed to decode websocket basic info data: " +
                            parsed.status().message());
  }
  const json::Value& data = *parsed;
  // A Lua table is either a JSON object or array; an array simply has no "type".
  if (!data.is_object() && !data.is_array()) {
    return Status::Protocol("failed to decode websocket basic info data");
  }
  const json::Value* type = data.Find("type");
  if (type == nullptr || !type->is_string() || type->as_string() != "basic_info") {
    return Status::Protocol("invalid basic info data type: " + LuaConcatForm(type));
  }
  const json::Value* plugins = data.Find("plugins");
  if (plugins == nullptr || !(plugins->is_array() || plugins->is_object())) {
    return Status::Protocol("missing plugins in basic info data");
  }
  BasicInfo info;
  if (plugins->is_array()) {  // an object has no ipairs() entries: an empty list
    for (const json::Value& entry : plugins->as_array()) {
      const json::Value* name = entry.Find("name");
      if (name == nullptr || !name->is_string()) {
        return Status::Protocol("invalid plugin entry in basic info data");
      }
      const json::Value* version = entry.Find("version");
      info.plugins.push_back(
          {name->as_string(), version != nullptr && version->is_string() ? version->as_string() : ""});
    }
  }
  if (const json::Value* v = data.Find("labels")) info.labels = *v;
  if (const json::Value* v = data.Find("process_conf")) info.process_conf = *v;
  if (const json::Value* v = data.Find("filters")) info.filters = *v;
  return info;
}

Result<std::string> EncodeReconfigure(double timestamp, const json::Value& config_table,
                                      ConfigHashes* hashes_out) {
  ConfigHashes hashes = CalculateConfigHash(config_table);
  json::Value msg = json::Value::EmptyObject();
  msg.Set("type", "reconfigure");
  msg.Set("timestamp", timestamp);
  msg.Set("config_table", config_table);
  msg.Set("config_hash", hashes.config);
  msg.Set("hashes", hashes.ToJson());
  KONG_ASSIGN_OR_RETURN(std::string gz, GzipCompress(json::Serialize(msg)));
  if (hashes_out != nullptr) *hashes_out = std::move(hashes);
  return gz;
}

Result<Reconfigure> DecodeReconfigure(std::string_view gzipped, size_t max_payload) {
  KONG_ASSIGN_OR_RETURN(std::string text, GzipDecompress(gzipped, max_payload));
  KONG_ASSIGN_OR_RETURN(json::Value msg, json::Parse(text));
  const json::Value* type = msg.Find("type");
  if (type == nullptr || !type->is_string() || type->as_string() != "reconfigure") {
    return Status::Protocol("unexpected message type from control plane: " + LuaConcatForm(type));
  }
  json::Value* config_table = msg.Find("config_table");
  if (config_table == nullptr || !config_table->is_object()) {
    return Status::Protocol("reconfigure message from control plane has no config_table object");
  }
  Reconfigure out;
  if (const json::Value* ts = msg.Find("timestamp"); ts != nullptr && ts->is_number()) {
    out.timestamp = ts->as_double();
  }
  const json::Value* config_hash = msg.Find("config_hash");
  if (config_hash != nullptr && config_hash->is_string()) {
    out.config_hash = config_hash->as_string();
    const json::Value* hashes = msg.Find("hashes");
    if (hashes != nullptr && !hashes->is_object()) hashes = nullptr;
    out.hashes.config = HashField(hashes, "config");
    out.hashes.routes = HashField(hashes, "routes");
    out.hashes.services = HashField(hashes, "services");
    out.hashes.plugins = HashField(hashes, "plugins");
    out.hashes.upstreams = HashField(hashes, "upstreams");
    out.hashes.targets = HashField(hashes, "targets");
  } else {
    out.hashes = CalculateConfigHash(*config_table);  // a 2.x-style message: derive them
    out.config_hash = out.hashes.config;
  }
  out.config_table = std::move(*config_table);
  return out;
}

std::string PingPayload(std::string_view config_hash) {
  return std::string(config_hash.empty() ? kEmptyConfigHash : config_hash);
}

Status ValidatePingPayload(std::string_view payload) {
  if (payload.size() != kEmptyConfigHash.size()) {
    return Status::Protocol("received a ping frame from the data plane with an invalid hash: '" +
                            std::string(payload) + "'");
  }
  return Status::Ok();
}

std::string BuildOutletTarget(const NodeParams& params) {
  return std::string(kOutletPath) + "?node_id=" + params.id + "&node_hostname=" + params.hostname +
         "&node_version=" + params.version;
}

Result<NodeParams> ParseNodeParams(std::string_view target) {
  size_t q = target.find('?');
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  size_t fragment = query.find('#');
  if (fragment != std::string_view::npos) query = query.substr(0, fragment);
  NodeParams params;
  if (!FindArg(query, "node_id", params.id)) {
    return Status::InvalidArgument("data plane didn't pass the id");
  }
  if (!FindArg(query, "node_version", params.version)) {
    return Status::InvalidArgument("data plane didn't pass the version");
  }
  FindArg(query, "node_hostname", params.hostname);
  return params;
}

}  // namespace kong::cluster
