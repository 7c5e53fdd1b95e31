// MultiCpCluster and PrivatePostgres.
#include "unit/api/multi_cp_fixture.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <utility>

#include "http/fetch.h"
#include "json/value.h"
#include "kong/cluster_status.h"
#include "unit/store/store_fixture.h"
#include "unit/tls/test_certs.h"

namespace kong::test {
namespace {

// scripts/pg-throwaway of the source tree the running binary was built in (build folders
// live in the source root: <root>/<build>/tests/unit_tests).
std::string ThrowawayScript() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  std::filesystem::path script = exe.parent_path().parent_path().parent_path() / "scripts" /
                                 "pg-throwaway";
  return std::filesystem::exists(script, ec) ? script.string() : "";
}

// Runs `command`, returning its standard output, or nullopt when it failed.
std::optional<std::string> Run(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  if (::pclose(pipe) != 0) return std::nullopt;
  return out;
}

}  // namespace

std::unique_ptr<PrivatePostgres> PrivatePostgres::Start(std::string* why) {
  store::PostgresOptions shared;
  if (!store::test::PostgresTestOptions(&shared)) {
    *why = "postgres variant skipped: set KONG_TEST_PG_* (eval \"$(scripts/pg-throwaway start)\")";
    return nullptr;
  }
  auto pg = std::unique_ptr<PrivatePostgres>(new PrivatePostgres());
  pg->script_ = ThrowawayScript();
  if (pg->script_.empty()) {
    *why = "skipped: scripts/pg-throwaway not found next to the build folder";
    return nullptr;
  }
  std::optional<std::string> out = Run(pg->script_ + " start");
  if (!out) {
    *why = "skipped: pg-throwaway start failed (needs root or the postgres user)";
    return nullptr;
  }
  // "export KONG_TEST_PG_HOST=... KONG_TEST_PG_PORT=... ... KONG_TEST_PG_DIR=..."
  std::istringstream words(*out);
  std::string word;
  pg->options_ = shared;
  while (words >> word) {
    const size_t eq = word.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = word.substr(0, eq), value = word.substr(eq + 1);
    if (key == "KONG_TEST_PG_HOST") pg->options_.host = value;
    if (key == "KONG_TEST_PG_PORT") pg->options_.port = std::atoi(value.c_str());
    if (key == "KONG_TEST_PG_USER") pg->options_.user = value;
    if (key == "KONG_TEST_PG_DATABASE") pg->options_.database = value;
    if (key == "KONG_TEST_PG_DIR") pg->dir_ = value;
  }
  pg->options_.password.clear();
  if (pg->dir_.empty()) {
    *why = "skipped: unexpected pg-throwaway output: " + *out;
    return nullptr;
  }
  return pg;
}

PrivatePostgres::~PrivatePostgres() {
  if (!dir_.empty()) (void)Run(script_ + " stop " + dir_);
}

bool PrivatePostgres::Down() { return Run(script_ + " down " + dir_).has_value(); }
bool PrivatePostgres::Up() { return Run(script_ + " up " + dir_).has_value(); }

std::string ServiceBody(const std::string& name) {
  return R"({"name":")" + name + R"(","url":"http://127.0.0.1:9/x"})";
}

MultiCpCluster::MultiCpCluster(const store::PostgresOptions& pg, int nodes) : pg_(pg) {
  pg_.schema = "kong_multicp_" + store::test::RandomHex(6);
  {
    auto store = store::Store::Open(store_options());
    REQUIRE_OK(store.status());
    REQUIRE_OK((*store)->Bootstrap());
  }
  WriteTestFile(dir_.File("cluster.crt"), Pki().shared.cert_pem);
  WriteTestFile(dir_.File("cluster.key"), Pki().shared.key_pem);
  auto loop = EventLoop::Create();
  REQUIRE_OK(loop.status());
  loop_ = std::move(loop).value();
  for (int i = 0; i < nodes; ++i) {
    std::map<std::string, std::string> conf = {
        {"role", "control_plane"},
        {"prefix", dir_.File("cp" + std::to_string(i))},
        {"admin_listen", "127.0.0.1:0"},
        {"cluster_listen", "127.0.0.1:0"},
        {"cluster_cert", dir_.File("cluster.crt")},
        {"cluster_cert_key", dir_.File("cluster.key")},
        {"database", "postgres"},
        {"pg_host", pg_.host},
        {"pg_port", std::to_string(pg_.port)},
        {"pg_user", pg_.user},
        {"pg_database", pg_.database},
        {"pg_schema", pg_.schema}};
    if (!pg_.password.empty()) conf.emplace("pg_password", pg_.password);
    nodes_.push_back(std::make_unique<ControlPlaneThread>(LoadConf(std::move(conf))));
    REQUIRE_OK(nodes_.back()->started());
  }
}

MultiCpCluster::~MultiCpCluster() {
  fetches_.clear();
  for (auto& dp : dps_) {
    bool stopped = false;
    dp->Stop([&] { stopped = true; });
    CHECK(WaitUntil(*loop_, [&] { return stopped; }, 10000));
  }
  dps_.clear();
  nodes_.clear();
  auto store = store::Store::Open(store_options());
  if (store.ok()) (void)(*store)->Reset();
}

store::StoreOptions MultiCpCluster::store_options() const {
  store::StoreOptions o;
  o.backend = store::Backend::kPostgres;
  o.postgres = pg_;
  return o;
}

DataPlane& MultiCpCluster::AddDataPlane(size_t node_index) {
  const std::string prefix = dir_.File("dp" + std::to_string(dps_.size()));
  DataPlaneOptions options;
  options.conf = LoadConf({{"role", "data_plane"},
                           {"database", "off"},
                           {"prefix", prefix},
                           {"status_listen", "127.0.0.1:0"},
                           {"proxy_listen", "127.0.0.1:0"},
                           {"cluster_control_plane",
                            "127.0.0.1:" + std::to_string(node(node_index).cluster_port())},
                           {"cluster_cert", dir_.File("cluster.crt")},
                           {"cluster_cert_key", dir_.File("cluster.key")}});
  auto applied = std::make_shared<bool>(false);
  options.on_config_applied = [applied](const std::string&) { *applied = true; };
  auto dp = DataPlane::Create(*loop_, std::move(options));
  REQUIRE_OK(dp.status());
  REQUIRE_OK((*dp)->Start());
  DataPlane* raw = dp->get();
  dps_.push_back(std::move(dp).value());
  REQUIRE(WaitUntil(*loop_, [&] { return raw->connected() && *applied; }, 10000));
  return *raw;
}

void MultiCpCluster::Send(size_t node_index, const std::string& method,
                          const std::string& target, const std::string& body,
                          std::optional<Result<http::ClientResponse>>* out) {
  http::ClientRequest request;
  request.method = method;
  request.target = target;
  if (!body.empty()) {
    request.headers.Add("Content-Type", "application/json");
    request.body = body;
  }
  fetches_.push_back(http::Fetch::Start(*loop_, "127.0.0.1", node(node_index).admin_port(),
                                        std::move(request), {},
                                        [out](Result<http::ClientResponse> r) {
                                          out->emplace(std::move(r));
                                        }));
}

http::ClientResponse MultiCpCluster::Call(size_t node_index, const std::string& method,
                                          const std::string& target, const std::string& body) {
  std::optional<Result<http::ClientResponse>> answer;
  Send(node_index, method, target, body, &answer);
  REQUIRE(WaitUntil(*loop_, [&] { return answer.has_value(); }, 10000));
  REQUIRE_OK(answer->status());
  return std::move(*answer).value();
}

std::string MultiCpCluster::WaitConverged(const std::vector<std::string>& needles,
                                          int timeout_ms) {
  std::string hash;
  bool converged = WaitUntil(*loop_, [&] {
    hash = dps_.empty() ? "" : dps_[0]->config_hash();
    for (const auto& dp : dps_) {
      if (dp->config_hash() != hash) return false;
      const std::string config = dp->config_json();
      for (const auto& needle : needles) {
        if (config.find(needle) == std::string::npos) return false;
      }
    }
    return true;
  }, timeout_ms);
  return converged ? hash : "";
}

bool MultiCpCluster::WaitStatusInSync(size_t node_index, const std::string& hash,
                                      int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    Result<ClusterStatus> status = node(node_index).ClusterStatusNow(*loop_);
    bool in_sync = status.ok() && status->config_hash() == hash;
    for (const auto& dp : dps_) {
      const DataPlaneInfo* info = status.ok() ? status->Find(dp->node_id()) : nullptr;
      in_sync = in_sync && info != nullptr && info->config_hash == hash && info->last_seen > 0;
    }
    // Each read runs this loop while it waits, so the data planes' pings go on meanwhile.
    if (in_sync) return true;
  }
  return false;
}

}  // namespace kong::test
