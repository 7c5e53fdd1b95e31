// Kong's cluster certificate rules (kong/clustering/tls.lua; reference/kong-hybrid.md §3.6).
#include "tls/cluster_trust.h"

#include <ctime>

#include "base/text.h"
#include "tls/mbedtls_error.h"
#include "tls/tls_transport.h"

namespace kong::tls {

std::string HostOf(const std::string& host_port) {
  if (!host_port.empty() && host_port.front() == '[') {
    size_t close = host_port.find(']');
    return close == std::string::npos ? host_port.substr(1) : host_port.substr(1, close - 1);
  }
  size_t colon = host_port.find(':');
  // More than one colon: a bare IPv6 address without a port.
  if (colon == std::string::npos || host_port.find(':', colon + 1) != std::string::npos) {
    return host_port;
  }
  return host_port.substr(0, colon);
}

ClusterTrust::ClusterTrust(ClusterTlsSettings settings, CertificateInfo own,
                           std::string expected_name)
    : settings_(std::move(settings)),
      own_(std::move(own)),
      expected_server_name_(std::move(expected_name)) {}

Result<ClusterTrust> ClusterTrust::Create(ClusterTlsSettings settings) {
  if (settings.cert_pem.empty()) return Status::InvalidArgument("cluster_cert is required");
  if (settings.key_pem.empty()) return Status::InvalidArgument("cluster_cert_key is required");
  auto pair = TlsCertificate::Parse(settings.cert_pem, settings.key_pem);
  if (!pair.ok()) {
    return Status::InvalidArgument("cluster_cert/cluster_cert_key: " + pair.status().message());
  }
  CertificateInfo own = (*pair)->leaf();
  std::string expected;
  if (settings.mode == ClusterMtlsMode::kShared) {
    expected = kSharedModeServerName;
  } else {
    if (settings.ca_pem.empty()) {
      return Status::InvalidArgument("cluster_ca_cert is required when cluster_mtls is pki");
    }
    auto ca = DescribeCertificate(settings.ca_pem, "cluster_ca_cert");
    if (!ca.ok()) return ca.status();
    const std::string first = settings.control_plane.substr(0, settings.control_plane.find(','));
    expected = settings.server_name.empty() ? HostOf(std::string(base::Trim(first)))
                                            : settings.server_name;
  }
  return ClusterTrust(std::move(settings), std::move(own), std::move(expected));
}

std::string ClusterTrust::ServerNameFor(const std::string& host) const {
  if (settings_.mode == ClusterMtlsMode::kShared || !settings_.server_name.empty()) {
    return expected_server_name_;
  }
  return host;
}

TlsContextOptions ClusterTrust::ServerOptions() const {
  TlsContextOptions o;
  o.role = TlsRole::kServer;
  o.cert_chain_pem = settings_.cert_pem;
  o.key_pem = settings_.key_pem;
  if (settings_.mode == ClusterMtlsMode::kShared) {
    // Verifying against our own certificate makes the flags say "expired" or "not trusted";
    // CheckDataPlane then compares fingerprints, as Kong's Lua does after optional_no_ca.
    o.ca_pem = settings_.cert_pem;
    o.verify = VerifyMode::kOptional;
  } else {
    o.ca_pem = settings_.ca_pem;
    o.verify = VerifyMode::kRequired;
  }
  return o;
}

TlsContextOptions ClusterTrust::ClientOptions() const {
  TlsContextOptions o;
  o.role = TlsRole::kClient;
  o.cert_chain_pem = settings_.cert_pem;
  o.key_pem = settings_.key_pem;
  o.ca_pem = settings_.mode == ClusterMtlsMode::kShared ? settings_.cert_pem : settings_.ca_pem;
  o.verify = VerifyMode::kRequired;
  o.server_name = expected_server_name_;
  return o;
}

Status ClusterTrust::CheckPeer(const char* who, const char* what, const CertificateInfo& peer,
                               uint32_t verify_flags, int64_t now) const {
  const std::string subject = std::string(who) + " ";
  if (!peer.present()) {
    return Status::Tls(subject + "failed to present " + what + " during handshake");
  }
  if (settings_.mode == ClusterMtlsMode::kShared) {
    if (peer.sha256_hex != own_.sha256_hex) {
      return Status::Tls(subject + "presented incorrect " + what +
                         " during handshake (expected sha256 " + own_.sha256_hex + ", got " +
                         peer.sha256_hex + ")");
    }
  } else if (verify_flags != 0) {
    return Status::Tls(subject + what + " failed verification: " + VerifyFailureText(verify_flags));
  }
  // Checked here as well: a resumed session carries the certificate but skips verification,
  // and shared mode's optional verification does not refuse by itself.
  if (now > peer.not_after) {
    return Status::Tls(subject + "presented an expired " + what + " (not valid after " +
                       FormatUtc(peer.not_after) + ")");
  }
  if (now < peer.not_before) {
    return Status::Tls(subject + "presented a " + what + " that is not yet valid (not before " +
                       FormatUtc(peer.not_before) + ")");
  }
  return Status();
}

Status ClusterTrust::CheckDataPlane(const CertificateInfo& peer, uint32_t verify_flags,
                                    int64_t now) const {
  return CheckPeer("data plane", "client certificate", peer, verify_flags, now);
}

Status ClusterTrust::CheckControlPlane(const CertificateInfo& peer, uint32_t verify_flags,
                                       int64_t now) const {
  return CheckPeer("control plane", "server certificate", peer, verify_flags, now);
}

Status ClusterTrust::CheckDataPlane(const TlsTransport& transport) const {
  return CheckDataPlane(transport.peer_certificate(), transport.peer_verify_flags(),
                        static_cast<int64_t>(std::time(nullptr)));
}

Status ClusterTrust::CheckControlPlane(const TlsTransport& transport) const {
  return CheckControlPlane(transport.peer_certificate(), transport.peer_verify_flags(),
                           static_cast<int64_t>(std::time(nullptr)));
}

}  // namespace kong::tls
