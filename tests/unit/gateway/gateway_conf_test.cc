// GatewayOptionsFromConf: kong.conf's proxy settings mapped onto GatewayOptions, with one-line
// errors naming the setting.
#include <doctest/doctest.h>

#include <limits>
#include <map>
#include <string>

#include "base/files.h"
#include "gateway/gateway_conf.h"
#include "support/test_support.h"

namespace kong::test {
namespace {

using gateway::GatewayOptions;
using gateway::GatewayOptionsFromConf;

Result<GatewayOptions> FromConf(const TempDir& dir, std::map<std::string, std::string> overrides) {
  overrides.emplace("prefix", dir.path());
  overrides.emplace("proxy_listen", "127.0.0.1:0");  // no ssl: no default certificate
  ConfSources sources;
  sources.overrides = std::move(overrides);
  Result<Conf> conf = Conf::Load(sources);
  REQUIRE_OK(conf.status());
  return GatewayOptionsFromConf(*conf, "3.10.0");
}

std::string ErrorOf(const TempDir& dir, std::map<std::string, std::string> overrides) {
  Result<GatewayOptions> options = FromConf(dir, std::move(overrides));
  REQUIRE_FALSE(options.ok());
  CHECK(options.status().code() == StatusCode::kInvalidArgument);
  CHECK(options.status().message().find('\n') == std::string::npos);
  return options.status().message();
}

TEST_SUITE("gateway") {
  TEST_CASE("Kong's defaults") {
    TempDir dir;
    ConfSources sources;
    sources.overrides = {{"prefix", dir.path()}};
    Result<Conf> conf = Conf::Load(sources);
    REQUIRE_OK(conf.status());
    Result<GatewayOptions> o = GatewayOptionsFromConf(*conf, "3.10.0");
    REQUIRE_OK(o.status());
    REQUIRE(o->listen.size() == 2);
    CHECK(o->listen[0].Address() == "0.0.0.0:8000");
    CHECK(o->listen[0].reuseport);
    CHECK(o->listen[0].backlog == 16384);
    CHECK(o->listen[1].Address() == "0.0.0.0:8443");
    CHECK(o->listen[1].ssl);
    CHECK(o->listen[1].http2);
    CHECK(o->workers == 0);  // auto
    CHECK(o->http.server_name == "kong/3.10.0");
    CHECK(o->upstream_headers.server_token == "kong/3.10.0");
    CHECK(o->http.max_body_size == 0);  // client_max_body_size 0: no limit
    CHECK(o->upstream_headers.real_ip_header == "X-Real-IP");
    CHECK(o->trusted_ips.empty());
    CHECK(o->response_headers.via);
    CHECK(o->response_headers.upstream_latency);
    CHECK(o->pool.max_idle_per_peer == 512);
    CHECK(o->pool.max_requests == 10000);
    CHECK(o->pool.idle_timeout_ms == 60000);
    CHECK(o->dns.stale_ttl_ms == 4000);
    CHECK(o->dns.error_ttl_ms == 1000);
    CHECK(o->log_level == LogLevel::kNotice);
    // The ssl listener gets Kong's generated fallback certificate in the prefix.
    CHECK(o->ssl_cert_pem.find("BEGIN CERTIFICATE") != std::string::npos);
    CHECK(o->ssl_key_pem.find("PRIVATE KEY") != std::string::npos);
    CHECK(base::PathExists(dir.File("ssl/kong-default.crt")));
  }

  TEST_CASE("proxy_listen = off runs no proxy and needs no certificate") {
    TempDir dir;
    Result<GatewayOptions> o = FromConf(dir, {{"proxy_listen", "off"}});
    REQUIRE_OK(o.status());
    CHECK(o->listen.empty());
    CHECK(o->ssl_cert_pem.empty());
  }

  TEST_CASE("settings are mapped") {
    TempDir dir;
    Result<GatewayOptions> o =
        FromConf(dir, {{"nginx_worker_processes", "3"},
                       {"client_max_body_size", "10m"},
                       {"client_body_buffer_size", "16k"},
                       {"nginx_http_large_client_header_buffers", "8 16k"},
                       {"nginx_http_client_header_timeout", "1m30s"},
                       {"nginx_proxy_client_body_timeout", "500ms"},
                       {"nginx_http_keepalive_timeout", "75s 60s"},
                       {"nginx_http_keepalive_requests", "50"},
                       {"real_ip_header", "X-Forwarded-For"},
                       {"trusted_ips", "10.0.0.0/8, ::1"},
                       {"headers", "off"},
                       {"upstream_keepalive_pool_size", "0"},
                       {"upstream_keepalive_max_requests", "0"},
                       {"upstream_keepalive_idle_timeout", "5"},
                       {"dns_valid_ttl", "7"},
                       {"dns_stale_ttl", "2"},
                       {"dns_error_ttl", "0"},
                       {"log_level", "debug"}});
    REQUIRE_OK(o.status());
    CHECK(o->workers == 3);
    CHECK(o->http.max_body_size == 10 * 1024 * 1024);
    CHECK(o->http.max_request_line_size == 16 * 1024);
    CHECK(o->http.max_header_line_size == 16 * 1024);
    CHECK(o->http.max_header_size == 8 * 16 * 1024);
    CHECK(o->http.header_timeout_ms == 90000);
    CHECK(o->http.body_timeout_ms == 500);
    CHECK(o->http.keepalive_timeout_ms == 75000);
    CHECK(o->http.max_requests_per_connection == 50);
    CHECK(o->upstream_headers.real_ip_header == "X-Forwarded-For");
    CHECK(o->trusted_ips.IsTrusted("10.1.2.3"));
    CHECK(o->trusted_ips.IsTrusted("::1"));
    CHECK_FALSE(o->trusted_ips.IsTrusted("192.168.0.1"));
    CHECK_FALSE(o->response_headers.via);
    CHECK_FALSE(o->response_headers.server);
    CHECK(o->pool.max_idle_per_peer == 0);
    CHECK(o->pool.max_requests == std::numeric_limits<size_t>::max());  // 0: no limit
    CHECK(o->pool.idle_timeout_ms == 5000);
    CHECK(o->dns.valid_ttl_ms == 7000);
    CHECK(o->dns.stale_ttl_ms == 2000);
    CHECK(o->dns.error_ttl_ms == 0);
    CHECK(o->log_level == LogLevel::kDebug);
  }

  TEST_CASE("Kong 3.x nginx_http_ names win over the old aliases") {
    TempDir dir;
    Result<GatewayOptions> o = FromConf(dir, {{"client_max_body_size", "1m"},
                                              {"nginx_http_client_max_body_size", "2k"},
                                              {"nginx_main_worker_processes", "2"},
                                              {"nginx_worker_processes", "5"}});
    REQUIRE_OK(o.status());
    CHECK(o->http.max_body_size == 2048);
    CHECK(o->workers == 2);
  }

  TEST_CASE("bad values are one-line errors naming the setting") {
    TempDir dir;
    CHECK(ErrorOf(dir, {{"nginx_worker_processes", "many"}}) ==
          "nginx_worker_processes: invalid value 'many' (auto or a number from 1 to 1024)");
    CHECK(ErrorOf(dir, {{"client_max_body_size", "10x"}}) ==
          "client_max_body_size: invalid size '10x'");
    CHECK(ErrorOf(dir, {{"nginx_http_client_max_body_size", "-1"}}) ==
          "nginx_http_client_max_body_size: invalid size '-1'");
    CHECK(ErrorOf(dir, {{"nginx_http_keepalive_timeout", "soon"}}) ==
          "nginx_http_keepalive_timeout: invalid time 'soon'");
    CHECK(ErrorOf(dir, {{"nginx_http_large_client_header_buffers", "8k"}}) ==
          "nginx_http_large_client_header_buffers: invalid value '8k' (expected '<number> <size>')");
    // trusted_ips and headers are refused by Conf::Load already (kong check's messages).
    CHECK(ErrorOf(dir, {{"real_ip_recursive", "on"}}) ==
          "real_ip_recursive: 'on' is not supported (only off)");
  }

  TEST_CASE("nginx size and time syntax") {
    CHECK(*gateway::ParseNginxSize("0", "x") == 0);
    CHECK(*gateway::ParseNginxSize("8k", "x") == 8192);
    CHECK(*gateway::ParseNginxSize("1G", "x") == 1073741824);
    CHECK_FALSE(gateway::ParseNginxSize("", "x").ok());
    CHECK_FALSE(gateway::ParseNginxSize("k", "x").ok());
    CHECK(*gateway::ParseNginxTimeMs("75", "x") == 75000);
    CHECK(*gateway::ParseNginxTimeMs("1h2m3s4ms", "x") == 3723004);
    CHECK(*gateway::ParseNginxTimeMs("1d", "x") == 86400000);
    CHECK_FALSE(gateway::ParseNginxTimeMs("5 3", "x").ok());
    CHECK_FALSE(gateway::ParseNginxTimeMs("5y", "x").ok());
  }
}

}  // namespace
}  // namespace kong::test
