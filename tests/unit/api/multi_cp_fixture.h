// Several kong::ControlPlane nodes on one PostgreSQL schema (each on its own loop and thread)
// and data planes on the test's loop, for the issue-8 cluster tests.
#ifndef KONG_TESTS_UNIT_API_MULTI_CP_FIXTURE_H_
#define KONG_TESTS_UNIT_API_MULTI_CP_FIXTURE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/client.h"
#include "http/fetch.h"
#include "kong/data_plane.h"
#include "kong/event_loop.h"
#include "store/store.h"
#include "support/test_support.h"
#include "unit/api/control_plane_thread.h"

namespace kong::test {

// A PostgreSQL server of its own (scripts/pg-throwaway), for tests that stop and restart it
// without disturbing the other tests sharing KONG_TEST_PG_*.
class PrivatePostgres {
 public:
  // Starts one; nullopt with `why` set when PostgreSQL tests are not enabled (no
  // KONG_TEST_PG_HOST) or the script or the server cannot run here.
  static std::unique_ptr<PrivatePostgres> Start(std::string* why);
  ~PrivatePostgres();  // stops it and removes its folder
  const store::PostgresOptions& options() const { return options_; }
  // pg-throwaway down / up: a fast shutdown (clients are disconnected), a start on the port.
  bool Down();
  bool Up();

 private:
  std::string script_;
  std::string dir_;
  store::PostgresOptions options_;
};

class MultiCpCluster {
 public:
  // Bootstraps a fresh schema on `pg` and starts `nodes` control planes on it; REQUIREs
  // success.
  MultiCpCluster(const store::PostgresOptions& pg, int nodes);
  // Stops the data planes, then the nodes; resets the schema.
  ~MultiCpCluster();

  EventLoop& loop() { return *loop_; }
  ControlPlaneThread& node(size_t i) { return *nodes_.at(i); }
  DataPlane& dp(size_t i) { return *dps_.at(i); }
  size_t dp_count() const { return dps_.size(); }
  // The schema's options (another connection to the cluster's database).
  store::StoreOptions store_options() const;

  // Starts a data plane connected to node `node_index`; waits until it applied the node's
  // config.
  DataPlane& AddDataPlane(size_t node_index);
  // One Admin API request to node `node_index`; REQUIREs an answer within 10 s.
  http::ClientResponse Call(size_t node_index, const std::string& method,
                            const std::string& target, const std::string& body = "");
  // Starts the request and returns at once; the answer lands in `out`.
  void Send(size_t node_index, const std::string& method, const std::string& target,
            const std::string& body, std::optional<Result<http::ClientResponse>>* out);
  // Waits until every data plane holds a config containing each of `needles` and all hold
  // the same hash; returns that hash, or "" at the deadline.
  std::string WaitConverged(const std::vector<std::string>& needles, int timeout_ms = 20000);
  // Waits until node `node_index`'s ClusterStatus has `hash` as its config_hash and lists
  // every data plane with `hash` (their pings went through the shared registry).
  bool WaitStatusInSync(size_t node_index, const std::string& hash, int timeout_ms = 20000);

 private:
  TempDir dir_;
  store::PostgresOptions pg_;
  std::unique_ptr<EventLoop> loop_;
  std::vector<std::unique_ptr<ControlPlaneThread>> nodes_;
  std::vector<std::unique_ptr<DataPlane>> dps_;
  std::vector<std::unique_ptr<http::Fetch>> fetches_;
};

// {"name": name, "url": "http://127.0.0.1:9/x"}.
std::string ServiceBody(const std::string& name);

}  // namespace kong::test

#endif  // KONG_TESTS_UNIT_API_MULTI_CP_FIXTURE_H_
