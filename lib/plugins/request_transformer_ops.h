// request-transformer's compiled operations and the transforms over the request's query and
// body (kong/plugins/request-transformer/access.lua), shared by the plugin and its tests.
#ifndef KONG_PLUGINS_REQUEST_TRANSFORMER_OPS_H_
#define KONG_PLUGINS_REQUEST_TRANSFORMER_OPS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"
#include "json/value.h"
#include "kong/status.h"
#include "plugins/transformer_template.h"

namespace kong::plugins::request_transformer {

// One "name" or "name:value" entry; the value is a template (empty: the entry has none).
struct Entry {
  std::string name;
  std::string name_lower;
  Template value;
  bool has_value = false;
};
using Entries = std::vector<Entry>;

// The five operations of one target (headers, querystring or body), in Kong's order.
struct OpSet {
  Entries remove, rename, replace, add, append;
  bool empty() const {
    return remove.empty() && rename.empty() && replace.empty() && add.empty() && append.empty();
  }
  bool reads_headers() const;
};

// Entries of config.<operation>.<target> (missing: none).
Entries ReadEntries(const json::Value* config, std::string_view operation,
                    std::string_view target);

// What Kong's iter() yields: the rendered value, or nullopt for an entry without one.
using Rendered = std::vector<std::optional<std::string>>;
Result<Rendered> RenderAll(const Entries& entries, const TemplateEnv& env);

// The body kinds Kong transforms, from Content-Type (a case-insensitive substring test).
enum class BodyKind { kNone, kJson, kMultipart, kForm };
BodyKind BodyKindOf(std::optional<std::string_view> content_type);

// transform_querystrings over `query` (the client's arguments). True when something applied.
Status TransformQuery(const OpSet& ops, const TemplateEnv& env, http::QueryParams* query);

// transform_json_body / transform_url_encoded_body. Sets `*out` to the new body when Kong
// would replace it; leaves it unset when the body stays as sent.
Status TransformJsonBody(const OpSet& ops, const TemplateEnv& env, std::string_view body,
                         std::optional<std::string>* out);
Status TransformFormBody(const OpSet& ops, const TemplateEnv& env, std::string_view body,
                         std::optional<std::string>* out);

// ngx.encode_args-style "a=1&a=2&b=x%20y", keys in ascending order.
std::string EncodeQuery(const http::QueryParams& query);

}  // namespace kong::plugins::request_transformer

#endif  // KONG_PLUGINS_REQUEST_TRANSFORMER_OPS_H_
