// kong::Status and kong::Result<T>: how every public call reports failure (no exceptions).
#ifndef KONG_STATUS_H_
#define KONG_STATUS_H_

#include <cassert>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "kong/export.h"

namespace kong {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // bad input: configuration, arguments, request bodies
  kNotFound,          // a named object does not exist
  kConflict,          // it exists already (unique violation, file present)
  kUnavailable,       // a peer or a database cannot be reached right now
  kPermissionDenied,  // the OS or a peer refused us
  kIo,                // a file or socket operation failed
  kTls,               // a TLS or certificate failure
  kProtocol,          // a peer broke the protocol
  kInternal,          // a bug in libkonghybrid
};

// A success, or a code plus a lowercase message that names the object and its value
// ("bind 127.0.0.1:8001: address already in use"). Messages never contain key material.
class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status Io(std::string m) { return {StatusCode::kIo, std::move(m)}; }
  static Status Tls(std::string m) { return {StatusCode::kTls, std::move(m)}; }
  static Status Protocol(std::string m) { return {StatusCode::kProtocol, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "OK", or "<code name>: <message>".
  KONG_EXPORT std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// The name of a code, e.g. "invalid argument".
KONG_EXPORT const char* StatusCodeName(StatusCode code);

// A value of T, or a non-OK Status explaining why there is none (C++20 has no std::expected).
template <typename T>
class [[nodiscard]] Result {
 public:
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "use Status directly");

  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    assert(!std::get<1>(v_).ok() && "a Result cannot hold an OK status without a value");
    if (std::get<1>(v_).ok()) v_.template emplace<1>(StatusCode::kInternal, "ok status without value");
  }

  bool ok() const { return v_.index() == 0; }
  // The error; an OK Status when a value is held.
  Status status() const { return ok() ? Status() : std::get<1>(v_); }

  // REQUIRES: ok().
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace kong

#endif  // KONG_STATUS_H_
