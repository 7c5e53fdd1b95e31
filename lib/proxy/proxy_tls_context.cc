// The proxy listener's TLS server context: a default certificate plus per-snapshot SNI choice.
#include <utility>

#include "proxy/proxy_certificates.h"

namespace kong::proxy {

Result<std::shared_ptr<const tls::TlsContext>> CreateProxyTlsContext(ProxyTlsOptions options) {
  tls::TlsContextOptions o;
  o.role = tls::TlsRole::kServer;
  o.cert_chain_pem = std::move(options.default_cert_pem);
  o.key_pem = std::move(options.default_key_pem);
  o.verify = tls::VerifyMode::kNone;  // proxy clients present no certificate
  o.ciphersuites = std::move(options.ciphersuites);
  if (options.current) {
    // Reads the snapshot at each handshake, so a new config's certificates apply to the next
    // connection without rebuilding this context.
    o.sni = [current = std::move(options.current)](std::string_view server_name)
        -> std::shared_ptr<const tls::TlsCertificate> {
      std::shared_ptr<const SniCertificates> certificates = current();
      return certificates ? certificates->Select(server_name) : nullptr;
    };
  }
  auto context = tls::TlsContext::Create(std::move(o));
  if (!context.ok()) return Status::InvalidArgument("proxy " + context.status().message());
  return std::move(context).value();
}

}  // namespace kong::proxy
