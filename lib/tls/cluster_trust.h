// Kong's cluster_mtls rules (shared | pki): TLS settings and peer checks for CP and DP.
#ifndef KONG_TLS_CLUSTER_TRUST_H_
#define KONG_TLS_CLUSTER_TRUST_H_

#include <cstdint>
#include <memory>
#include <string>

#include "kong/status.h"
#include "tls/certificate_info.h"
#include "tls/tls_context.h"

namespace kong::tls {

class TlsTransport;

// The SNI name and certificate CN of shared mode (what `kong hybrid gen_cert` writes).
inline constexpr char kSharedModeServerName[] = "kong_clustering";

enum class ClusterMtlsMode {
  // CP and DPs hold one self-signed certificate; each side accepts exactly that certificate
  // (SHA-256 of the DER), and the handshake proves the peer holds its key.
  kShared,
  // Certificates signed by cluster_ca_cert; the DP checks the CP's name.
  kPki,
};

struct ClusterTlsSettings {
  ClusterMtlsMode mode = ClusterMtlsMode::kShared;
  std::string cert_pem;  // cluster_cert (PEM text, as loaded by pki::LoadPemSource)
  std::string key_pem;   // cluster_cert_key
  std::string ca_pem;    // cluster_ca_cert: pki mode's trust anchor (required there)
  // DP, pki mode: cluster_server_name; when empty, the host of `control_plane` is used.
  std::string server_name;
  // DP: cluster_control_plane ("cp.example.com:8005", "[::1]:8005"), or several separated by
  // commas; expected_server_name() uses the first.
  std::string control_plane;
};

// Immutable after Create; usable from any thread.
class ClusterTrust {
 public:
  // kInvalidArgument naming the setting: missing or unparsable cluster_cert/cluster_cert_key,
  // a key that does not match, or pki mode without cluster_ca_cert.
  static Result<ClusterTrust> Create(ClusterTlsSettings settings);

  // The CP listener's context options. Shared: the DP's certificate is requested and
  // verified against our own, but the decision is CheckDataPlane's (nginx's
  // optional_no_ca). Pki: the DP's chain must verify against cluster_ca_cert.
  TlsContextOptions ServerOptions() const;
  // The DP client's: our certificate as client certificate, the CP verified against our own
  // certificate (shared) or cluster_ca_cert (pki), and SNI/name expected_server_name().
  TlsContextOptions ClientOptions() const;

  // "kong_clustering" in shared mode; cluster_server_name or the control plane's host in pki.
  const std::string& expected_server_name() const { return expected_server_name_; }
  // DP: the name a control plane at `host` must present (and the SNI sent to it): as above,
  // except that without cluster_server_name, pki mode expects `host` itself, so each entry of
  // a cluster_control_plane list is checked against its own name.
  std::string ServerNameFor(const std::string& host) const;
  ClusterMtlsMode mode() const { return settings_.mode; }
  const CertificateInfo& own_certificate() const { return own_; }

  // CP, from on_handshake: may this data plane stay? `verify_flags` are the handshake's
  // (TlsTransport::peer_verify_flags()); `now` is Unix seconds. kTls with Kong's wording,
  // e.g. "data plane presented incorrect client certificate during handshake (...)". Validity
  // is checked here too, because a resumed session skips certificate verification.
  Status CheckDataPlane(const CertificateInfo& peer, uint32_t verify_flags, int64_t now) const;
  // DP, from on_handshake: is this the right control plane? Same rules, mirrored.
  Status CheckControlPlane(const CertificateInfo& peer, uint32_t verify_flags, int64_t now) const;

  // The same, reading the transport's peer certificate and flags, at the current time.
  Status CheckDataPlane(const TlsTransport& transport) const;
  Status CheckControlPlane(const TlsTransport& transport) const;

 private:
  ClusterTrust(ClusterTlsSettings settings, CertificateInfo own, std::string expected_name);
  Status CheckPeer(const char* who, const char* what, const CertificateInfo& peer,
                   uint32_t verify_flags, int64_t now) const;

  ClusterTlsSettings settings_;
  CertificateInfo own_;
  std::string expected_server_name_;
};

// The host part of "host:port", "[v6]:port", "host" or "[v6]" (brackets removed).
std::string HostOf(const std::string& host_port);

}  // namespace kong::tls

#endif  // KONG_TLS_CLUSTER_TRUST_H_
