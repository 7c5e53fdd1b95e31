// key-auth (priority 1250): Kong 3.10's handler.lua. For each key name in order, the key is
// looked for in a header, then the query string, then (key_in_body) a form or JSON body; the
// first string found is the key. A repeated name is "Duplicate API key found", none "No API key
// found in request", an unknown key "Unauthorized", each a 401 with WWW-Authenticate. With
// `anonymous`, failures authenticate that consumer instead, and a request another auth plugin
// already authenticated is left alone ("logical OR").
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/text.h"
#include "http/header_map.h"
#include "json/value.h"
#include "plugins/auth_common.h"
#include "plugins/config_fields.h"
#include "plugins/consumers.h"
#include "plugins/factory.h"

namespace kong::plugins {
namespace {

using auth::FormArg;

struct KeyName {
  std::string name;
  // ngx.req.get_headers()'s lookup of `name`: lower case, '_' read as '-'.
  std::string header;
};

struct KeyAuthConfig {
  std::vector<KeyName> key_names;
  bool hide_credentials = false;
  bool key_in_header = true;
  bool key_in_query = true;
  bool key_in_body = false;
  bool run_on_preflight = true;
  std::optional<std::string> anonymous;
  std::string challenge;  // WWW-Authenticate: Key or Key realm="<realm>"
};

// The request body as kong.request.get_body() decodes it; kNone stands for Kong's EMPTY (no
// or an unsupported content type, undecodable JSON, a body too large).
struct DecodedBody {
  enum class Type { kNone, kForm, kJson };
  Type type = Type::kNone;
  std::string form;  // kForm: the encoded body
  json::Value json;  // kJson: an object or array
};

DecodedBody DecodeBody(const http::HeaderMap& headers, std::string body) {
  DecodedBody out;
  std::optional<std::string_view> content_type = headers.Get("Content-Type");
  if (!content_type) return out;
  std::string mime = base::ToLower(content_type->substr(0, content_type->find(';')));
  if (mime.find("application/x-www-form-urlencoded") != std::string::npos) {
    out.type = DecodedBody::Type::kForm;
    out.form = std::move(body);
  } else if (mime.find("application/json") != std::string::npos) {
    auto parsed = json::Parse(body);
    if (parsed.ok() && (parsed->is_object() || parsed->is_array())) {
      out.type = DecodedBody::Type::kJson;
      out.json = std::move(parsed).value();
    }
  }
  return out;
}

// What Lua's `body[name]` gives, in FormArg's terms: a string, a table (kRepeated), another
// truthy value (kNoValue: a number, a boolean, null) or nil.
FormArg FindBodyArg(const DecodedBody& body, std::string_view name) {
  if (body.type == DecodedBody::Type::kForm) return auth::FindFormArg(body.form, name);
  FormArg out;
  const json::Value* v = body.type == DecodedBody::Type::kJson ? body.json.Find(name) : nullptr;
  if (v == nullptr) return out;
  if (v->is_string()) {
    out.kind = FormArg::Kind::kValue;
    out.value = v->as_string();
  } else if (v->is_array() || v->is_object()) {
    out.kind = FormArg::Kind::kRepeated;
  } else {
    out.kind = FormArg::Kind::kNoValue;
  }
  return out;
}

FormArg FindHeader(const http::HeaderMap& headers, std::string_view name) {
  FormArg out;
  for (const auto& [field, value] : headers) {
    if (!http::EqualsIgnoreCase(field, name)) continue;
    if (out.kind != FormArg::Kind::kAbsent) {
      out.kind = FormArg::Kind::kRepeated;
      out.value.clear();
      return out;
    }
    out.kind = FormArg::Kind::kValue;
    out.value = value;
  }
  return out;
}

struct Search {
  enum class Outcome { kFound, kDuplicate, kMissing, kNeedBody };
  Outcome outcome = Outcome::kMissing;
  const KeyName* name = nullptr;  // kFound
  std::string key;                // kFound
};

class KeyAuth final : public Plugin {
 public:
  KeyAuth(PluginSpec spec, KeyAuthConfig config)
      : Plugin(std::move(spec)), config_(std::move(config)) {}

  uint32_t phases() const override { return kAccessPhase; }

  Flow Access(PluginContext& ctx) const override {
    if (!config_.run_on_preflight && ctx.request.method == "OPTIONS") return Flow::kContinue;
    // Another auth plugin already authenticated this request (logical OR): done.
    if (config_.anonymous && ctx.credential() != nullptr) return Flow::kContinue;

    Search search = Find(ctx, nullptr);
    const bool needs_body =
        config_.key_in_body && (search.outcome == Search::Outcome::kNeedBody ||
                                (search.outcome == Search::Outcome::kFound &&
                                 config_.hide_credentials));
    if (!needs_body) return Finish(ctx, std::move(search), nullptr);
    if (!ctx.request.body_streamed) {
      DecodedBody body = DecodeBody(ctx.request.headers, ctx.request.body);
      return Finish(ctx, Find(ctx, &body), &body);
    }
    if (!ctx.read_body) {
      DecodedBody none;
      return Finish(ctx, Find(ctx, &none), &none);
    }
    std::function<void()> resume = ctx.Suspend();
    ctx.read_body(auth::kMaxCredentialBodyBytes,
                  [this, &ctx, resume = std::move(resume)](Result<std::string> read) {
                    if (read.ok()) {
                      DecodedBody body = DecodeBody(ctx.request.headers, std::move(read).value());
                      Finish(ctx, Find(ctx, &body), &body);
                    } else {
                      // Over the limit: part of it may be gone, it cannot go upstream intact.
                      ctx.Exit(413, "Request size limit exceeded");
                    }
                    resume();
                  });
    return Flow::kWait;
  }

 private:
  // do_authentication's search loop; without `body`, stops with kNeedBody where the body
  // would be read.
  Search Find(const PluginContext& ctx, const DecodedBody* body) const {
    Search search;
    for (const KeyName& name : config_.key_names) {
      FormArg v;
      if (config_.key_in_header) v = FindHeader(ctx.request.headers, name.header);
      if (v.kind == FormArg::Kind::kAbsent && config_.key_in_query) {
        v = auth::FindFormArg(ctx.request.query_string, name.name);
      }
      if (v.kind == FormArg::Kind::kAbsent && config_.key_in_body) {
        if (body == nullptr) {
          search.outcome = Search::Outcome::kNeedBody;
          return search;
        }
        v = FindBodyArg(*body, name.name);
      }
      if (v.kind == FormArg::Kind::kValue) {
        search.outcome = Search::Outcome::kFound;
        search.name = &name;
        search.key = std::move(v.value);
        return search;
      }
      if (v.kind == FormArg::Kind::kRepeated) {
        search.outcome = Search::Outcome::kDuplicate;
        return search;
      }
    }
    return search;
  }

  Flow Finish(PluginContext& ctx, Search search, DecodedBody* body) const {
    if (search.outcome == Search::Outcome::kDuplicate) return Fail(ctx, "Duplicate API key found");
    if (search.outcome != Search::Outcome::kFound) return Fail(ctx, "No API key found in request");
    if (config_.hide_credentials) HideCredentials(ctx, *search.name, body);
    if (search.key.empty()) return Fail(ctx, "No API key found in request");
    const Credential* credential = ctx.consumers.FindKey(search.key);
    if (credential == nullptr) return Fail(ctx, "Unauthorized");
    ctx.Authenticate(credential->consumer, credential, /*anonymous=*/false);
    return Flow::kContinue;
  }

  Flow Fail(PluginContext& ctx, std::string message) const {
    if (config_.anonymous) return auth::AuthenticateAnonymous(ctx, *config_.anonymous);
    return auth::RejectUnauthorized(ctx, std::move(message), config_.challenge);
  }

  // The key leaves the upstream request wherever it could have been: header, query, body.
  void HideCredentials(PluginContext& ctx, const KeyName& name, DecodedBody* body) const {
    ctx.request.headers.Remove(name.header);
    std::string_view query = ctx.upstream_query ? *ctx.upstream_query : ctx.request.query_string;
    if (auto without = auth::RemoveFormArg(query, name.name)) ctx.upstream_query = *without;
    if (!config_.key_in_body || body == nullptr) return;
    if (body->type == DecodedBody::Type::kForm) {
      if (auto without = auth::RemoveFormArg(body->form, name.name)) ctx.upstream_body = *without;
    } else if (body->type == DecodedBody::Type::kJson) {
      if (body->json.is_object() && body->json.Erase(name.name)) {
        ctx.upstream_body = json::Serialize(body->json);
      }
    }
  }

  KeyAuthConfig config_;
};

Result<std::unique_ptr<Plugin>> CreateKeyAuth(PluginSpec spec, const PluginEnv&) {
  const json::Value* c = spec.config;
  KeyAuthConfig config;
  for (std::string& name : config::Strings(c, "key_names").value_or(std::vector<std::string>{
           "apikey"})) {
    std::string header = base::ToLower(name);
    for (char& ch : header) {
      if (ch == '_') ch = '-';
    }
    config.key_names.push_back({std::move(name), std::move(header)});
  }
  config.hide_credentials = config::Bool(c, "hide_credentials", false);
  config.key_in_header = config::Bool(c, "key_in_header", true);
  config.key_in_query = config::Bool(c, "key_in_query", true);
  config.key_in_body = config::Bool(c, "key_in_body", false);
  config.run_on_preflight = config::Bool(c, "run_on_preflight", true);
  config.anonymous = config::String(c, "anonymous");
  std::optional<std::string> realm = config::String(c, "realm");
  config.challenge = realm ? "Key realm=\"" + *realm + "\"" : "Key";
  return std::unique_ptr<Plugin>(new KeyAuth(std::move(spec), std::move(config)));
}

}  // namespace

PluginDescriptor KeyAuthDescriptor() { return {"key-auth", 1250, CreateKeyAuth}; }

}  // namespace kong::plugins
