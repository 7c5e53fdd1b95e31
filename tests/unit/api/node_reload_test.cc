// What a reload applies in place (PlanReload), and the prefix files of kong/node_files.h.
#include "api/node_reload.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "base/files.h"
#include "kong/cert_gen.h"
#include "kong/node_files.h"
#include "support/test_support.h"

namespace kong::test {
namespace {

Conf Load(std::map<std::string, std::string> overrides) {
  ConfSources sources;
  sources.overrides = std::move(overrides);
  auto conf = Conf::Load(sources);
  REQUIRE_OK(conf.status());
  return *conf;
}

TEST_SUITE("api") {

TEST_CASE("PlanReload: log_level in place, listen addresses need a restart") {
  Conf running = Load({{"log_level", "notice"}, {"admin_listen", "127.0.0.1:8001"}});
  Conf next = Load({{"log_level", "debug"}, {"admin_listen", "127.0.0.1:9001"}});
  auto plan = api::PlanReload(running, next);
  REQUIRE_OK(plan.status());
  CHECK(plan->log_level_changed);
  CHECK_FALSE(plan->cluster_trust_changed);
  CHECK(plan->needs_restart == std::vector<std::string>{"admin_listen"});
  CHECK(api::NeedsRestartLine(plan->needs_restart) ==
        "reload: admin_listen changed; it takes effect after a restart");

  auto same = api::PlanReload(running, running);
  REQUIRE_OK(same.status());
  CHECK_FALSE(same->log_level_changed);
  CHECK(same->needs_restart.empty());
}

TEST_CASE("PlanReload: renewed certificate files at the same path change the trust") {
  TempDir dir;
  const std::string cert = dir.path() + "/c.crt", key = dir.path() + "/c.key";
  auto pair = CertGen::Generate({});
  REQUIRE_OK(pair.status());
  REQUIRE_OK(CertGen::WriteFiles(*pair, cert, key));
  std::map<std::string, std::string> settings = {
      {"role", "control_plane"}, {"cluster_cert", cert}, {"cluster_cert_key", key}};
  Conf running = Load(settings);
  Conf unchanged = Load(settings);
  auto plan = api::PlanReload(running, unchanged);
  REQUIRE_OK(plan.status());
  CHECK_FALSE(plan->cluster_trust_changed);

  auto renewed = CertGen::Generate({});
  REQUIRE_OK(renewed.status());
  ::unlink(cert.c_str());
  ::unlink(key.c_str());
  REQUIRE_OK(CertGen::WriteFiles(*renewed, cert, key));
  plan = api::PlanReload(running, Load(settings));
  REQUIRE_OK(plan.status());
  CHECK(plan->cluster_trust_changed);
  CHECK(plan->needs_restart.empty());

  Conf traditional = Load({});
  auto refused = api::PlanReload(running, traditional);
  CHECK(refused.status().code() == StatusCode::kInvalidArgument);
  CHECK(refused.status().message().find("role cannot change") != std::string::npos);
}

TEST_CASE("node files: .kong_env leaves secrets out; pid file round trip") {
  TempDir dir;
  Conf conf = Load({{"prefix", dir.path()}, {"pg_password", "hunter2"},
                    {"proxy_access_log", "off"}, {"proxy_error_log", "/dev/stderr"}});
  NodeFiles files = NodeFilesOf(conf);
  CHECK(files.pid_file == dir.path() + "/pids/nginx.pid");
  CHECK(files.error_log == "/dev/stderr");
  CHECK(files.access_log.empty());
  REQUIRE_OK(PrepareNodeFiles(files));
  REQUIRE_OK(WriteKongEnv(conf, files.kong_env));
  auto text = base::ReadFile(files.kong_env);
  REQUIRE_OK(text.status());
  CHECK(text->find("hunter2") == std::string::npos);
  CHECK(text->find("pg_password") == std::string::npos);
  CHECK(text->find("prefix = " + dir.path() + "\n") != std::string::npos);
  auto recorded = ReadKongEnvConfPath(files.kong_env);
  REQUIRE_OK(recorded.status());
  CHECK(recorded->empty());  // no kong.conf was read

  CHECK(ReadPidFile(files.pid_file).status().code() == StatusCode::kNotFound);
  REQUIRE_OK(WritePidFile(files.pid_file, 4242));
  auto pid = ReadPidFile(files.pid_file);
  REQUIRE_OK(pid.status());
  CHECK(*pid == 4242);
  REQUIRE_OK(base::AtomicWriteFile(files.pid_file, "garbage\n", 0644));
  CHECK(ReadPidFile(files.pid_file).status().code() == StatusCode::kInvalidArgument);
}

}  // TEST_SUITE

}  // namespace
}  // namespace kong::test
