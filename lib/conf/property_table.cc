// The property table: every kong.conf property we read, with Kong 3.x's default and type.
// Defaults follow kong/templates/kong_defaults.lua; types and enums kong/conf_loader/constants.lua.
#include <algorithm>

#include "conf/properties.h"

namespace kong::conf {
namespace {

using T = PropType;

constexpr std::string_view kRoles[] = {"data_plane", "control_plane", "traditional"};
// Ours: `sqlite` is added and is the default; Kong 3.x has postgres, cassandra (rejected), off.
constexpr std::string_view kDatabases[] = {"postgres", "off", "sqlite"};
constexpr std::string_view kLogLevels[] = {"debug", "info", "notice", "warn",
                                           "error", "crit", "alert",  "emerg"};
constexpr std::string_view kMtls[] = {"shared", "pki"};
constexpr std::string_view kOcsp[] = {"on", "off", "optional"};
constexpr std::string_view kRouterFlavors[] = {"traditional", "traditional_compatible",
                                               "expressions"};
constexpr std::string_view kConsistency[] = {"strict", "eventual"};
constexpr std::string_view kErrorTypes[] = {"application/json", "application/xml", "text/html",
                                            "text/plain"};

constexpr PropertyDef P(std::string_view name, std::string_view def, T type = T::kString) {
  return PropertyDef{name, def, type, {}, false};
}
constexpr PropertyDef Secret(std::string_view name, std::string_view def, T type = T::kString) {
  return PropertyDef{name, def, type, {}, true};
}
constexpr PropertyDef Enum(std::string_view name, std::string_view def,
                           std::span<const std::string_view> values) {
  return PropertyDef{name, def, T::kString, values, false};
}

// Kept sorted by name: lookups are binary searches (static_assert below).
constexpr PropertyDef kProperties[] = {
    P("admin_access_log", "logs/admin_access.log"),
    P("admin_error_log", "logs/error.log"),
    P("admin_gui_listen", "0.0.0.0:8002, 0.0.0.0:8445 ssl", T::kArray),
    P("admin_gui_ssl_cert", "NONE", T::kArray),
    Secret("admin_gui_ssl_cert_key", "NONE", T::kArray),
    P("admin_listen",
      "127.0.0.1:8001 reuseport backlog=16384, 127.0.0.1:8444 http2 ssl reuseport backlog=16384",
      T::kArray),
    P("admin_ssl_cert", "NONE", T::kArray),
    Secret("admin_ssl_cert_key", "NONE", T::kArray),
    P("anonymous_reports", "on", T::kBoolean),
    P("client_body_buffer_size", "8k"),
    P("client_max_body_size", "0"),
    P("cluster_ca_cert", "NONE"),
    P("cluster_cert", "NONE"),
    Secret("cluster_cert_key", "NONE"),
    P("cluster_cjson", "off", T::kBoolean),
    P("cluster_control_plane", "127.0.0.1:8005"),
    P("cluster_data_plane_purge_delay", "1209600", T::kNumber),
    P("cluster_dp_labels", "NONE", T::kArray),
    P("cluster_listen", "0.0.0.0:8005", T::kArray),
    P("cluster_max_payload", "16777216", T::kNumber),
    Enum("cluster_mtls", "shared", kMtls),
    Enum("cluster_ocsp", "off", kOcsp),
    P("cluster_push_coalesce_ms", "50", T::kNumber),  // ours, see docs/configuration.md
    P("cluster_rpc", "off", T::kBoolean),
    P("cluster_rpc_sync", "off", T::kBoolean),
    P("cluster_server_name", "NONE"),
    P("cluster_use_proxy", "off", T::kBoolean),
    Enum("database", "sqlite", kDatabases),
    P("db_cache_neg_ttl", "NONE", T::kNumber),
    P("db_cache_ttl", "0", T::kNumber),
    P("db_resurrect_ttl", "30", T::kNumber),
    P("db_update_frequency", "5", T::kNumber),
    P("db_update_propagation", "0", T::kNumber),
    P("declarative_config", "NONE"),  // read by a DB-less traditional node
    P("dedicated_config_processing", "on", T::kBoolean),
    P("dns_error_ttl", "1", T::kNumber),
    P("dns_hostsfile", "/etc/hosts"),
    P("dns_no_sync", "off", T::kBoolean),
    P("dns_not_found_ttl", "30", T::kNumber),
    P("dns_order", "LAST,SRV,A,CNAME", T::kArray),
    P("dns_resolver", "NONE", T::kArray),
    P("dns_stale_ttl", "4", T::kNumber),
    P("dns_valid_ttl", "NONE", T::kNumber),
    Enum("error_default_type", "text/plain", kErrorTypes),
    P("headers", "server_tokens, latency_tokens, X-Kong-Request-Id", T::kArray),
    P("headers_upstream", "X-Kong-Request-Id", T::kArray),
    P("lmdb_environment_path", "dbless.lmdb"),
    P("lmdb_map_size", "2048m"),
    Enum("log_level", "notice", kLogLevels),
    P("lua_ssl_trusted_certificate", "system", T::kArray),
    P("lua_ssl_verify_depth", "1", T::kNumber),
    P("mem_cache_size", "128m"),
    P("nginx_worker_processes", "auto"),
    P("node_id", "NONE"),
    P("pg_database", "kong"),
    P("pg_host", "127.0.0.1"),
    P("pg_max_concurrent_queries", "0", T::kNumber),
    Secret("pg_password", "NONE"),
    P("pg_port", "5432", T::kNumber),
    P("pg_schema", "NONE"),
    P("pg_semaphore_timeout", "60000", T::kNumber),
    P("pg_ssl", "off", T::kBoolean),
    P("pg_ssl_verify", "off", T::kBoolean),
    P("pg_timeout", "5000", T::kNumber),
    P("pg_user", "kong"),
    P("plugins", "bundled", T::kArray),
    P("prefix", "/usr/local/kong/"),
    P("proxy_access_log", "logs/access.log"),
    P("proxy_error_log", "logs/error.log"),
    P("proxy_listen",
      "0.0.0.0:8000 reuseport backlog=16384, 0.0.0.0:8443 http2 ssl reuseport backlog=16384",
      T::kArray),
    // Secret in Kong too: the URL may carry credentials.
    Secret("proxy_server", "NONE"),
    P("proxy_server_ssl_verify", "on", T::kBoolean),
    P("real_ip_header", "X-Real-IP"),
    P("real_ip_recursive", "off", T::kNgxBoolean),
    Enum("role", "traditional", kRoles),
    Enum("router_flavor", "traditional_compatible", kRouterFlavors),
    P("sqlite_path", "NONE"),  // ours, see docs/configuration.md
    P("ssl_cert", "NONE", T::kArray),
    Secret("ssl_cert_key", "NONE", T::kArray),
    P("status_access_log", "off"),
    P("status_error_log", "logs/status_error.log"),
    P("status_listen", "127.0.0.1:8007 reuseport backlog=16384", T::kArray),
    P("status_ssl_cert", "NONE", T::kArray),
    Secret("status_ssl_cert_key", "NONE", T::kArray),
    P("trusted_ips", "NONE", T::kArray),
    P("upstream_keepalive_idle_timeout", "60", T::kNumber),
    P("upstream_keepalive_max_requests", "10000", T::kNumber),
    P("upstream_keepalive_pool_size", "512", T::kNumber),
    Enum("worker_consistency", "eventual", kConsistency),
    P("worker_state_update_frequency", "5", T::kNumber),
};

// Kong's DYNAMIC_KEY_NAMESPACES prefixes (nginx_wasm_ covers its sub-namespaces).
constexpr std::string_view kDynamicPrefixes[] = {
    "nginx_main_",     "nginx_events_", "nginx_http_",  "nginx_upstream_", "nginx_proxy_",
    "nginx_location_", "nginx_status_", "nginx_admin_", "nginx_stream_",   "nginx_supstream_",
    "nginx_sproxy_",   "pluginserver_", "vault_",       "nginx_wasm_",
};

static_assert(std::is_sorted(std::begin(kProperties), std::end(kProperties),
                             [](const PropertyDef& a, const PropertyDef& b) {
                               return a.name < b.name;
                             }),
              "kProperties must stay sorted by name");

}  // namespace

std::string_view TypeName(PropType type) {
  switch (type) {
    case T::kString:
      return "string";
    case T::kNumber:
      return "number";
    case T::kBoolean:
      return "boolean";
    case T::kNgxBoolean:
      return "ngx_boolean";
    case T::kArray:
      return "array";
  }
  return "string";
}

std::span<const PropertyDef> Properties() { return kProperties; }

const PropertyDef* FindProperty(std::string_view name) {
  auto props = Properties();
  auto it = std::lower_bound(props.begin(), props.end(), name,
                             [](const PropertyDef& p, std::string_view n) { return p.name < n; });
  if (it == props.end() || it->name != name) return nullptr;
  return &*it;
}

bool IsDynamicKey(std::string_view name) {
  for (std::string_view prefix : kDynamicPrefixes) {
    if (name.size() > prefix.size() && name.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace kong::conf
