// TlsContext: the immutable TLS 1.2 configuration of one side, shared by its connections.
#ifndef KONG_TLS_TLS_CONTEXT_H_
#define KONG_TLS_TLS_CONTEXT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kong/status.h"
#include "tls/certificate_info.h"

namespace kong::tls {

enum class TlsRole { kServer, kClient };

enum class VerifyMode {
  // The peer's certificate is neither requested (server) nor checked (client).
  kNone,
  // Requested and verified, but the handshake succeeds whatever the result; the owner
  // decides in on_handshake (nginx's optional_no_ca, which Kong's shared mode uses).
  kOptional,
  // The peer must present a certificate whose chain verifies against `ca_pem` and that is
  // within its validity period; a client also checks it against `server_name`.
  kRequired,
};

// A certificate chain and its private key, parsed once. Immutable; shareable across threads.
class TlsCertificate {
 public:
  // `chain_pem`: the leaf first, then intermediates (PEM; one DER certificate also works).
  // kInvalidArgument if either does not parse or the key does not belong to the leaf.
  static Result<std::shared_ptr<const TlsCertificate>> Parse(std::string_view chain_pem,
                                                             std::string_view key_pem);
  ~TlsCertificate();
  TlsCertificate(const TlsCertificate&) = delete;
  TlsCertificate& operator=(const TlsCertificate&) = delete;

  // Also parses an alternate chain and key of the other key type (RSA vs ECDSA; Kong's
  // cert_alt/key_alt). Wherever this certificate is used, both are offered and mbedTLS picks
  // the one the negotiated ciphersuite can sign with. kInvalidArgument, naming "alternate"
  // when the second pair is at fault, or when both keys are of the same type.
  static Result<std::shared_ptr<const TlsCertificate>> Parse(std::string_view chain_pem,
                                                             std::string_view key_pem,
                                                             std::string_view alt_chain_pem,
                                                             std::string_view alt_key_pem);

  const CertificateInfo& leaf() const { return leaf_; }
  // The alternate pair; null if none.
  const TlsCertificate* alternate() const { return alternate_.get(); }

  struct Parsed;  // the mbedTLS objects, for lib/tls only
  Parsed& parsed() const { return *parsed_; }

 private:
  TlsCertificate();
  static Result<std::shared_ptr<TlsCertificate>> ParseOne(std::string_view chain_pem,
                                                          std::string_view key_pem);
  std::unique_ptr<Parsed> parsed_;
  CertificateInfo leaf_;
  std::shared_ptr<const TlsCertificate> alternate_;
};

// Chooses the server certificate for the name a client sent (SNI). Runs during the handshake
// on the connection's loop thread; a context shared by several loops calls it from each, so
// it must be thread-safe. Returning null keeps the context's default certificate.
using SniCallback =
    std::function<std::shared_ptr<const TlsCertificate>(std::string_view server_name)>;

struct TlsContextOptions {
  TlsRole role = TlsRole::kClient;
  // Our certificate chain (leaf first) and its unencrypted private key, PEM. Required for a
  // server (the default certificate, also when `sni` is set); optional for a client, which
  // needs one for mutual TLS. Both or neither.
  std::string cert_chain_pem;
  std::string key_pem;
  // Trust anchors the peer's chain is verified against (one or more PEM certificates).
  // Required for kRequired; used, if given, by kOptional.
  std::string ca_pem;
  VerifyMode verify = VerifyMode::kRequired;
  // Longest accepted chain when verifying the peer: certificates above the peer's own, the
  // trust anchor included (nginx's proxy_ssl_verify_depth: 1 accepts a leaf issued directly
  // by a trusted CA). Negative: no limit beyond mbedTLS's own.
  int verify_depth = -1;
  // Client: the name sent as SNI and matched against the server certificate (CN or SAN) under
  // kRequired/kOptional. Empty: no SNI and no name check. TlsTransportOptions may override it.
  std::string server_name;
  // Cipher suites by IANA or mbedTLS name ("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" or
  // "TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384"), in preference order. Empty: ECDHE-ECDSA and
  // ECDHE-RSA with AES-256-GCM and AES-128-GCM. Only TLS 1.2 is offered (mbedTLS 2.28).
  std::vector<std::string> ciphersuites;
  // ALPN protocols in preference order ("h2", "http/1.1"); empty: no ALPN.
  std::vector<std::string> alpn;
  // Server: issue session tickets (RFC 5077; keys rotate every session_lifetime_s) so clients
  // resume without server state.
  bool session_tickets = true;
  // Server: session-id cache size for clients without tickets; 0 disables it.
  size_t session_cache_entries = 1000;
  // Server: how long a session (ticket or cache entry) may be resumed.
  uint32_t session_lifetime_s = 86400;
  // Client: sessions remembered per TlsTransportOptions::session_key; 0 disables resumption.
  size_t client_session_entries = 256;
  // Server: per-name certificate choice (the proxy's 8443 listener). Optional.
  SniCallback sni;
};

// Built once, then read-only: connections on any number of loop threads share it (each
// thread draws randomness from its own CTR-DRBG). Destroy it only after its connections.
class TlsContext {
 public:
  // kInvalidArgument naming the problem ("tls context: ca_pem: cannot parse ...",
  // "tls context: verify required needs ca_pem", "unknown ciphersuite 'x'"); never prints keys.
  static Result<std::shared_ptr<const TlsContext>> Create(TlsContextOptions options);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  TlsRole role() const;
  VerifyMode verify() const;
  const std::string& server_name() const;
  // Our default leaf certificate; null if the context has none.
  const CertificateInfo* own_certificate() const;
  // Client sessions currently remembered (for tests and metrics).
  size_t remembered_sessions() const;

  struct State;  // mbedTLS configuration, for lib/tls only
  State& state() const { return *state_; }

 private:
  TlsContext();
  std::unique_ptr<State> state_;
};

}  // namespace kong::tls

#endif  // KONG_TLS_TLS_CONTEXT_H_
