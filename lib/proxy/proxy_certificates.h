// TLS material of one configuration snapshot for the proxy: the server certificates chosen by
// SNI on the TLS proxy listener, and the client TLS contexts used towards https services.
#ifndef KONG_PROXY_PROXY_CERTIFICATES_H_
#define KONG_PROXY_PROXY_CERTIFICATES_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "json/value.h"
#include "kong/status.h"
#include "tls/tls_context.h"

namespace kong::proxy {

// Kong's `certificates` and `snis` entities (kong-entities.md): built once per snapshot,
// read by every worker during handshakes without locks.
class SniCertificates {
 public:
  // From the flat declarative form ({"certificates":[...],"snis":[...]}, snis referencing a
  // certificate as {"id": "..."}). Each certificate's `cert`/`key` (and `cert_alt`/`key_alt`,
  // the alternate ECDSA/RSA pair) is parsed once. kInvalidArgument naming the entity (never
  // printing a key) when one does not parse or an sni points at a missing certificate.
  static Result<std::shared_ptr<const SniCertificates>> Build(const json::Value& flat_config);

  // Kong's order: an exact sni name, then the longest wildcard prefix form ("*.example.com"),
  // then the suffix form ("example.*"); nullptr when nothing matches (the listener's default
  // certificate then applies). `server_name` is compared case-insensitively, a trailing dot
  // ignored.
  std::shared_ptr<const tls::TlsCertificate> Select(std::string_view server_name) const;

  size_t size() const;  // sni names known

 private:
  SniCertificates() = default;
  std::unordered_map<std::string, std::shared_ptr<const tls::TlsCertificate>> exact_;
  std::unordered_map<std::string, std::shared_ptr<const tls::TlsCertificate>> prefix_wildcards_;
  std::unordered_map<std::string, std::shared_ptr<const tls::TlsCertificate>> suffix_wildcards_;
};

// The proxy's TLS server context for `proxy_listen ... ssl`: its default certificate is
// kong.conf's ssl_cert/ssl_cert_key, else Kong's generated fallback (see
// EnsureDefaultCertificate); SNI selects from whatever SniCertificates `current()` returns at
// handshake time (the worker's current snapshot), so certificates change without a restart.
struct ProxyTlsOptions {
  std::string default_cert_pem;
  std::string default_key_pem;
  std::vector<std::string> ciphersuites;  // kong.conf ssl_cipher_suite/ssl_ciphers resolved
  // Returns the snapshot's certificates (may return null). Called on worker threads.
  std::function<std::shared_ptr<const SniCertificates>()> current;
};
Result<std::shared_ptr<const tls::TlsContext>> CreateProxyTlsContext(ProxyTlsOptions options);

// Kong writes a self-signed fallback certificate to <prefix>/ssl/kong-default.crt (key
// kong-default.key, 0600) when ssl_cert is not set, and reuses it on later starts. Returns
// the PEM pair; kIoError naming the file on failure.
struct PemPair {
  std::string cert_pem;
  std::string key_pem;
};
Result<PemPair> EnsureDefaultCertificate(const std::string& prefix);

// Client TLS contexts towards services with protocol https (and grpcs/tls): one per distinct
// (tls_verify, tls_verify_depth, ca_certificates, client_certificate) combination, shared by
// the services that use it, built once per snapshot.
struct UpstreamTlsDefaults {
  // kong.conf lua_ssl_trusted_certificate resolved to PEM ("system" -> the Debian bundle);
  // used when a service has tls_verify but no ca_certificates.
  std::string trusted_ca_pem;
  // proxy_ssl_verify default when a service leaves tls_verify null (Kong: off).
  bool verify_by_default = false;
};
class UpstreamTlsContexts {
 public:
  // From the flat config's services, ca_certificates and certificates (client_certificate
  // references a certificate). kInvalidArgument naming the service on a bad reference.
  static Result<std::shared_ptr<const UpstreamTlsContexts>> Build(
      const json::Value& flat_config, const UpstreamTlsDefaults& defaults);

  // The context for service `service_id`; null when the service is not a TLS service.
  std::shared_ptr<const tls::TlsContext> ForService(std::string_view service_id) const;

 private:
  UpstreamTlsContexts() = default;
  std::unordered_map<std::string, std::shared_ptr<const tls::TlsContext>> by_service_;
};

}  // namespace kong::proxy

#endif  // KONG_PROXY_PROXY_CERTIFICATES_H_
