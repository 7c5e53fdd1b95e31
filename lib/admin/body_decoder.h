// DecodeRequestBody: an Admin API request body (JSON, urlencoded or multipart form) as the JSON
// object the DAO validates, with Kong's form-argument decoding and schema type inference
// (kong/api/api_helpers.lua before_filter + normalize_nested_params, kong/tools/arguments.lua).
#ifndef KONG_ADMIN_BODY_DECODER_H_
#define KONG_ADMIN_BODY_DECODER_H_

#include "dao/dao_error.h"
#include "http/message.h"
#include "json/value.h"
#include "schema/field.h"

namespace kong::admin {

// Returns the body as a JSON object:
// - no body (empty): {} (Kong accepts a missing Content-Type then);
// - application/json: the parsed object; malformed or not an object gives 400
//   {"message":"Cannot parse JSON body"};
// - application/x-www-form-urlencoded, multipart/form-data: Kong's argument decoding
//   ("hosts[]=a", "hosts[1]=a", repeated keys, "config.minute=5", "service.id=<uuid>"); the
//   string values are then inferred to `schema`'s field types (numbers, booleans, arrays,
//   sets, maps, records, the plugin config of the `name` argument). `schema` may be null: the
//   values stay strings;
// - more than one Content-Type header: 400 {"message":"Multiple Content-Type headers not allowed"};
// - any other (or a missing) Content-Type with a body: 415 with an empty body (json null).
// The Content-Type, multiple-header and JSON errors apply to POST, PUT and PATCH (Kong's
// NEEDS_BODY); for other methods what cannot be read gives {} and form map syntax is off.
dao::DaoResult<json::Value> DecodeRequestBody(const http::Request& request,
                                              const schema::EntitySchema* schema);

}  // namespace kong::admin

#endif  // KONG_ADMIN_BODY_DECODER_H_
