// What the other lib/api classes (ClusterStatus) read inside a running ControlPlane.
#ifndef KONG_API_CONTROL_PLANE_IMPL_H_
#define KONG_API_CONTROL_PLANE_IMPL_H_

#include <string>

#include "kong/control_plane.h"
#include "kong/event_loop.h"
#include "store/async_store.h"

namespace kong::api {

struct ControlPlaneView {
  EventLoop* loop = nullptr;
  // The configuration database; null unless the node is running.
  store::AsyncStore* store = nullptr;
  bool control_plane = false;  // role control_plane (a traditional node has no data planes)
  std::string config_hash;     // ControlPlane::config_hash()
};

// Loop thread only; the pointers are valid until the node stops.
ControlPlaneView ViewOf(const ControlPlane::Impl& impl);

}  // namespace kong::api

#endif  // KONG_API_CONTROL_PLANE_IMPL_H_
