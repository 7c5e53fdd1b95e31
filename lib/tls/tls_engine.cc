// TlsEngine: mbedTLS setup, handshake steps, session save/restore and failure descriptions.
#include "tls/tls_engine.h"

#include <algorithm>
#include <cstring>

#include "tls/mbedtls_compat.h"
#include "tls/mbedtls_error.h"

namespace kong::tls {

TlsEngine::TlsEngine() { mbedtls_ssl_init(&ssl_); }
TlsEngine::~TlsEngine() { mbedtls_ssl_free(&ssl_); }

int TlsEngine::BioSend(void* ctx, const unsigned char* buf, size_t len) noexcept {
  static_cast<TlsEngine*>(ctx)->out_.append(reinterpret_cast<const char*>(buf), len);
  return static_cast<int>(len);
}

int TlsEngine::BioRecv(void* ctx, unsigned char* buf, size_t len) noexcept {
  auto* e = static_cast<TlsEngine*>(ctx);
  size_t avail = e->in_.size() - e->in_offset_;
  if (avail == 0) return MBEDTLS_ERR_SSL_WANT_READ;
  size_t n = std::min(len, avail);
  std::memcpy(buf, e->in_.data() + e->in_offset_, n);
  e->in_offset_ += n;
  if (e->in_offset_ == e->in_.size()) {
    e->in_.clear();
    e->in_offset_ = 0;
  }
  return static_cast<int>(n);
}

void TlsEngine::Append(std::string_view data) {
  // Compact once the consumed prefix dominates, so in_ stays about one read in size.
  if (in_offset_ > 0 && in_offset_ * 2 >= in_.size()) {
    in_.erase(0, in_offset_);
    in_offset_ = 0;
  }
  in_.append(data);
}

std::string TlsEngine::TakeOutput() {
  std::string bytes;
  bytes.swap(out_);
  return bytes;
}

void TlsEngine::OnServerName(std::string_view name, std::shared_ptr<const TlsCertificate> chosen) {
  sni_name_.assign(name);
  sni_certificate_ = std::move(chosen);
}

Status TlsEngine::Setup(const TlsContext& context, const std::string& server_name,
                        const std::string& session_key, const std::string& peer) {
  TlsContext::State& state = context.state();
  int rc = mbedtls_ssl_setup(&ssl_, &state.conf);
  if (rc != 0) return MbedtlsError(rc, "tls setup for " + peer);
  mbedtls_ssl_set_bio(&ssl_, this, &TlsEngine::BioSend, &TlsEngine::BioRecv, nullptr);
  if (state.role != TlsRole::kClient) return Status();
  if (!server_name.empty()) {
    rc = mbedtls_ssl_set_hostname(&ssl_, server_name.c_str());
    if (rc != 0) return MbedtlsError(rc, "tls server name '" + server_name + "'");
  }
  if (session_key.empty()) return Status();
  std::string saved = state.sessions->Find(session_key);
  if (saved.empty()) return Status();
  mbedtls_ssl_session session;
  mbedtls_ssl_session_init(&session);
  if (mbedtls_ssl_session_load(&session, reinterpret_cast<const unsigned char*>(saved.data()),
                               saved.size()) != 0 ||
      mbedtls_ssl_set_session(&ssl_, &session) != 0) {
    state.sessions->Forget(session_key);  // unusable: a full handshake follows
  }
  mbedtls_ssl_session_free(&session);
  return Status();
}

int TlsEngine::Handshake() {
  ActiveHandshake active(this);
  while (compat::HandshakeState(ssl_) != MBEDTLS_SSL_HANDSHAKE_OVER) {
    // Only a full handshake exchanges keys; a resumed one goes from ServerHello straight to
    // ChangeCipherSpec. 2.28 has no public "resumed" flag, so watch the states.
    if (compat::HandshakeState(ssl_) == MBEDTLS_SSL_CLIENT_KEY_EXCHANGE) {
      full_handshake_seen_ = true;
    }
    int rc = mbedtls_ssl_handshake_step(&ssl_);
    if (rc != 0) return rc;
  }
  return 0;
}

NegotiatedSession TlsEngine::Negotiated() const {
  NegotiatedSession n;
  const char* suite = mbedtls_ssl_get_ciphersuite(&ssl_);
  n.cipher_suite = suite ? suite : "";
  const char* alpn = mbedtls_ssl_get_alpn_protocol(&ssl_);
  n.alpn_protocol = alpn ? alpn : "";
  n.client_server_name = sni_name_;
  n.peer_verify_flags = mbedtls_ssl_get_verify_result(&ssl_);
  if (const mbedtls_x509_crt* peer = mbedtls_ssl_get_peer_cert(&ssl_)) {
    auto info =
        DescribeDer(std::string_view(reinterpret_cast<const char*>(peer->raw.p), peer->raw.len));
    if (info.ok()) n.peer_certificate = std::move(info).value();
  }
  n.resumed = !full_handshake_seen_;
  return n;
}

void TlsEngine::SaveSession(ClientSessionCache& cache, const std::string& key) const {
  mbedtls_ssl_session session;
  mbedtls_ssl_session_init(&session);
  if (mbedtls_ssl_get_session(&ssl_, &session) == 0) {
    size_t len = 0;
    (void)mbedtls_ssl_session_save(&session, nullptr, 0, &len);  // asks for the size
    std::string bytes(len, '\0');
    if (len > 0 &&
        mbedtls_ssl_session_save(&session, reinterpret_cast<unsigned char*>(bytes.data()),
                                 bytes.size(), &len) == 0) {
      bytes.resize(len);
      cache.Store(key, std::move(bytes));
    }
  }
  mbedtls_ssl_session_free(&session);
}

Status TlsEngine::HandshakeFailure(int rc, bool client, const std::string& peer_label,
                                   const std::string& server_name) const {
  std::string what = "tls handshake with " + peer_label + " failed: ";
  uint32_t flags = mbedtls_ssl_get_verify_result(&ssl_);
  if ((rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED || rc == MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE ||
       rc == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE) &&
      flags != 0 && flags != UINT32_MAX) {
    return Status::Tls(what + (client ? "server" : "client") +
                       " certificate verification failed: " +
                       VerifyFailureText(flags, client ? server_name : std::string()));
  }
  if (rc == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) {
    return Status::Tls(what + "peer sent fatal alert " +
                       AlertName(compat::LastAlertDescription(ssl_)));
  }
  return Status::Tls(what + MbedtlsErrorText(rc));
}

}  // namespace kong::tls
