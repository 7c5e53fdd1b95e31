// The cluster_* settings of kong.conf read into the forms lib/tls and lib/cluster take.
#ifndef KONG_CLUSTER_CLUSTER_CONF_H_
#define KONG_CLUSTER_CLUSTER_CONF_H_

#include <memory>

#include "kong/conf.h"
#include "kong/status.h"
#include "tls/cluster_trust.h"

namespace kong::cluster {

// cluster_mtls, cluster_cert, cluster_cert_key, cluster_ca_cert, cluster_server_name and
// cluster_control_plane as ClusterTlsSettings (PEM text, whichever form the conf gave it in).
tls::ClusterTlsSettings ClusterTlsSettingsFromConf(const Conf& conf);

// ClusterTrust::Create over those settings: kInvalidArgument naming the setting when the pair
// is missing, unreadable or mismatched, or pki mode has no cluster_ca_cert.
Result<std::shared_ptr<const tls::ClusterTrust>> ClusterTrustFromConf(const Conf& conf);

}  // namespace kong::cluster

#endif  // KONG_CLUSTER_CLUSTER_CONF_H_
