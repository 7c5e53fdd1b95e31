// Kong's list query arguments (size, offset, tags) and list response body (data, offset, next).
#ifndef KONG_ADMIN_LIST_REQUEST_H_
#define KONG_ADMIN_LIST_REQUEST_H_

#include <string>
#include <string_view>

#include "dao/dao.h"
#include "http/message.h"
#include "json/value.h"

namespace kong::admin {

// `size` must read as a number (Lua tonumber: "10", " 10 ", "1e1") else 400 code 9 "size must
// be a number"; a fraction or a value outside 1..1000 gets the Dao's range message. `offset`
// and `tags` pass through (the Dao checks them).
dao::DaoResult<dao::ListOptions> ParseListOptions(const http::Request& request);

// What a top-level list carries into `next` from its request, as Kong does:
// "&size=<size>&tags=<tags>" (each only when given). Nested lists carry nothing.
std::string CarriedListArguments(const http::Request& request);

// {"data": [...], "offset": token, "next": "<path>?offset=<token><carried>"} or, on the last
// page, {"data": [...], "next": null}. `path` is the list's own path ("/services"). Any thread.
json::Value ListBody(dao::ListPage page, std::string_view path, std::string_view carried);

}  // namespace kong::admin

#endif  // KONG_ADMIN_LIST_REQUEST_H_
