// GatewayOptionsFromConf: the proxy settings of kong.conf (proxy_listen, worker processes,
// client limits, real IP, headers, upstream keepalive, DNS TTLs, proxy certificates) mapped
// onto GatewayOptions, the same way for a data plane and a traditional node.
#ifndef KONG_GATEWAY_GATEWAY_CONF_H_
#define KONG_GATEWAY_GATEWAY_CONF_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/gateway.h"
#include "kong/conf.h"
#include "kong/status.h"

namespace kong::gateway {

// `kong_version` names the node in Server/Via ("3.10.0" gives "kong/3.10.0"). Reads files
// (ssl_cert, lua_ssl_trusted_certificate) and, when an ssl proxy_listen entry has no ssl_cert,
// creates or reuses <prefix>/ssl/kong-default.crt as Kong does. `proxy_listen = off` gives an
// empty `listen`: the node runs no proxy. Errors are kInvalidArgument naming the setting
// ("nginx_worker_processes: invalid value 'x' (auto or a positive number)").
// access_log and log_sink are left for the caller.
Result<GatewayOptions> GatewayOptionsFromConf(const Conf& conf, std::string_view kong_version);

// nginx's size syntax: a number with an optional k/K, m/M or g/G suffix ("8k", "10m", "0").
// kInvalidArgument "<setting>: invalid size '<value>'".
Result<size_t> ParseNginxSize(std::string_view value, std::string_view setting);

// nginx's time syntax: one or more number+unit terms (ms, s, m, h, d, w), no unit meaning
// seconds ("60s", "1m30s", "500ms", "75"). kInvalidArgument "<setting>: invalid time '<value>'".
Result<uint64_t> ParseNginxTimeMs(std::string_view value, std::string_view setting);

}  // namespace kong::gateway

#endif  // KONG_GATEWAY_GATEWAY_CONF_H_
