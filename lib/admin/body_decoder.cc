// Admin API request bodies: Content-Type checks (api_helpers.before_filter), JSON parsing, and
// form arguments decoded and type-inferred as Kong's arguments.lua / arguments_decoder.lua do.
#include "admin/body_decoder.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admin/body_form_args.h"
#include "base/text.h"
#include "schema/errors.h"

namespace kong::admin {
namespace {

using base::StartsWith;

// Kong's NEEDS_BODY: only these methods get the Content-Type and JSON checks.
bool NeedsBody(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

dao::DaoError BadRequest(std::string_view message) {
  return dao::DaoError{400, schema::MessageBody(message), ""};
}

dao::DaoResult<json::Value> DecodeJson(std::string_view body, bool strict) {
  Result<json::Value> parsed = json::Parse(body);
  // A JSON document that is not an object cannot be an entity; Kong's Lua would fail later
  // with a less helpful error, we answer as for a malformed body.
  if (parsed.ok() && parsed.value().is_object()) return std::move(parsed).value();
  if (strict) return BadRequest("Cannot parse JSON body");
  return json::Value::EmptyObject();
}

}  // namespace

dao::DaoResult<json::Value> DecodeRequestBody(const http::Request& request,
                                              const schema::EntitySchema* schema) {
  const bool strict = NeedsBody(request.method);
  std::vector<std::string_view> types = request.headers.GetAll("content-type");
  if (strict && types.size() > 1) {
    return BadRequest("Multiple Content-Type headers not allowed");
  }
  if (types.empty()) {
    // before_filter: no Content-Type is fine only without a body.
    if (request.body.empty() || !strict) return json::Value::EmptyObject();
    return dao::DaoError{415, json::Value(), ""};
  }
  const std::string_view type = types.front();
  // before_filter compares case-sensitively; arguments.load then matches lowercase prefixes.
  const bool known = StartsWith(type, "application/json") ||
                     StartsWith(type, "multipart/form-data") ||
                     StartsWith(type, "application/x-www-form-urlencoded");
  if (!known) {
    if (strict) return dao::DaoError{415, json::Value(), ""};
    return json::Value::EmptyObject();
  }
  const std::string lower = base::ToLower(type);
  if (StartsWith(lower, "application/json")) return DecodeJson(request.body, strict);

  const bool allow_maps = strict;  // arguments_decoder: foo[bar] maps only on POST/PUT/PATCH
  std::vector<FormArgument> args;
  if (StartsWith(lower, "application/x-www-form-urlencoded")) {
    args = ParseUrlEncodedForm(request.body);
  } else {
    std::optional<std::vector<FormArgument>> parts = ParseMultipartForm(type, request.body);
    // Kong logs an unreadable multipart body and goes on with no arguments.
    if (parts) args = std::move(*parts);
  }
  json::Value decoded = DecodeFormArguments(args, allow_maps);
  InferFormTypes(decoded, schema);
  return decoded;
}

}  // namespace kong::admin
