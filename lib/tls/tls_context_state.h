// The mbedTLS objects behind TlsContext and TlsCertificate (lib/tls internals only).
#ifndef KONG_TLS_TLS_CONTEXT_STATE_H_
#define KONG_TLS_TLS_CONTEXT_STATE_H_

#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tls/client_session_cache.h"
#include "tls/tls_context.h"

namespace kong::tls {

struct TlsCertificate::Parsed {
  Parsed() {
    mbedtls_x509_crt_init(&chain);
    mbedtls_pk_init(&key);
  }
  ~Parsed() {
    mbedtls_pk_free(&key);
    mbedtls_x509_crt_free(&chain);
  }
  Parsed(const Parsed&) = delete;
  Parsed& operator=(const Parsed&) = delete;

  mbedtls_x509_crt chain;
  mbedtls_pk_context key;
};

// The connection whose handshake step runs on this thread. mbedTLS's SNI callback only gets
// the ssl context, so TlsTransport registers itself around each step (ActiveHandshake).
class HandshakeObserver {
 public:
  // The client's SNI name and the certificate chosen for it (null: the default). The
  // observer keeps `chosen` alive for as long as its ssl context uses it.
  virtual void OnServerName(std::string_view name,
                            std::shared_ptr<const TlsCertificate> chosen) = 0;

 protected:
  ~HandshakeObserver() = default;
};

class ActiveHandshake {
 public:
  explicit ActiveHandshake(HandshakeObserver* observer) : previous_(current_) {
    current_ = observer;
  }
  ~ActiveHandshake() { current_ = previous_; }
  ActiveHandshake(const ActiveHandshake&) = delete;
  ActiveHandshake& operator=(const ActiveHandshake&) = delete;
  static HandshakeObserver* current() { return current_; }

 private:
  HandshakeObserver* previous_;
  static thread_local HandshakeObserver* current_;
};

struct TlsContext::State {
  State();
  ~State();
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  mbedtls_ssl_config conf;
  mbedtls_x509_crt ca;
  mbedtls_ssl_cache_context cache;
  mbedtls_ssl_ticket_context ticket;
  std::shared_ptr<const TlsCertificate> own;  // default certificate, may be null (client)
  // Arrays mbedTLS keeps pointers to: they live as long as `conf`.
  std::vector<int> ciphersuites;
  std::vector<mbedtls_ecp_group_id> curves;
  std::vector<std::string> alpn;
  std::vector<const char*> alpn_ptrs;

  TlsRole role = TlsRole::kClient;
  VerifyMode verify = VerifyMode::kRequired;
  int verify_depth = -1;
  std::string server_name;
  SniCallback sni;
  std::unique_ptr<ClientSessionCache> sessions;
};

}  // namespace kong::tls

#endif  // KONG_TLS_TLS_CONTEXT_STATE_H_
