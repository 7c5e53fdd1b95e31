// Reads the proxy's certificate and trust settings from a validated Conf. Conf already checked
// that every entry loads (cert_checks.cc); they are loaded again here because Conf keeps the
// path, not the PEM, of array properties.
#include "proxy/proxy_tls_conf.h"

#include <utility>
#include <vector>

#include "base/files.h"
#include "base/macros.h"
#include "pki/pem.h"

namespace kong::proxy {
namespace {

Result<std::string> Load(const std::string& value, pki::PemKind kind, const char* setting) {
  auto pem = pki::LoadPemSource(value, kind);
  if (!pem.ok()) return Status::InvalidArgument(std::string(setting) + ": " + pem.status().message());
  return std::move(pem).value();
}

void AppendPem(std::string& bundle, std::string_view pem) {
  bundle += pem;
  if (!bundle.empty() && bundle.back() != '\n') bundle += '\n';
}

}  // namespace

Result<PemPair> ProxyCertificateFromConf(const Conf& conf) {
  const std::vector<std::string> certs = conf.GetList("ssl_cert");
  const std::vector<std::string> keys = conf.GetList("ssl_cert_key");
  if (certs.empty() && keys.empty()) return EnsureDefaultCertificate(conf.GetString("prefix"));
  if (certs.empty() || keys.empty()) {
    return Status::InvalidArgument(certs.empty() ? "ssl_cert must be specified"
                                                 : "ssl_cert_key must be specified");
  }
  PemPair pair;
  KONG_ASSIGN_OR_RETURN(pair.cert_pem, Load(certs[0], pki::PemKind::kCertificate, "ssl_cert"));
  KONG_ASSIGN_OR_RETURN(pair.key_pem, Load(keys[0], pki::PemKind::kPrivateKey, "ssl_cert_key"));
  return pair;
}

Result<std::string> TrustedCaFromConf(const Conf& conf) {
  std::string bundle;
  for (const std::string& entry : conf.GetList("lua_ssl_trusted_certificate")) {
    if (entry == "system") {
      auto system = base::ReadFile(kSystemCaBundle);
      if (!system.ok()) {
        return Status(system.status().code(), "lua_ssl_trusted_certificate: system: " +
                                                  system.status().message());
      }
      AppendPem(bundle, *system);
      continue;
    }
    KONG_ASSIGN_OR_RETURN(std::string pem, Load(entry, pki::PemKind::kCertificate,
                                                 "lua_ssl_trusted_certificate"));
    AppendPem(bundle, pem);
  }
  if (conf.GetString("role") == "data_plane") {
    AppendPem(bundle, conf.GetString("cluster_mtls") == "pki" ? conf.Pem("cluster_ca_cert")
                                                               : conf.Pem("cluster_cert"));
  }
  return bundle;
}

}  // namespace kong::proxy
