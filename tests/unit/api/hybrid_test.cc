// kong::ControlPlane and kong::DataPlane in one process, each on its own loop and thread, as an
// embedding program runs them: the DP connects over loopback mTLS, gets the configuration, an
// Admin API write reaches it, and ClusterStatus reports the hash the DP holds.
#include <doctest/doctest.h>

#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/fetch.h"
#include "kong/cluster_status.h"
#include "kong/control_plane.h"
#include "kong/data_plane.h"
#include "support/test_support.h"
#include "unit/tls/test_certs.h"

namespace kong::test {
namespace {

Conf LoadConf(std::map<std::string, std::string> overrides) {
  ConfSources sources;
  sources.overrides = std::move(overrides);
  auto conf = Conf::Load(sources);
  REQUIRE_OK(conf.status());
  return std::move(conf).value();
}

// The control plane's thread: its own loop, the node created and started on it.
class ControlPlaneThread {
 public:
  explicit ControlPlaneThread(Conf conf) {
    std::promise<Status> started;
    std::future<Status> started_future = started.get_future();
    // The loop is created on the thread that runs it: objects built before Run are checked
    // against the creating thread.
    thread_ = std::thread([this, conf = std::move(conf), &started]() mutable {
      auto loop = EventLoop::Create();
      if (!loop.ok()) {
        started.set_value(loop.status());
        return;
      }
      loop_ = std::move(loop).value();
      ControlPlaneOptions options;
      options.conf = std::move(conf);
      auto node = ControlPlane::Create(*loop_, std::move(options));
      Status status = node.ok() ? (*node)->Start() : node.status();
      if (status.ok()) {
        node_ = std::move(node).value();
        admin_port_ = node_->admin_ports().at(0);
        cluster_port_ = node_->cluster_ports().at(0);
      }
      started.set_value(status);
      if (status.ok()) (void)loop_->Run();
      node_.reset();  // on the loop's thread, after Stop finished
    });
    started_status_ = started_future.get();
  }
  ~ControlPlaneThread() {
    if (node_) loop_->Post([this] { node_->Stop(nullptr); });
    thread_.join();
    loop_.reset();
  }

  const Status& started() const { return started_status_; }
  uint16_t admin_port() const { return admin_port_; }
  uint16_t cluster_port() const { return cluster_port_; }

  // ClusterStatus::Fetch on the CP's loop; the answer lands in `out` under `mu`.
  void FetchStatus(std::mutex* mu, std::optional<Result<ClusterStatus>>* out) {
    loop_->Post([this, mu, out] {
      ClusterStatus::Fetch(*node_, [mu, out](Result<ClusterStatus> r) {
        std::lock_guard<std::mutex> lock(*mu);
        out->emplace(std::move(r));
      });
    });
  }

 private:
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<ControlPlane> node_;
  std::thread thread_;
  Status started_status_;
  uint16_t admin_port_ = 0;
  uint16_t cluster_port_ = 0;
};

TEST_SUITE("api") {
  TEST_CASE("a ControlPlane and a DataPlane on two loops stay in sync over loopback mTLS") {
    TempDir dir;
    WriteTestFile(dir.File("cluster.crt"), Pki().shared.cert_pem);
    WriteTestFile(dir.File("cluster.key"), Pki().shared.key_pem);
    ControlPlaneThread cp(LoadConf({{"role", "control_plane"},
                                    {"prefix", dir.File("cp")},
                                    {"admin_listen", "127.0.0.1:0"},
                                    {"cluster_listen", "127.0.0.1:0"},
                                    {"cluster_cert", dir.File("cluster.crt")},
                                    {"cluster_cert_key", dir.File("cluster.key")}}));
    REQUIRE_OK(cp.started());

    auto loop = EventLoop::Create();
    REQUIRE_OK(loop.status());
    std::vector<std::string> applied;
    DataPlaneOptions options;
    options.conf = LoadConf({{"role", "data_plane"},
                             {"database", "off"},
                             {"prefix", dir.File("dp")},
                             {"status_listen", "127.0.0.1:0"},
                             {"cluster_control_plane",
                              "127.0.0.1:" + std::to_string(cp.cluster_port())},
                             {"cluster_cert", dir.File("cluster.crt")},
                             {"cluster_cert_key", dir.File("cluster.key")}});
    options.on_config_applied = [&](const std::string& hash) { applied.push_back(hash); };
    auto dp = DataPlane::Create(**loop, std::move(options));
    REQUIRE_OK(dp.status());
    REQUIRE_OK((*dp)->Start());

    // The CP pushes its current (empty) configuration at once.
    REQUIRE(WaitUntil(**loop, [&] { return !applied.empty(); }, 10000));
    CHECK((*dp)->connected());
    CHECK_FALSE((*dp)->ready());  // an empty configuration is not "ready", as in Kong

    // An Admin API write on the CP reaches the DP.
    http::ClientRequest post;
    post.method = "POST";
    post.target = "/services";
    post.headers.Add("Content-Type", "application/json");
    post.body = R"({"name":"hybrid-svc","url":"http://127.0.0.1:9/x"})";
    std::optional<Result<http::ClientResponse>> answer;
    auto fetch = http::Fetch::Start(**loop, "127.0.0.1", cp.admin_port(), std::move(post), {},
                                    [&](Result<http::ClientResponse> r) { answer = std::move(r); });
    REQUIRE(WaitUntil(**loop, [&] { return answer.has_value(); }, 10000));
    REQUIRE_OK(answer->status());
    CHECK((*answer)->status == 201);
    REQUIRE(WaitUntil(**loop, [&] { return (*dp)->ready(); }, 10000));
    CHECK((*dp)->config_json().find("\"hybrid-svc\"") != std::string::npos);
    CHECK((*dp)->last_payload_bytes() > 0);

    // ClusterStatus, read on the CP's loop, reports the hash the DP holds (after its ping).
    const std::string dp_hash = (*dp)->config_hash();
    std::mutex mu;
    bool in_sync = false;
    for (int attempt = 0; attempt < 200 && !in_sync; ++attempt) {
      std::optional<Result<ClusterStatus>> status;
      cp.FetchStatus(&mu, &status);
      REQUIRE(WaitUntil(**loop, [&] {
        std::lock_guard<std::mutex> lock(mu);
        return status.has_value();
      }));
      std::lock_guard<std::mutex> lock(mu);
      REQUIRE_OK(status->status());
      const DataPlaneInfo* info = (*status)->Find((*dp)->node_id());
      in_sync = info != nullptr && info->config_hash == dp_hash &&
                (*status)->config_hash() == dp_hash;
    }
    CHECK(in_sync);

    bool stopped = false;
    (*dp)->Stop([&] { stopped = true; });
    REQUIRE(WaitUntil(**loop, [&] { return stopped; }, 10000));
  }
}

}  // namespace
}  // namespace kong::test
