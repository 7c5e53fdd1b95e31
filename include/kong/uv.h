// Optional bridge for programs that already run libuv: the only public header that includes
// <uv.h>. No other kong/ header (kong.h included) includes this one.
#ifndef KONG_UV_H_
#define KONG_UV_H_

#include <uv.h>

#include <memory>

#include "kong/event_loop.h"
#include "kong/export.h"
#include "kong/status.h"

namespace kong {

// Wraps a loop the caller owns and runs. The caller keeps running `loop` with uv_run; the
// returned EventLoop must be destroyed before uv_loop_close(loop), after the library's objects.
// Its internal wakeup handle is unreferenced, so it does not keep uv_run alive by itself.
KONG_EXPORT Result<std::unique_ptr<EventLoop>> WrapUvLoop(uv_loop_t* loop);

// The libuv loop behind any EventLoop.
KONG_EXPORT uv_loop_t* NativeHandle(EventLoop& loop);

}  // namespace kong

#endif  // KONG_UV_H_
