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
#include "unit/api/control_plane_thread.h"
#include "unit/tls/test_certs.h"

namespace kong::test {
namespace {

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
