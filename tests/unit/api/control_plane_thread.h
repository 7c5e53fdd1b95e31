// A kong::ControlPlane on its own loop and thread, as an embedding program runs it, for tests
// that run a node (or several) beside data planes on the test's loop.
#ifndef KONG_TESTS_UNIT_API_CONTROL_PLANE_THREAD_H_
#define KONG_TESTS_UNIT_API_CONTROL_PLANE_THREAD_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kong/cluster_status.h"
#include "kong/conf.h"
#include "kong/control_plane.h"
#include "kong/event_loop.h"
#include "kong/status.h"

namespace kong::test {

// Conf::Load with `overrides` and nothing else; REQUIREs success.
Conf LoadConf(std::map<std::string, std::string> overrides);

class ControlPlaneThread {
 public:
  // Creates the loop and the node on a new thread and starts it; started() tells how it went.
  explicit ControlPlaneThread(Conf conf);
  // Stops the node on its loop, then joins the thread.
  ~ControlPlaneThread();
  ControlPlaneThread(const ControlPlaneThread&) = delete;
  ControlPlaneThread& operator=(const ControlPlaneThread&) = delete;

  const Status& started() const { return started_status_; }
  uint16_t admin_port() const { return admin_port_; }
  uint16_t cluster_port() const { return cluster_port_; }

  // ClusterStatus::Fetch on the CP's loop; the answer lands in `out` under `mu`.
  void FetchStatus(std::mutex* mu, std::optional<Result<ClusterStatus>>* out);
  // Fetches ClusterStatus and waits for it on `waiting` (the caller's loop); REQUIREs an
  // answer within 10 s.
  Result<ClusterStatus> ClusterStatusNow(EventLoop& waiting);

 private:
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<ControlPlane> node_;
  std::thread thread_;
  Status started_status_;
  uint16_t admin_port_ = 0;
  uint16_t cluster_port_ = 0;
};

}  // namespace kong::test

#endif  // KONG_TESTS_UNIT_API_CONTROL_PLANE_THREAD_H_
