// Conf::Load: sources and precedence, Kong's defaults, paths, typed views and Entries.
#include <algorithm>

#include "base/files.h"
#include "unit/conf/conf_fixture.h"

using kong::Conf;
using kong::ConfSources;
using kong::StatusCode;
using kong::test::LoadFrom;
using kong::test::LoadOverrides;
using kong::test::TempDir;
using kong::test::WriteTestFile;

TEST_SUITE("conf") {
  TEST_CASE("Kong 3.x defaults, with sqlite as our database") {
    auto out = LoadOverrides({});
    REQUIRE_MESSAGE(out.ok(), out.first());
    const Conf& c = *out.conf;
    CHECK(c.path() == "");
    CHECK(c.GetString("role") == "traditional");
    CHECK(c.GetString("database") == "sqlite");
    CHECK(c.GetString("cluster_max_payload") == "16777216");
    CHECK(c.GetNumber("cluster_data_plane_purge_delay") == 1209600);
    CHECK(c.GetString("cluster_mtls") == "shared");
    CHECK(c.GetString("cluster_control_plane") == "127.0.0.1:8005");
    CHECK(c.GetList("cluster_listen") == std::vector<std::string>{"0.0.0.0:8005"});
    CHECK(c.GetList("status_listen") ==
          std::vector<std::string>{"127.0.0.1:8007 reuseport backlog=16384"});
    CHECK(c.GetList("admin_listen") ==
          std::vector<std::string>{"127.0.0.1:8001 reuseport backlog=16384",
                                   "127.0.0.1:8444 http2 ssl reuseport backlog=16384"});
    CHECK(c.GetString("prefix") == "/usr/local/kong");
    CHECK(c.GetString("sqlite_path") == "/usr/local/kong/kong.db");
    CHECK(c.GetString("log_level") == "notice");
    CHECK(c.GetString("router_flavor") == "traditional_compatible");
    CHECK(c.GetNumber("upstream_keepalive_pool_size") == 512);
    CHECK(c.GetNumber("upstream_keepalive_max_requests") == 10000);
    CHECK(c.GetNumber("cluster_push_coalesce_ms") == 50);
    CHECK(c.GetNumber("pg_port") == 5432);
    CHECK(c.GetString("pg_user") == "kong");
    CHECK_FALSE(c.Has("pg_password"));
    CHECK(c.GetBool("anonymous_reports"));
    CHECK(c.GetBool("dedicated_config_processing"));
    CHECK_FALSE(c.GetBool("cluster_use_proxy"));
    CHECK(c.GetList("headers") ==
          std::vector<std::string>{"server_tokens", "latency_tokens", "X-Kong-Request-Id"});
    CHECK(c.GetList("headers_upstream") == std::vector<std::string>{"X-Kong-Request-Id"});
    CHECK(c.GetList("lua_ssl_trusted_certificate") == std::vector<std::string>{"system"});
    CHECK_FALSE(c.Has("node_id"));
    CHECK_FALSE(c.Has("cluster_cert"));
    CHECK(c.Pem("cluster_cert") == "");
  }

  TEST_CASE("precedence: defaults < file < KONG_* env < overrides") {
    TempDir dir;
    WriteTestFile(dir.File("kong.conf"),
                  "pg_host = from-file\npg_user = from-file\npg_database = from-file\n");
    ConfSources sources;
    sources.path = dir.File("kong.conf");
    sources.env = {{"KONG_PG_USER", "from-env"},
                   {"KONG_PG_DATABASE", "from-env"},
                   {"PG_HOST", "not-a-kong-variable"}};
    sources.overrides = {{"pg_database", "from-override"}};
    auto out = LoadFrom(sources);
    REQUIRE_MESSAGE(out.ok(), out.first());
    CHECK(out.conf->GetString("pg_host") == "from-file");
    CHECK(out.conf->GetString("pg_user") == "from-env");
    CHECK(out.conf->GetString("pg_database") == "from-override");
    CHECK(out.conf->GetString("pg_schema") == "");  // default NONE
    CHECK(out.conf->path() == dir.File("kong.conf"));
  }

  TEST_CASE("env values are typed like file values; an empty one unsets") {
    auto out = LoadOverrides({}, {{"KONG_TRUSTED_IPS", "10.0.0.1, 10.0.0.2"},
                                  {"KONG_ANONYMOUS_REPORTS", "off"},
                                  {"KONG_PG_HOST", ""},
                                  {"KONG_NGINX_HTTP_CLIENT_MAX_BODY_SIZE", "8m"}});
    REQUIRE_MESSAGE(out.ok(), out.first());
    CHECK(out.conf->GetList("trusted_ips") == std::vector<std::string>{"10.0.0.1", "10.0.0.2"});
    CHECK_FALSE(out.conf->GetBool("anonymous_reports"));
    CHECK_FALSE(out.conf->Has("pg_host"));
    CHECK(out.conf->GetString("nginx_http_client_max_body_size") == "8m");
  }

  TEST_CASE("a missing file: no file at: <path>") {
    std::vector<std::string> errors;
    ConfSources sources;
    sources.path = "/nonexistent-kong-dir/kong.conf";
    auto r = Conf::Load(sources, &errors);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kNotFound);
    CHECK(r.status().message() == "no file at: /nonexistent-kong-dir/kong.conf");
    CHECK(errors == std::vector<std::string>{"no file at: /nonexistent-kong-dir/kong.conf"});
  }

  TEST_CASE("default paths are searched only when asked") {
    ConfSources sources;
    sources.search_default_paths = true;
    auto out = LoadFrom(sources);
    REQUIRE_MESSAGE(out.ok(), out.first());
    std::string expected;
    for (const char* p : {"/etc/kong/kong.conf", "/etc/kong.conf"}) {
      if (expected.empty() && kong::base::PathExists(p)) expected = p;
    }
    CHECK(out.conf->path() == expected);
    sources.search_default_paths = false;
    CHECK(LoadFrom(sources).conf->path() == "");
  }

  TEST_CASE("prefix is made absolute; sqlite_path resolves against it") {
    TempDir dir;
    auto out = LoadOverrides({{"prefix", dir.path() + "//run/./"}});
    REQUIRE(out.ok());
    CHECK(out.conf->GetString("prefix") == dir.path() + "/run");
    CHECK(out.conf->GetString("sqlite_path") == dir.path() + "/run/kong.db");

    out = LoadOverrides({{"prefix", dir.path()}, {"sqlite_path", "data/k.db"}});
    CHECK(out.conf->GetString("sqlite_path") == dir.path() + "/data/k.db");
    out = LoadOverrides({{"prefix", dir.path()}, {"sqlite_path", "/var/lib/k.db"}});
    CHECK(out.conf->GetString("sqlite_path") == "/var/lib/k.db");

    out = LoadOverrides({{"prefix", "relative/prefix"}});
    REQUIRE(out.ok());
    const std::string p = out.conf->GetString("prefix");
    CHECK(p.front() == '/');
    CHECK(p.ends_with("/relative/prefix"));
  }

  TEST_CASE("typed views of unknown or unset keys are empty") {
    auto out = LoadOverrides({});
    const Conf& c = *out.conf;
    CHECK_FALSE(c.Has("nope"));
    CHECK(c.GetString("nope") == "");
    CHECK_FALSE(c.GetBool("nope"));
    CHECK(c.GetNumber("nope") == 0);
    CHECK(c.GetList("nope").empty());
    CHECK(c.GetNumber("pg_user") == 0);
    CHECK_FALSE(c.GetBool("pg_user"));
    CHECK(c.GetList("pg_user") == std::vector<std::string>{"kong"});
  }

  TEST_CASE("Entries lists every known property, sorted, secrets redacted when asked") {
    auto out = LoadOverrides({{"pg_password", "hunter2"}, {"proxy_server", "http://u:p@h:1"}});
    REQUIRE_MESSAGE(out.ok(), out.first());
    auto plain = out.conf->Entries(false);
    auto redacted = out.conf->Entries(true);
    auto names = Conf::KnownProperties();
    CHECK(std::is_sorted(names.begin(), names.end()));
    REQUIRE(plain.size() == names.size());
    for (size_t i = 0; i < names.size(); ++i) CHECK(plain[i].first == names[i]);
    auto find = [](const auto& entries, const std::string& k) {
      for (const auto& [name, value] : entries) {
        if (name == k) return value;
      }
      return std::string("<absent>");
    };
    CHECK(find(plain, "pg_password") == "hunter2");
    CHECK(find(redacted, "pg_password") == "******");
    CHECK(find(redacted, "proxy_server") == "******");
    CHECK(find(redacted, "cluster_cert_key") == "");  // unset secrets stay empty
    CHECK(find(redacted, "pg_user") == "kong");
    CHECK(find(redacted, "cluster_max_payload") == "16777216");
    CHECK(find(redacted, "headers") == "server_tokens, latency_tokens, X-Kong-Request-Id");
  }

  TEST_CASE("every secret property is redacted") {
    kong::test::ClusterPairFiles pair;
    auto out = LoadOverrides(
        kong::test::With(pair.Hybrid("control_plane"), {{"ssl_cert", pair.cert},
                                                        {"ssl_cert_key", pair.key},
                                                        {"admin_ssl_cert", pair.cert},
                                                        {"admin_ssl_cert_key", pair.key},
                                                        {"status_ssl_cert", pair.cert},
                                                        {"status_ssl_cert_key", pair.key},
                                                        {"admin_gui_ssl_cert", pair.cert},
                                                        {"admin_gui_ssl_cert_key", pair.key},
                                                        {"pg_password", "pw"},
                                                        {"proxy_server", "http://h:1"}}));
    REQUIRE_MESSAGE(out.ok(), out.first());
    std::vector<std::string> redacted;
    for (const auto& [name, value] : out.conf->Entries(true)) {
      if (value == "******") redacted.push_back(name);
    }
    CHECK(redacted == std::vector<std::string>{"admin_gui_ssl_cert_key", "admin_ssl_cert_key",
                                               "cluster_cert_key", "pg_password", "proxy_server",
                                               "ssl_cert_key", "status_ssl_cert_key"});
  }

  TEST_CASE("Conf is a cheap immutable value") {
    auto out = LoadOverrides({{"pg_user", "alice"}});
    Conf a = *out.conf;
    Conf b = a;
    CHECK(b.GetString("pg_user") == "alice");
    Conf c = std::move(a);
    CHECK(c.GetString("pg_user") == "alice");
    CHECK(a.GetString("pg_user") == "");  // NOLINT: a moved-from Conf reads as empty
    a = c;
    CHECK(a.GetString("pg_user") == "alice");
  }
}
