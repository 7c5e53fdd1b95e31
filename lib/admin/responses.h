// Kong Admin API responses: JSON with Kong's content type, CORS headers, Kong's message
// bodies, DaoError mapping, and running a Dao job on the store thread that answers a request.
#ifndef KONG_ADMIN_RESPONSES_H_
#define KONG_ADMIN_RESPONSES_H_

#include <functional>
#include <string>
#include <string_view>

#include "dao/dao.h"
#include "http/server.h"
#include "json/value.h"
#include "kong/logger.h"
#include "schema/catalog.h"
#include "store/async_store.h"

namespace kong::admin {

// `body` serialized, with Content-Type "application/json; charset=utf-8".
http::Response JsonResponse(int status, const json::Value& body);
// {"message": message}: Kong's 404 "Not found", 405 "Method not allowed", ...
http::Response MessageResponse(int status, std::string_view message);
// 204 with no body (DELETE, OPTIONS).
http::Response NoContentResponse();
// The DaoError's status and body as is; a 500 always answers Kong's
// {"message":"An unexpected error occurred"} (its detail goes to the log only).
http::Response DaoErrorResponse(const dao::DaoError& error);

// Sends `response` with Kong's CORS headers (Access-Control-Allow-Origin: the request's Origin
// or "*", Access-Control-Allow-Credentials: true). Every Admin API answer goes through here;
// endpoints added with AdminApi::AddEndpoint should use it too. Loop thread only.
void Reply(http::ResponseWriter& writer, http::Response response);

// What a store job answers: the response, plus the detail of a 500 for the log.
struct StoreReply {
  http::Response response;
  std::string error_detail;

  StoreReply() = default;
  StoreReply(http::Response r) : response(std::move(r)) {}  // NOLINT: implicit by design
  // DaoErrorResponse(error), keeping error.detail for a 500.
  static StoreReply FromError(const dao::DaoError& error);
};

// What entity endpoints need: the store, the catalog and the log sink (may be empty).
struct EndpointContext {
  store::AsyncStore& store;
  const schema::Catalog& catalog;
  LogSink log;
};

// Runs job(dao) on the store thread and answers `writer` with its reply on the loop thread.
// A 500 (or a store shut down) logs its detail at error level and answers Kong's generic 500.
void RunOnStore(const EndpointContext& context, http::ResponseWriter writer,
                std::function<StoreReply(dao::Dao& dao)> job);

}  // namespace kong::admin

#endif  // KONG_ADMIN_RESPONSES_H_
