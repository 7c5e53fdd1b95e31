// request-transformer (PRIORITY 801): rewrites the upstream request in Kong's order uri ->
// method -> headers -> body -> querystring (kong/plugins/request-transformer/access.lua). It
// never rejects, except with a 500 when a template fails. The body is read only when a body
// transform applies to the request's Content-Type.
#include <algorithm>
#include <memory>
#include <string>

#include "base/macros.h"
#include "base/text.h"
#include "plugins/config_fields.h"
#include "plugins/factory.h"
#include "plugins/request_transformer_ops.h"
#include "proxy/upstream_path.h"

namespace kong::plugins {
namespace {

namespace rt = request_transformer;

// Kong reads the body into memory (client_body_buffer_size, else a temp file); a body
// transform here buffers at most this much.
constexpr uint64_t kBodyReadLimit = 8u << 20;

bool IsHost(std::string_view lower_name) { return lower_name == "host"; }

// A header value Kong sets; ngx.req.set_header with "" removes the header.
void SetOrClear(http::HeaderMap& h, const std::string& name, const std::string& value) {
  if (value.empty()) {
    h.Remove(name);
  } else {
    h.Set(name, value);
  }
}

class RequestTransformer final : public Plugin {
 public:
  explicit RequestTransformer(PluginSpec spec) : Plugin(std::move(spec)) {
    const json::Value* c = this->spec().config;
    if (auto uri = config::String(config::Field(c, "replace"), "uri")) {
      uri_ = Template::Compile(*uri);
    }
    if (auto method = config::String(c, "http_method")) method_ = base::ToUpper(*method);
    auto read = [c](rt::OpSet& set, std::string_view target) {
      set.remove = rt::ReadEntries(c, "remove", target);
      set.rename = rt::ReadEntries(c, "rename", target);
      set.replace = rt::ReadEntries(c, "replace", target);
      set.add = rt::ReadEntries(c, "add", target);
      set.append = rt::ReadEntries(c, "append", target);
    };
    read(headers_, "headers");
    read(body_, "body");
    read(query_, "querystring");
    // Templates render against the headers as this plugin received them.
    keep_original_headers_ = !headers_.empty() && (body_.reads_headers() || query_.reads_headers());
    // Rendering a literal entry gives its source (or nothing, without a value).
    auto literal = [](const rt::Entries& entries) {
      return std::all_of(entries.begin(), entries.end(), [](const rt::Entry& e) {
        return !e.has_value || e.value.is_literal();
      });
    };
    header_values_literal_ = literal(headers_.rename) && literal(headers_.replace) &&
                             literal(headers_.add) && literal(headers_.append);
    method_reads_form_ = method_ && (*method_ == "GET" || *method_ == "HEAD" || *method_ == "TRACE");
  }

  uint32_t phases() const override { return kAccessPhase; }

  Flow Access(PluginContext& ctx) const override {
    // The server may leave the arguments unparsed (query_string only); Kong's get_query parses.
    if (ctx.request.query.empty() && !ctx.request.query_string.empty()) {
      ctx.request.query = http::ParseQuery(ctx.request.query_string);
    }
    TemplateEnv env{&ctx.request.headers, &ctx.request.query, ctx.match};
    if (uri_) {
      auto path = uri_->Render(env);
      if (!path.ok()) return Fail(ctx);
      if (path->empty() || (*path)[0] != '/') return Fail(ctx);  // set_path's "must start with /"
      ctx.upstream_path = proxy::EscapeUpstreamPath(*path);
    }
    const rt::BodyKind kind_before = method_reads_form_
                                         ? rt::BodyKindOf(ctx.request.headers.Get("Content-Type"))
                                         : rt::BodyKind::kNone;
    if (method_) ctx.upstream_method = *method_;
    // Only when a later template reads them: no allocation on the common path.
    std::shared_ptr<const http::HeaderMap> original;
    if (keep_original_headers_) {
      original = std::make_shared<const http::HeaderMap>(ctx.request.headers);
    }
    if (!headers_.empty() && !TransformHeaders(ctx, env).ok()) return Fail(ctx);
    if (original) env.headers = original.get();

    const bool merge_form = kind_before == rt::BodyKind::kForm;
    rt::BodyKind kind = rt::BodyKind::kNone;
    if (!body_.empty()) kind = rt::BodyKindOf(ctx.request.headers.Get("Content-Type"));
    const bool transform_body = kind == rt::BodyKind::kJson || kind == rt::BodyKind::kForm;
    if ((merge_form || transform_body) && ctx.read_body) {
      std::function<void()> resume = ctx.Suspend();
      ctx.read_body(kBodyReadLimit, [this, &ctx, original, merge_form, kind,
                                     resume](Result<std::string> body) {
        TemplateEnv env{original ? original.get() : &ctx.request.headers, &ctx.request.query,
                        ctx.match};
        if (!body.ok()) {
          ctx.Exit(413, "Request size limit exceeded");  // larger than kBodyReadLimit: not sendable
        } else {
          AfterBody(ctx, env, *body, merge_form, kind);
        }
        resume();
      });
      return Flow::kWait;
    }
    if (!query_.empty()) {
      http::QueryParams query = ctx.request.query;
      if (!rt::TransformQuery(query_, env, &query).ok()) return Fail(ctx);
      ctx.upstream_query = rt::EncodeQuery(query);
    }
    return Flow::kContinue;
  }

 private:
  static Flow Fail(PluginContext& ctx) {
    ctx.Exit(500, "An unexpected error occurred");
    return Flow::kExit;
  }

  // The body steps and the querystring, once the body is here.
  void AfterBody(PluginContext& ctx, const TemplateEnv& env, const std::string& body,
                 bool merge_form, rt::BodyKind kind) const {
    std::optional<http::QueryParams> query;
    if (merge_form) {  // transform_method: a form body's arguments join the querystring
      query = ctx.request.query;
      for (auto& [name, values] : http::ParseQuery(body)) {
        auto& into = (*query)[name];
        into.insert(into.end(), values.begin(), values.end());
      }
    }
    std::optional<std::string> new_body;
    Status s = Status::Ok();
    if (kind == rt::BodyKind::kJson) s = rt::TransformJsonBody(body_, env, body, &new_body);
    if (kind == rt::BodyKind::kForm) s = rt::TransformFormBody(body_, env, body, &new_body);
    if (!s.ok()) {
      Fail(ctx);
      return;
    }
    if (new_body) ctx.upstream_body = std::move(*new_body);
    if (!query_.empty()) {
      if (!query) query = ctx.request.query;
      if (!rt::TransformQuery(query_, env, &*query).ok()) {
        Fail(ctx);
        return;
      }
    }
    if (query) ctx.upstream_query = rt::EncodeQuery(*query);
  }

  // transform_headers: every template renders against the headers as received (Kong edits a
  // copy and sets it at the end). Host is never added; replacing it sets the Host the
  // upstream gets when the route preserves the host (Kong's upstream_host).
  Status TransformHeaders(PluginContext& ctx, const TemplateEnv& env) const {
    // Values are usually literal: then nothing is rendered (ValueOf reads the entries).
    rt::Rendered rename, replace, add, append;
    if (!header_values_literal_) {
      KONG_ASSIGN_OR_RETURN(rename, rt::RenderAll(headers_.rename, env));
      KONG_ASSIGN_OR_RETURN(replace, rt::RenderAll(headers_.replace, env));
      KONG_ASSIGN_OR_RETURN(add, rt::RenderAll(headers_.add, env));
      KONG_ASSIGN_OR_RETURN(append, rt::RenderAll(headers_.append, env));
    }
    http::HeaderMap& h = ctx.request.headers;
    for (const rt::Entry& e : headers_.remove) {
      if (!IsHost(e.name_lower)) h.Remove(e.name);
    }
    for (size_t i = 0; i < headers_.rename.size(); ++i) {
      const rt::Entry& e = headers_.rename[i];
      const std::string* value = ValueOf(headers_.rename, rename, i);
      if (IsHost(e.name_lower) || value == nullptr || !h.Has(e.name)) continue;
      std::vector<std::string> values;
      for (std::string_view v : h.GetAll(e.name)) values.emplace_back(v);
      const std::string to = base::ToLower(*value);
      h.Remove(to);
      for (std::string& v : values) h.Add(to, std::move(v));
      h.Remove(e.name);  // renaming to the same name removes it, as in Kong
    }
    for (size_t i = 0; i < headers_.replace.size(); ++i) {
      const rt::Entry& e = headers_.replace[i];
      const std::string* value = ValueOf(headers_.replace, replace, i);
      if (value == nullptr) continue;
      if (IsHost(e.name_lower)) {
        if (!value->empty()) h.Set("Host", *value);
      } else if (h.Has(e.name)) {
        SetOrClear(h, e.name, *value);
      }
    }
    for (size_t i = 0; i < headers_.add.size(); ++i) {
      const rt::Entry& e = headers_.add[i];
      const std::string* value = ValueOf(headers_.add, add, i);
      if (value == nullptr || value->empty() || IsHost(e.name_lower) || h.Has(e.name)) continue;
      h.AddCopy(e.name, *value);
    }
    for (size_t i = 0; i < headers_.append.size(); ++i) {
      const rt::Entry& e = headers_.append[i];
      const std::string* value = ValueOf(headers_.append, append, i);
      if (value == nullptr || value->empty()) continue;
      if (IsHost(e.name_lower)) {
        h.Set("Host", *value);
      } else {
        h.Add(e.name, *value);
      }
    }
    return Status::Ok();
  }

  // Entry i's value (nullptr without one), from `rendered`, or from the entry itself when
  // nothing was rendered (header_values_literal_; RenderAll gives an entry per entry).
  static const std::string* ValueOf(const rt::Entries& entries, const rt::Rendered& rendered,
                                    size_t i) {
    if (!rendered.empty()) return rendered[i] ? &*rendered[i] : nullptr;
    return entries[i].has_value ? &entries[i].value.source() : nullptr;
  }

  std::optional<Template> uri_;
  std::optional<std::string> method_;
  rt::OpSet headers_, body_, query_;
  bool keep_original_headers_ = false;
  bool header_values_literal_ = false;  // TransformHeaders renders nothing
  bool method_reads_form_ = false;
};

}  // namespace

PluginDescriptor RequestTransformerDescriptor() {
  return {"request-transformer", 801,
          [](PluginSpec spec, const PluginEnv&) -> Result<std::unique_ptr<Plugin>> {
            return std::unique_ptr<Plugin>(new RequestTransformer(std::move(spec)));
          }};
}

}  // namespace kong::plugins
