// Status names and formatting.
#include "kong/status.h"

#include "kong/version.h"

namespace kong {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kPermissionDenied: return "permission denied";
    case StatusCode::kIo: return "i/o error";
    case StatusCode::kTls: return "tls error";
    case StatusCode::kProtocol: return "protocol error";
    case StatusCode::kInternal: return "internal error";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

const char* LinkedVersion() { return KONG_VERSION_STRING; }

}  // namespace kong
