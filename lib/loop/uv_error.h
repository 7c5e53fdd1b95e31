// libuv error codes as Status, converted once here.
#ifndef KONG_LOOP_UV_ERROR_H_
#define KONG_LOOP_UV_ERROR_H_

#include <uv.h>

#include <string>

#include "kong/status.h"

namespace kong::loop {

// "<what>: <libuv message>", e.g. "bind 127.0.0.1:8001: address already in use".
inline Status UvError(int rc, const std::string& what) {
  std::string msg = what + ": " + uv_strerror(rc);
  switch (rc) {
    case UV_ENOENT: return Status::NotFound(msg);
    case UV_EADDRINUSE:
    case UV_EEXIST: return Status::Conflict(msg);
    case UV_EACCES:
    case UV_EPERM: return Status::PermissionDenied(msg);
    case UV_ECONNREFUSED:
    case UV_ETIMEDOUT:
    case UV_EHOSTUNREACH:
    case UV_ENETUNREACH: return Status::Unavailable(msg);
    case UV_EINVAL: return Status::InvalidArgument(msg);
    default: return Status::Io(msg);
  }
}

}  // namespace kong::loop

#endif  // KONG_LOOP_UV_ERROR_H_
