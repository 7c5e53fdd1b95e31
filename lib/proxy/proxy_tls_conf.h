// kong.conf's TLS settings of the proxy resolved to PEM text: ssl_cert/ssl_cert_key (the
// proxy listener's default certificate) and lua_ssl_trusted_certificate (upstream trust).
#ifndef KONG_PROXY_PROXY_TLS_CONF_H_
#define KONG_PROXY_PROXY_TLS_CONF_H_

#include <string>

#include "kong/conf.h"
#include "kong/status.h"
#include "proxy/proxy_certificates.h"

namespace kong::proxy {

// Where "system" in lua_ssl_trusted_certificate points (Debian's CA bundle).
inline constexpr const char* kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

// The first ssl_cert/ssl_cert_key pair (each a path, inline PEM or base64 of PEM, as Kong
// accepts); when ssl_cert is unset, Kong's generated fallback under `prefix`
// (EnsureDefaultCertificate). Errors name the setting and the file: "ssl_cert: failed loading
// certificate from /etc/kong/x.crt". Reads files on the calling thread.
Result<PemPair> ProxyCertificateFromConf(const Conf& conf);

// lua_ssl_trusted_certificate as one PEM bundle, "system" replaced by kSystemCaBundle; on a
// data plane Kong also trusts cluster_cert (shared mode) or cluster_ca_cert (pki mode), and so
// does this. "" when nothing is trusted. Errors name the setting and the file.
Result<std::string> TrustedCaFromConf(const Conf& conf);

}  // namespace kong::proxy

#endif  // KONG_PROXY_PROXY_TLS_CONF_H_
