// TlsEngine: one mbedtls_ssl_context with its memory BIO (ciphertext in and out as strings).
#ifndef KONG_TLS_TLS_ENGINE_H_
#define KONG_TLS_TLS_ENGINE_H_

#include <mbedtls/ssl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kong/status.h"
#include "tls/certificate_info.h"
#include "tls/tls_context.h"
#include "tls/tls_context_state.h"

namespace kong::tls {

// What a completed handshake agreed on.
struct NegotiatedSession {
  std::string cipher_suite;
  std::string alpn_protocol;
  std::string client_server_name;  // server side: the SNI name received
  uint32_t peer_verify_flags = 0;
  CertificateInfo peer_certificate;
  bool resumed = false;
};

// mbedTLS never touches a socket: BioSend appends to the output string, which always succeeds
// (so WANT_WRITE never happens), and BioRecv serves Append()ed input or says WANT_READ.
// Owned by one TlsTransport; loop thread only.
class TlsEngine final : public HandshakeObserver {
 public:
  TlsEngine();
  ~TlsEngine();
  TlsEngine(const TlsEngine&) = delete;
  TlsEngine& operator=(const TlsEngine&) = delete;

  // Binds to `context`. A client sets `server_name` (SNI and name check; may be empty) and
  // offers the session saved under `session_key` in the context's cache (if non-empty).
  Status Setup(const TlsContext& context, const std::string& server_name,
               const std::string& session_key, const std::string& peer);

  // Runs handshake steps: 0 once complete, MBEDTLS_ERR_SSL_WANT_READ while input is missing,
  // or another negative mbedTLS error.
  int Handshake();
  NegotiatedSession Negotiated() const;
  // Saves the session under `key` for a later resumption (client).
  void SaveSession(ClientSessionCache& cache, const std::string& key) const;
  // kTls "tls handshake with <peer_label> failed: <reason>" for a Handshake() error: the
  // certificate verification reasons, the alert the peer sent, or mbedTLS's text. A client
  // names `server_name` in a name mismatch.
  Status HandshakeFailure(int rc, bool client, const std::string& peer_label,
                          const std::string& server_name) const;

  // Ciphertext from the peer.
  void Append(std::string_view data);
  bool has_input() const { return in_offset_ < in_.size(); }
  // Ciphertext for the peer, produced since the last call.
  std::string TakeOutput();
  size_t output_size() const { return out_.size(); }

  mbedtls_ssl_context* ssl() { return &ssl_; }
  const mbedtls_ssl_context* ssl() const { return &ssl_; }
  // A buffer for one decrypted record.
  std::vector<unsigned char>& plain() { return plain_; }

  void OnServerName(std::string_view name, std::shared_ptr<const TlsCertificate> chosen) override;

 private:
  static int BioSend(void* ctx, const unsigned char* buf, size_t len) noexcept;
  static int BioRecv(void* ctx, unsigned char* buf, size_t len) noexcept;

  mbedtls_ssl_context ssl_;
  std::string in_;  // ciphertext received and not yet consumed by mbedTLS
  size_t in_offset_ = 0;
  std::string out_;  // ciphertext produced and not yet handed to the inner transport
  std::vector<unsigned char> plain_ = std::vector<unsigned char>(16384);
  bool full_handshake_seen_ = false;
  std::string sni_name_;
  std::shared_ptr<const TlsCertificate> sni_certificate_;  // used by ssl_ while it lives
};

}  // namespace kong::tls

#endif  // KONG_TLS_TLS_ENGINE_H_
