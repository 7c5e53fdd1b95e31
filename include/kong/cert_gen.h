// kong::CertGen: the cluster certificate pair of `kong hybrid gen_cert`.
#ifndef KONG_CERT_GEN_H_
#define KONG_CERT_GEN_H_

#include <string>

#include "kong/export.h"
#include "kong/status.h"

namespace kong {

struct CertGenOptions {
  // Validity from now, in days of 86400 s (Kong: 3 * 365 = 1095). Must be >= 1.
  int days = 1095;
  // Subject and issuer common name. Kong always uses kong_clustering, and DPs in shared mode
  // verify the CP against that name.
  std::string common_name = "kong_clustering";
};

// A certificate and its private key, both PEM.
struct CertPair {
  std::string cert_pem;  // self-signed X.509, "-----BEGIN CERTIFICATE-----"
  std::string key_pem;   // unencrypted PKCS#8, "-----BEGIN PRIVATE KEY-----"
};

class KONG_EXPORT CertGen {
 public:
  // A fresh EC P-384 (secp384r1) key and a self-signed, ECDSA-SHA256-signed certificate whose
  // subject and issuer are exactly CN=<common_name>, valid from now for `days` days.
  // kInvalidArgument for days < 1 or an empty name; kTls if the crypto library fails.
  static Result<CertPair> Generate(const CertGenOptions& options);

  // Writes `pair` to two files: the certificate with mode 0644, the key with 0600. Each is
  // written to a temporary name in the same folder, fsynced and renamed, so a reader never
  // sees half a file. Never overwrites: if either path exists, fails with kConflict and
  // "<path> already exists.\nWill not overwrite it." and writes nothing. On any failure no
  // file of the pair is left behind.
  static Status WriteFiles(const CertPair& pair, const std::string& cert_path,
                           const std::string& key_path);
};

}  // namespace kong

#endif  // KONG_CERT_GEN_H_
