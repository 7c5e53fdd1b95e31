// DaoError and DaoResult: a failed DAO operation as the HTTP status and Kong's JSON body that
// the Admin API sends unchanged (kong/db/errors.lua, endpoints.lua's status mapping).
#ifndef KONG_DAO_DAO_ERROR_H_
#define KONG_DAO_DAO_ERROR_H_

#include <string>
#include <utility>
#include <variant>

#include "json/value.h"
#include "kong/status.h"
#include "schema/errors.h"

namespace kong::dao {

struct DaoError {
  int http_status = 500;
  json::Value body;  // e.g. {"code":5,"name":"unique constraint violation",...}
  // For logs only: the store's Status behind a 500 (its message never reaches the client).
  std::string detail;

  // A Kong DAO error body with its code's status (400, 404, 409, ...).
  static DaoError FromBody(schema::ErrorCode code, json::Value body);
  // 404 {"message":"Not found"}: GET of a missing entity or a missing parent.
  static DaoError NotFound();
  // An unexpected store failure: 500 {"message":"An unexpected error occurred"}.
  static DaoError FromStatus(const Status& status);
};

// The value of a DAO operation, or the error to send.
template <typename T>
class [[nodiscard]] DaoResult {
 public:
  DaoResult(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  DaoResult(DaoError error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  // REQUIRES: ok().
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  // REQUIRES: !ok().
  const DaoError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, DaoError> v_;
};

}  // namespace kong::dao

#endif  // KONG_DAO_DAO_ERROR_H_
