// Reads the cluster_* properties; the Conf already checked that they parse (cert_checks.cc).
#include "cluster/cluster_conf.h"

#include <string>
#include <utility>

#include "base/macros.h"

namespace kong::cluster {

tls::ClusterTlsSettings ClusterTlsSettingsFromConf(const Conf& conf) {
  tls::ClusterTlsSettings settings;
  settings.mode = conf.GetString("cluster_mtls") == "pki" ? tls::ClusterMtlsMode::kPki
                                                          : tls::ClusterMtlsMode::kShared;
  settings.cert_pem = conf.Pem("cluster_cert");
  settings.key_pem = conf.Pem("cluster_cert_key");
  settings.ca_pem = conf.Pem("cluster_ca_cert");
  settings.server_name = conf.GetString("cluster_server_name");
  settings.control_plane = conf.GetString("cluster_control_plane");
  return settings;
}

Result<std::shared_ptr<const tls::ClusterTrust>> ClusterTrustFromConf(const Conf& conf) {
  KONG_ASSIGN_OR_RETURN(tls::ClusterTrust trust,
                        tls::ClusterTrust::Create(ClusterTlsSettingsFromConf(conf)));
  return std::make_shared<const tls::ClusterTrust>(std::move(trust));
}

}  // namespace kong::cluster
