// request-transformer: config entries, and the querystring, JSON and form body transforms.
#include "plugins/request_transformer_ops.h"

#include "base/macros.h"
#include "base/text.h"
#include "plugins/config_fields.h"

namespace kong::plugins::request_transformer {
namespace {

struct RenderedOps {
  Rendered remove, rename, replace, add, append;
};

Result<RenderedOps> RenderOps(const OpSet& ops, const TemplateEnv& env) {
  RenderedOps out;
  KONG_ASSIGN_OR_RETURN(out.remove, RenderAll(ops.remove, env));
  KONG_ASSIGN_OR_RETURN(out.rename, RenderAll(ops.rename, env));
  KONG_ASSIGN_OR_RETURN(out.replace, RenderAll(ops.replace, env));
  KONG_ASSIGN_OR_RETURN(out.add, RenderAll(ops.add, env));
  KONG_ASSIGN_OR_RETURN(out.append, RenderAll(ops.append, env));
  return out;
}

// Kong's Lua tables of arguments (querystring and form bodies) share these rules. `has_body`
// is false for an empty form body: Kong then skips remove, rename and replace.
bool ApplyToArgs(const OpSet& ops, const RenderedOps& values, bool has_body,
                 http::QueryParams* args) {
  bool changed = false;
  if (has_body) {
    for (const Entry& e : ops.remove) args->erase(e.name);
    for (size_t i = 0; i < ops.rename.size(); ++i) {
      if (!values.rename[i]) continue;
      auto old = args->find(ops.rename[i].name);
      std::optional<std::vector<std::string>> moved;
      if (old != args->end()) moved = std::move(old->second);
      args->erase(ops.rename[i].name);
      if (moved) {
        (*args)[*values.rename[i]] = std::move(*moved);
      } else {
        args->erase(*values.rename[i]);  // Kong assigns nil to the new name
      }
    }
    for (size_t i = 0; i < ops.replace.size(); ++i) {
      auto it = args->find(ops.replace[i].name);
      if (values.replace[i] && it != args->end()) it->second = {*values.replace[i]};
    }
    changed = !ops.remove.empty() || !ops.rename.empty() || !ops.replace.empty();
  }
  for (size_t i = 0; i < ops.add.size(); ++i) {
    if (values.add[i] && args->find(ops.add[i].name) == args->end()) {
      (*args)[ops.add[i].name] = {*values.add[i]};
    }
  }
  for (size_t i = 0; i < ops.append.size(); ++i) {
    if (values.append[i]) (*args)[ops.append[i].name].push_back(*values.append[i]);
  }
  return changed || !ops.add.empty() || !ops.append.empty();
}

}  // namespace

bool OpSet::reads_headers() const {
  for (const Entries* list : {&remove, &rename, &replace, &add, &append}) {
    for (const Entry& e : *list) {
      if (e.value.reads_headers()) return true;
    }
  }
  return false;
}

Entries ReadEntries(const json::Value* config, std::string_view operation,
                    std::string_view target) {
  Entries out;
  auto list = config::Strings(config::Field(config, operation), target);
  if (!list) return out;
  for (const std::string& raw : *list) {
    NameValue nv = SplitNameValue(raw);
    Entry e;
    e.name_lower = base::ToLower(nv.name);
    e.name = std::move(nv.name);
    e.has_value = !nv.value.empty();
    if (e.has_value) e.value = Template::Compile(nv.value);
    out.push_back(std::move(e));
  }
  return out;
}

Result<Rendered> RenderAll(const Entries& entries, const TemplateEnv& env) {
  Rendered out;
  out.reserve(entries.size());
  for (const Entry& e : entries) {
    if (!e.has_value) {
      out.emplace_back();
    } else if (e.value.is_literal()) {
      out.emplace_back(e.value.source());
    } else {
      KONG_ASSIGN_OR_RETURN(std::string value, e.value.Render(env));
      out.emplace_back(std::move(value));
    }
  }
  return out;
}

BodyKind BodyKindOf(std::optional<std::string_view> content_type) {
  if (!content_type) return BodyKind::kNone;
  const std::string lower = base::ToLower(*content_type);
  if (lower.find("application/json") != std::string::npos) return BodyKind::kJson;
  if (lower.find("multipart/form-data") != std::string::npos) return BodyKind::kMultipart;
  if (lower.find("application/x-www-form-urlencoded") != std::string::npos) return BodyKind::kForm;
  return BodyKind::kNone;
}

Status TransformQuery(const OpSet& ops, const TemplateEnv& env, http::QueryParams* query) {
  KONG_ASSIGN_OR_RETURN(RenderedOps values, RenderOps(ops, env));
  ApplyToArgs(ops, values, /*has_body=*/true, query);
  return Status::Ok();
}

Status TransformFormBody(const OpSet& ops, const TemplateEnv& env, std::string_view body,
                         std::optional<std::string>* out) {
  KONG_ASSIGN_OR_RETURN(RenderedOps values, RenderOps(ops, env));
  http::QueryParams args = http::ParseQuery(body);
  if (ApplyToArgs(ops, values, !body.empty(), &args)) *out = EncodeQuery(args);
  return Status::Ok();
}

Status TransformJsonBody(const OpSet& ops, const TemplateEnv& env, std::string_view body,
                         std::optional<std::string>* out) {
  json::Value params = json::Value::EmptyObject();
  if (!body.empty()) {
    auto parsed = json::Parse(body);
    // Kong gives up on undecodable JSON; a top-level array or scalar is left alone here too.
    if (!parsed.ok() || !parsed->is_object()) return Status::Ok();
    params = std::move(*parsed);
  }
  KONG_ASSIGN_OR_RETURN(RenderedOps values, RenderOps(ops, env));
  bool changed = false;
  if (!body.empty()) {
    for (const Entry& e : ops.remove) params.Erase(e.name);
    for (size_t i = 0; i < ops.rename.size(); ++i) {
      if (!values.rename[i]) continue;
      std::optional<json::Value> moved;
      if (const json::Value* old = params.Find(ops.rename[i].name)) moved = *old;
      params.Erase(ops.rename[i].name);
      if (moved) {
        params.Set(*values.rename[i], std::move(*moved));
      } else {
        params.Erase(*values.rename[i]);
      }
    }
    for (size_t i = 0; i < ops.replace.size(); ++i) {
      if (values.replace[i] && LuaTruthy(params.Find(ops.replace[i].name))) {
        params.Set(ops.replace[i].name, json::Value(*values.replace[i]));
      }
    }
    changed = !ops.remove.empty() || !ops.rename.empty() || !ops.replace.empty();
  }
  for (size_t i = 0; i < ops.add.size(); ++i) {
    if (values.add[i] && !LuaTruthy(params.Find(ops.add[i].name))) {
      params.Set(ops.add[i].name, json::Value(*values.add[i]));
      changed = true;
    }
  }
  for (size_t i = 0; i < ops.append.size(); ++i) {
    if (!values.append[i]) continue;
    params.Set(ops.append[i].name, LuaAppended(params.Find(ops.append[i].name), json::Value(*values.append[i])));
    changed = true;
  }
  if (changed) *out = json::Serialize(params);
  return Status::Ok();
}

std::string EncodeQuery(const http::QueryParams& query) {
  std::string out;
  for (const auto& [key, values] : query) {
    for (const std::string& value : values) {
      if (!out.empty()) out.push_back('&');
      out.append(http::PercentEncode(key));
      out.push_back('=');
      out.append(http::PercentEncode(value));
    }
  }
  return out;
}

}  // namespace kong::plugins::request_transformer
