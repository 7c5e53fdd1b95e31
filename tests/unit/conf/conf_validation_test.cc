// Validation: each of Kong's rules and messages, and reporting every error.
#include "unit/conf/conf_fixture.h"

using kong::test::ClusterPairFiles;
using kong::test::LoadOverrides;
using kong::test::StringMap;
using kong::test::With;

namespace {

// Loads and expects failure with `error` as the only error.
void ExpectOnlyError(const StringMap& overrides, const std::string& error) {
  auto out = LoadOverrides(overrides);
  REQUIRE_FALSE(out.ok());
  CHECK(out.conf.status().code() == kong::StatusCode::kInvalidArgument);
  CHECK(out.first() == error);
  CHECK(out.errors == std::vector<std::string>{error});
}

void ExpectOk(const StringMap& overrides) {
  auto out = LoadOverrides(overrides);
  CHECK_MESSAGE(out.ok(), out.first());
}

const std::string kUsage =
    " must be of form: [off] | <ip>:<port> [ssl] [http2] [proxy_protocol] [deferred] [bind] "
    "[reuseport] [backlog=%d+] [ipv6only=on] [ipv6only=off] [so_keepalive=on] "
    "[so_keepalive=off] [so_keepalive=%w*:%w*:%d*], [... next entry ...]";

}  // namespace

TEST_SUITE("conf") {
  TEST_CASE("valid hybrid nodes load") {
    ClusterPairFiles pair;
    ExpectOk(pair.Hybrid("control_plane"));
    ExpectOk(pair.Hybrid("data_plane"));
    ExpectOk(With(pair.Hybrid("control_plane"), {{"database", "postgres"}}));
  }

  TEST_CASE("type and enum errors") {
    ExpectOnlyError({{"cluster_max_payload", "abc"}}, "cluster_max_payload is not a number: 'abc'");
    ExpectOnlyError({{"cluster_mtls", "pki_check_cn"}},
                    "cluster_mtls has an invalid value: 'pki_check_cn' (shared, pki)");
    ExpectOnlyError({{"database", "cassandra"}},
                    "database has an invalid value: 'cassandra' (postgres, off, sqlite)");
    ExpectOnlyError({{"role", "hybrid"}},
                    "role has an invalid value: 'hybrid' (data_plane, control_plane, traditional)");
    ExpectOnlyError({{"log_level", "verbose"}},
                    "log_level has an invalid value: 'verbose' (debug, info, notice, warn, error, "
                    "crit, alert, emerg)");
    ExpectOnlyError({{"router_flavor", "fast"}},
                    "router_flavor has an invalid value: 'fast' (traditional, "
                    "traditional_compatible, expressions)");
    ExpectOnlyError({{"cluster_ocsp", "maybe"}},
                    "cluster_ocsp has an invalid value: 'maybe' (on, off, optional)");
    ExpectOnlyError({{"worker_consistency", "magical"}},
                    "worker_consistency has an invalid value: 'magical' (strict, eventual)");
    ExpectOk({{"database", "postgres"}});
    ExpectOk({{"database", "off"}});
    ExpectOk({{"log_level", "debug"}});
  }

  TEST_CASE("hybrid roles need the cluster certificate and key") {
    for (const char* role : {"control_plane", "data_plane"}) {
      CAPTURE(role);
      StringMap m{{"role", role},
                  {"database", role == std::string("data_plane") ? "off" : "sqlite"}};
      ExpectOnlyError(m, "cluster certificate and key must be provided to use Hybrid mode");
      ClusterPairFiles pair;
      ExpectOnlyError(With(m, {{"cluster_cert", pair.cert}}),
                      "cluster certificate and key must be provided to use Hybrid mode");
      ExpectOnlyError(With(m, {{"cluster_cert_key", pair.key}}),
                      "cluster certificate and key must be provided to use Hybrid mode");
    }
    ExpectOk({{"role", "traditional"}});
  }

  TEST_CASE("data plane: only in-memory storage") {
    ClusterPairFiles pair;
    ExpectOnlyError(With(pair.Hybrid("data_plane"), {{"database", "sqlite"}}),
                    "only in-memory storage can be used when role = \"data_plane\"\n"
                    "Hint: set database = off in your kong.conf");
    ExpectOnlyError(With(pair.Hybrid("data_plane"), {{"database", "postgres"}}),
                    "only in-memory storage can be used when role = \"data_plane\"\n"
                    "Hint: set database = off in your kong.conf");
  }

  TEST_CASE("control plane: no in-memory storage, listeners and pki CA required") {
    ClusterPairFiles pair;
    const StringMap cp = pair.Hybrid("control_plane");
    ExpectOnlyError(With(cp, {{"database", "off"}}),
                    "in-memory storage can not be used when role = \"control_plane\"");
    ExpectOnlyError(With(cp, {{"admin_listen", "off"}}),
                    "admin_listen must be specified when role = \"control_plane\"");
    ExpectOnlyError(With(cp, {{"cluster_listen", "off"}}),
                    "cluster_listen must be specified when role = \"control_plane\"");
    ExpectOnlyError(With(cp, {{"cluster_mtls", "pki"}}),
                    "cluster_ca_cert must be specified when cluster_mtls = \"pki\"");
    ExpectOk(With(cp, {{"cluster_mtls", "pki"}, {"cluster_ca_cert", pair.cert}}));
    // Only the CP needs the CA in Kong.
    ExpectOk(With(pair.Hybrid("data_plane"), {{"cluster_mtls", "pki"}}));
  }

  TEST_CASE("data plane: proxy_listen required") {
    ClusterPairFiles pair;
    ExpectOnlyError(With(pair.Hybrid("data_plane"), {{"proxy_listen", "off"}}),
                    "proxy_listen must be specified when role = \"data_plane\"");
    ExpectOk(With(pair.Hybrid("control_plane"), {{"proxy_listen", "off"}}));
  }

  TEST_CASE("cluster_use_proxy rules") {
    ClusterPairFiles pair;
    ExpectOnlyError(With(pair.Hybrid("control_plane"), {{"cluster_use_proxy", "on"}}),
                    "cluster_use_proxy can not be used when role = \"control_plane\"");
    ExpectOnlyError(With(pair.Hybrid("data_plane"), {{"cluster_use_proxy", "on"}}),
                    "cluster_use_proxy is turned on but no proxy_server is configured");
    ExpectOk(With(pair.Hybrid("data_plane"),
                  {{"cluster_use_proxy", "on"}, {"proxy_server", "http://proxy.local:3128"}}));
  }

  TEST_CASE("proxy_server must be an http(s) URL with a host") {
    ExpectOnlyError({{"proxy_server", "proxy.local"}}, "proxy_server missing scheme");
    ExpectOnlyError({{"proxy_server", "socks5://proxy.local:1080"}},
                    "proxy_server only supports \"http\" and \"https\", got socks5");
    ExpectOnlyError({{"proxy_server", "http:///path"}}, "proxy_server missing host");
    ExpectOnlyError({{"proxy_server", "http://proxy.local:3128/?x=1"}},
                    "fragments, query strings or parameters are meaningless in proxy "
                    "configuration");
    ExpectOk({{"proxy_server", "https://user:secret@proxy.local:3128"}});
  }

  TEST_CASE("cluster_dp_labels rules") {
    ClusterPairFiles pair;
    const StringMap labels{{"cluster_dp_labels", "deployment:mycloud,region:us-east-1"}};
    ExpectOk(With(pair.Hybrid("data_plane"), labels));
    ExpectOnlyError(With(pair.Hybrid("control_plane"), labels),
                    "cluster_dp_labels can not be used when role = \"control_plane\"");
    ExpectOnlyError(labels, "cluster_dp_labels can only be used when role = \"data_plane\"");

    const StringMap dp = pair.Hybrid("data_plane");
    ExpectOnlyError(
        With(dp, {{"cluster_dp_labels", "kong_owner:x"}}),
        "label key validation failed: kong_owner is invalid. Must match pattern: "
        "(?!kong)(?!konnect)(?!insomnia)(?!mesh)(?!kic)[a-z0-9]([\\w\\.:-]*[a-z0-9]|)$");
    ExpectOnlyError(With(dp, {{"cluster_dp_labels", "team:-bad"}}),
                    "label value validation failed: -bad is invalid. Must match pattern: "
                    "[a-z0-9]([\\w\\.:-]*[a-z0-9]|)$");
    ExpectOnlyError(With(dp, {{"cluster_dp_labels", "nocolon"}}),
                    "label key validation failed:  must have between 1 and 63 characters");
    ExpectOnlyError(With(dp, {{"cluster_dp_labels", "team:" + std::string(64, 'a')}}),
                    "label value validation failed: " + std::string(64, 'a') +
                        " must have between 1 and 63 characters");
    std::string eleven;
    for (int i = 0; i < 11; ++i) eleven += "k" + std::to_string(i) + ":v,";
    ExpectOnlyError(With(dp, {{"cluster_dp_labels", eleven}}),
                    "labels validation failed: count exceeded 10 max elements");
  }

  TEST_CASE("purge delay and max payload minimums") {
    ExpectOnlyError({{"cluster_data_plane_purge_delay", "59"}},
                    "cluster_data_plane_purge_delay must be 60 or greater");
    ExpectOk({{"cluster_data_plane_purge_delay", "60"}});
    ExpectOnlyError({{"cluster_max_payload", "4194303"}},
                    "cluster_max_payload must be 4194304 (4MB) or greater");
    ExpectOk({{"cluster_max_payload", "4194304"}});
  }

  TEST_CASE("node_id must be a UUID") {
    ExpectOnlyError({{"node_id", "not-a-uuid"}}, "node_id must be a valid UUID");
    ExpectOnlyError({{"node_id", "3487f520-1e2f-4f0e-9c8a-0c5f2a4b6d7"}},
                    "node_id must be a valid UUID");
    ExpectOk({{"node_id", "3487F520-1e2f-4f0e-9c8a-0c5f2a4b6d7e"}});
  }

  TEST_CASE("listen addresses follow Kong's syntax") {
    ExpectOnlyError({{"admin_listen", "127.0.0.1"}}, "admin_listen" + kUsage);
    ExpectOnlyError({{"proxy_listen", "0.0.0.0:8000 turbo"}}, "proxy_listen" + kUsage);
    ExpectOnlyError({{"status_listen", "256.0.0.1:8007"}}, "status_listen" + kUsage);
    ExpectOnlyError({{"cluster_listen", "::1:8005"}}, "cluster_listen" + kUsage);
    ExpectOnlyError({{"admin_gui_listen", "0.0.0.0:99999"}}, "admin_gui_listen" + kUsage);
    ExpectOnlyError({{"admin_listen", ""}}, "admin_listen" + kUsage);
    ExpectOk(
        {{"admin_listen", "[::1]:8001 ssl http2, localhost:8002 backlog=10 reuseport"},
         {"proxy_listen", "*:8000 proxy_protocol deferred bind ipv6only=on"},
         {"status_listen", "off"},
         {"cluster_listen", "0.0.0.0:8005 so_keepalive=30m::10, 0.0.0.0:8006 so_keepalive=on"}});
  }

  TEST_CASE("other Kong checks") {
    ExpectOnlyError({{"headers", "server_tokens, X-Powered-By"}},
                    "headers: invalid entry 'X-Powered-By'");
    ExpectOk({{"headers", "off"}});
    ExpectOk({{"headers", "Via, X-Kong-Request-Id"}});
    ExpectOk({{"headers_upstream", "off"}});
    ExpectOnlyError({{"headers_upstream", "X-Kong-Request-Id, Via"}},
                    "headers_upstream: invalid entry 'Via'");
    ExpectOnlyError({{"dns_resolver", "8.8.8.8, dns.google"}},
                    "dns_resolver must be a comma separated list in the form of IPv4/6 or "
                    "IPv4/6:port, got 'dns.google'");
    ExpectOk({{"dns_resolver", "8.8.8.8:53, [::1]:53, ::1, 1.1.1.1"}});
    ExpectOnlyError({{"dns_order", "LAST,MX"}}, "dns_order: invalid entry 'MX'");
    ExpectOnlyError({{"trusted_ips", "10.0.0.0/33"}},
                    "trusted_ips must be a comma separated list in the form of IPv4 or IPv6 "
                    "address or CIDR block or 'unix:', got '10.0.0.0/33'");
    ExpectOk({{"trusted_ips", "0.0.0.0/0, ::/0, unix:, 192.168.0.1, fe80::1/64"}});
    ExpectOnlyError({{"pg_max_concurrent_queries", "-1"}},
                    "pg_max_concurrent_queries must be greater than 0");
    ExpectOnlyError({{"pg_semaphore_timeout", "1.5"}},
                    "pg_semaphore_timeout must be an integer greater than 0");
    ExpectOnlyError({{"worker_state_update_frequency", "0"}},
                    "worker_state_update_frequency must be greater than 0");
    ExpectOnlyError({{"upstream_keepalive_pool_size", "-1"}},
                    "upstream_keepalive_pool_size must be 0 or greater");
    ExpectOnlyError({{"upstream_keepalive_max_requests", "-1"}},
                    "upstream_keepalive_max_requests must be 0 or greater");
    ExpectOnlyError({{"upstream_keepalive_idle_timeout", "-1"}},
                    "upstream_keepalive_idle_timeout must be 0 or greater");
    ExpectOnlyError({{"cluster_push_coalesce_ms", "-5"}},
                    "cluster_push_coalesce_ms must be 0 or greater");
    ExpectOk({{"cluster_push_coalesce_ms", "0"}});
  }

  TEST_CASE("ssl_cert and ssl_cert_key pair up on listeners with ssl") {
    ClusterPairFiles pair;
    ExpectOnlyError({{"ssl_cert", pair.cert}}, "ssl_cert_key must be specified");
    ExpectOnlyError({{"admin_ssl_cert_key", pair.key}}, "admin_ssl_cert must be specified");
    ExpectOnlyError({{"ssl_cert", pair.cert + "," + pair.cert}, {"ssl_cert_key", pair.key}},
                    "ssl_cert was specified 2 times while ssl_cert_key was specified 1 times");
    ExpectOnlyError({{"status_listen", "127.0.0.1:8007 ssl"},
                     {"status_ssl_cert", pair.key},
                     {"status_ssl_cert_key", pair.key}},
                    "status_ssl_cert: failed loading certificate from " + pair.key);
    // Without an ssl listener Kong does not look at them.
    ExpectOk({{"status_ssl_cert", pair.cert}});
    ExpectOk({{"ssl_cert", pair.cert}, {"ssl_cert_key", pair.key}});
  }

  TEST_CASE("cluster_rpc_sync needs cluster_rpc") {
    auto out = LoadOverrides({{"cluster_rpc_sync", "on"}});
    REQUIRE(out.ok());
    CHECK_FALSE(out.conf->GetBool("cluster_rpc_sync"));
    out = LoadOverrides({{"cluster_rpc_sync", "on"}, {"cluster_rpc", "on"}});
    CHECK(out.conf->GetBool("cluster_rpc_sync"));
  }

  TEST_CASE("every error is reported; the Status carries the first") {
    auto out = LoadOverrides({{"role", "data_plane"},
                              {"cluster_max_payload", "1"},
                              {"cluster_data_plane_purge_delay", "5"},
                              {"log_level", "loud"},
                              {"node_id", "x"},
                              {"admin_listen", "nowhere"}});
    REQUIRE_FALSE(out.ok());
    const std::vector<std::string> expected{
        "log_level has an invalid value: 'loud' (debug, info, notice, warn, error, crit, "
        "alert, emerg)",
        "cluster certificate and key must be provided to use Hybrid mode",
        "only in-memory storage can be used when role = \"data_plane\"\n"
        "Hint: set database = off in your kong.conf",
        "cluster_data_plane_purge_delay must be 60 or greater",
        "cluster_max_payload must be 4194304 (4MB) or greater",
        "node_id must be a valid UUID",
        "admin_listen" + kUsage,
    };
    CHECK(out.errors == expected);
    CHECK(out.first() == expected.front());
    // all_errors is optional.
    CHECK_FALSE(kong::Conf::Load(kong::ConfSources{.overrides = {{"node_id", "x"}}}).ok());
  }
}
