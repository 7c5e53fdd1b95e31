// Admin API response building and the store round trip every entity endpoint makes.
#include "admin/responses.h"

#include <memory>
#include <optional>
#include <utility>

namespace kong::admin {
namespace {

constexpr char kJsonType[] = "application/json; charset=utf-8";
constexpr char kUnexpected[] = "An unexpected error occurred";

}  // namespace

http::Response JsonResponse(int status, const json::Value& body) {
  http::Response r;
  r.status = status;
  r.headers.Set("Content-Type", kJsonType);
  r.body = json::Serialize(body);
  return r;
}

http::Response MessageResponse(int status, std::string_view message) {
  json::Value body = json::Value::EmptyObject();
  body.Set("message", message);
  return JsonResponse(status, body);
}

http::Response NoContentResponse() {
  http::Response r;
  r.status = 204;
  return r;
}

http::Response DaoErrorResponse(const dao::DaoError& error) {
  if (error.http_status >= 500) return MessageResponse(500, kUnexpected);
  // A null body is an empty response (Kong's 415 for an unsupported content type).
  if (error.body.is_null()) {
    http::Response r;
    r.status = error.http_status;
    return r;
  }
  return JsonResponse(error.http_status, error.body);
}

StoreReply StoreReply::FromError(const dao::DaoError& error) {
  StoreReply reply(DaoErrorResponse(error));
  if (error.http_status >= 500) {
    reply.error_detail = error.detail.empty() ? json::Serialize(error.body) : error.detail;
  }
  return reply;
}

void Reply(http::ResponseWriter& writer, http::Response response) {
  // Kong's api_helpers.cors_filter: echo the Origin (admin_gui_origin unset), else "*".
  std::optional<std::string_view> origin = writer.request().headers.Get("Origin");
  response.headers.Set("Access-Control-Allow-Origin", origin ? std::string(*origin) : "*");
  response.headers.Set("Access-Control-Allow-Credentials", "true");
  if (origin) response.headers.Set("Vary", "Origin");
  writer.Send(std::move(response));
}

void RunOnStore(const EndpointContext& context, http::ResponseWriter writer,
                std::function<StoreReply(dao::Dao& dao)> job) {
  const schema::Catalog* catalog = &context.catalog;
  context.store.Submit(
      [catalog, job = std::move(job)](store::Store& store) -> Result<StoreReply> {
        dao::Dao dao(store, *catalog);
        return job(dao);
      },
      // Captures no AdminApi state: the answer may arrive after the AdminApi closed, and the
      // writer turns a late Send into a no-op.
      [writer, log = context.log](Result<StoreReply> result) mutable {
        if (!result.ok()) {
          if (log) log(LogLevel::kError, "admin api: " + result.status().ToString());
          Reply(writer, MessageResponse(500, kUnexpected));
          return;
        }
        StoreReply& reply = result.value();
        if (!reply.error_detail.empty() && log) {
          log(LogLevel::kError, "admin api: " + writer.request().method + " " +
                                    writer.request().path + ": " + reply.error_detail);
        }
        Reply(writer, std::move(reply.response));
      });
}

}  // namespace kong::admin
