// Kong's cross-property checks of a typed configuration (parse.lua check_and_parse), plus ours.
#ifndef KONG_CONF_VALIDATION_H_
#define KONG_CONF_VALIDATION_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "conf/properties.h"

namespace kong::conf {

// PEM text of cluster_cert, cluster_cert_key and cluster_ca_cert, by property name.
using PemMap = std::map<std::string, std::string, std::less<>>;

// The value of `key`, or an unset value when absent.
const Value& ValueOf(const ValueMap& values, std::string_view key);

// `path` made absolute against the current directory, with "//", "/./" and a trailing '/'
// removed (like Penlight's abspath; no symlink or ".." resolution).
std::string CleanAbsolutePath(std::string_view path);

// Runs every check in Kong's order and appends each failure to `errors`. Also rewrites what
// Kong rewrites: certificate paths become absolute, inline certificates become their PEM text,
// cluster_rpc_sync is turned off without cluster_rpc. `pems` receives the cluster PEMs.
void CheckProperties(ValueMap& values, PemMap& pems, std::vector<std::string>& errors);

// The certificate checks, in the order CheckProperties calls them (cert_checks.cc).
void CheckTrustedCertificates(ValueMap& values, std::vector<std::string>& errors);
void CheckListenerCertificates(ValueMap& values, std::vector<std::string>& errors);
// Loads cluster_cert, cluster_cert_key and cluster_ca_cert. With `hybrid` (role control_plane
// or data_plane) failures are errors, as in Kong; otherwise they are loaded when possible only.
void CheckClusterCertificates(ValueMap& values, PemMap& pems, bool hybrid,
                              std::vector<std::string>& errors);

}  // namespace kong::conf

#endif  // KONG_CONF_VALIDATION_H_
