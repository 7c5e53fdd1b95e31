// TlsContext and TlsCertificate: one mbedtls_ssl_config built up front, then only read.
#include "tls/tls_context.h"

#include <mbedtls/ssl_ciphersuites.h>

#include <algorithm>

#include "base/macros.h"
#include "tls/mbedtls_compat.h"
#include "tls/mbedtls_error.h"
#include "tls/pem_text.h"
#include "tls/thread_random.h"
#include "tls/tls_context_state.h"

namespace kong::tls {

thread_local HandshakeObserver* ActiveHandshake::current_ = nullptr;

namespace {

// AEAD suites with forward secrecy only; ECDSA first because Kong's cluster certificates are
// P-384 ECDSA.
constexpr int kDefaultCiphersuites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
};

// mbedTLS's default order puts secp521r1 first, the slowest ECDHE group; prefer the fast ones.
// The list also limits the curves of peer certificates, so P-384 and P-521 stay in it.
constexpr mbedtls_ecp_group_id kCurves[] = {
    MBEDTLS_ECP_DP_CURVE25519, MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_SECP384R1,
    MBEDTLS_ECP_DP_SECP521R1,  MBEDTLS_ECP_DP_NONE,
};

int AuthMode(VerifyMode mode) {
  switch (mode) {
    case VerifyMode::kNone:
      return MBEDTLS_SSL_VERIFY_NONE;
    case VerifyMode::kOptional:
      return MBEDTLS_SSL_VERIFY_OPTIONAL;
    case VerifyMode::kRequired:
      break;
  }
  return MBEDTLS_SSL_VERIFY_REQUIRED;
}

Status ParseCiphersuites(const std::vector<std::string>& names, std::vector<int>* out) {
  if (names.empty()) {
    out->assign(std::begin(kDefaultCiphersuites), std::end(kDefaultCiphersuites));
  }
  for (const std::string& name : names) {
    std::string mbed = name;  // IANA names use '_', mbedTLS names '-'
    std::replace(mbed.begin(), mbed.end(), '_', '-');
    int id = mbedtls_ssl_get_ciphersuite_id(mbed.c_str());
    if (id == 0) return Status::InvalidArgument("tls context: unknown ciphersuite '" + name + "'");
    out->push_back(id);
  }
  out->push_back(0);
  return Status();
}

// Registered on every server: it records the client's SNI name for the connection and, when
// the owner gave an SniCallback, installs the certificate it picks.
int OnServerName(void* p_state, mbedtls_ssl_context* ssl, const unsigned char* name,
                 size_t len) noexcept {
  auto* state = static_cast<TlsContext::State*>(p_state);
  std::string_view server_name(reinterpret_cast<const char*>(name), len);
  HandshakeObserver* observer = ActiveHandshake::current();
  std::shared_ptr<const TlsCertificate> chosen;
  if (state->sni) {
    try {
      chosen = state->sni(server_name);
    } catch (...) {
      return MBEDTLS_ERR_SSL_INTERNAL_ERROR;  // refuse the name (unrecognized_name alert)
    }
  }
  if (chosen) {
    // Without an observer nothing would keep the certificate alive during the handshake.
    if (observer == nullptr) return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    int rc = mbedtls_ssl_set_hs_own_cert(ssl, &chosen->parsed().chain, &chosen->parsed().key);
    if (rc != 0) return rc;
    // A second call appends: mbedTLS then picks the pair the chosen suite can sign with.
    if (const TlsCertificate* alt = chosen->alternate()) {
      rc = mbedtls_ssl_set_hs_own_cert(ssl, &alt->parsed().chain, &alt->parsed().key);
      if (rc != 0) return rc;
    }
  }
  if (observer != nullptr) observer->OnServerName(server_name, std::move(chosen));
  return 0;
}

// Refuses chains longer than verify_depth; mbedTLS calls this for every certificate of the
// verified chain, the peer's at depth 0 and the trust anchor last.
int LimitVerifyDepth(void* p_state, mbedtls_x509_crt* /*crt*/, int depth,
                     uint32_t* flags) noexcept {
  const auto* state = static_cast<const TlsContext::State*>(p_state);
  if (depth > state->verify_depth) *flags |= MBEDTLS_X509_BADCERT_OTHER;
  return 0;
}

Status ConfigureServer(TlsContext::State& s, const TlsContextOptions& o) {
  if (o.session_tickets) {
    int rc = mbedtls_ssl_ticket_setup(&s.ticket, &ThreadRandom, nullptr, MBEDTLS_CIPHER_AES_256_GCM,
                                      o.session_lifetime_s);
    if (rc != 0) return MbedtlsError(rc, "tls context: session tickets");
    mbedtls_ssl_conf_session_tickets_cb(&s.conf, mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse,
                                        &s.ticket);
  }
  if (o.session_cache_entries > 0) {
    mbedtls_ssl_cache_set_max_entries(&s.cache, static_cast<int>(o.session_cache_entries));
    mbedtls_ssl_cache_set_timeout(&s.cache, static_cast<int>(o.session_lifetime_s));
    mbedtls_ssl_conf_session_cache(&s.conf, &s.cache, mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
  }
  mbedtls_ssl_conf_sni(&s.conf, &OnServerName, &s);
  return Status();
}

}  // namespace

// --- TlsCertificate ---------------------------------------------------------------------

TlsCertificate::TlsCertificate() : parsed_(std::make_unique<Parsed>()) {}
TlsCertificate::~TlsCertificate() = default;

Result<std::shared_ptr<const TlsCertificate>> TlsCertificate::Parse(std::string_view chain_pem,
                                                                    std::string_view key_pem) {
  KONG_ASSIGN_OR_RETURN(auto cert, ParseOne(chain_pem, key_pem));
  return std::shared_ptr<const TlsCertificate>(std::move(cert));
}

Result<std::shared_ptr<TlsCertificate>> TlsCertificate::ParseOne(std::string_view chain_pem,
                                                                 std::string_view key_pem) {
  std::shared_ptr<TlsCertificate> cert(new TlsCertificate());
  Parsed& p = *cert->parsed_;
  int rc = ParseCertificates(&p.chain, chain_pem);
  if (rc != 0) {
    return Status::InvalidArgument("certificate chain: cannot parse: " + MbedtlsErrorText(rc));
  }
  rc = ParsePrivateKey(&p.key, key_pem);
  if (rc != 0) {
    return Status::InvalidArgument("private key: cannot parse: " + MbedtlsErrorText(rc));
  }
  if (compat::CheckKeyPair(&p.chain.pk, &p.key, &ThreadRandom) != 0) {
    return Status::InvalidArgument("private key does not belong to the certificate");
  }
  KONG_ASSIGN_OR_RETURN(
      cert->leaf_,
      DescribeDer(std::string_view(reinterpret_cast<const char*>(p.chain.raw.p), p.chain.raw.len)));
  return cert;
}

Result<std::shared_ptr<const TlsCertificate>> TlsCertificate::Parse(std::string_view chain_pem,
                                                                    std::string_view key_pem,
                                                                    std::string_view alt_chain_pem,
                                                                    std::string_view alt_key_pem) {
  KONG_ASSIGN_OR_RETURN(auto primary, ParseOne(chain_pem, key_pem));
  auto alternate = ParseOne(alt_chain_pem, alt_key_pem);
  if (!alternate.ok()) return Status::InvalidArgument("alternate " + alternate.status().message());
  if (mbedtls_pk_can_do(&primary->parsed().key, MBEDTLS_PK_RSA) ==
      mbedtls_pk_can_do(&(*alternate)->parsed().key, MBEDTLS_PK_RSA)) {
    return Status::InvalidArgument(
        "certificate and alternate certificate must be of different key types (RSA and ECDSA)");
  }
  primary->alternate_ = std::move(alternate).value();
  return std::shared_ptr<const TlsCertificate>(std::move(primary));
}

// --- TlsContext -------------------------------------------------------------------------

TlsContext::State::State() {
  mbedtls_ssl_config_init(&conf);
  mbedtls_x509_crt_init(&ca);
  mbedtls_ssl_cache_init(&cache);
  mbedtls_ssl_ticket_init(&ticket);
}

TlsContext::State::~State() {
  mbedtls_ssl_config_free(&conf);
  mbedtls_ssl_ticket_free(&ticket);
  mbedtls_ssl_cache_free(&cache);
  mbedtls_x509_crt_free(&ca);
}

TlsContext::TlsContext() : state_(std::make_unique<State>()) {}
TlsContext::~TlsContext() = default;

Result<std::shared_ptr<const TlsContext>> TlsContext::Create(TlsContextOptions o) {
  std::shared_ptr<TlsContext> ctx(new TlsContext());
  State& s = *ctx->state_;
  const bool server = o.role == TlsRole::kServer;
  s.role = o.role;
  s.verify = o.verify;
  s.verify_depth = o.verify_depth;
  s.server_name = o.server_name;
  s.sni = std::move(o.sni);

  if (o.cert_chain_pem.empty() != o.key_pem.empty()) {
    return Status::InvalidArgument("tls context: cert_chain_pem and key_pem go together");
  }
  if (server && o.cert_chain_pem.empty()) {
    return Status::InvalidArgument("tls context: a server needs cert_chain_pem and key_pem");
  }
  if (!o.cert_chain_pem.empty()) {
    auto own = TlsCertificate::Parse(o.cert_chain_pem, o.key_pem);
    if (!own.ok()) return Status::InvalidArgument("tls context: " + own.status().message());
    s.own = std::move(own).value();
  }
  if (!o.ca_pem.empty()) {
    int rc = ParseCertificates(&s.ca, o.ca_pem);
    if (rc != 0) {
      return Status::InvalidArgument("tls context: ca_pem: cannot parse: " + MbedtlsErrorText(rc));
    }
  } else if (o.verify == VerifyMode::kRequired) {
    return Status::InvalidArgument("tls context: verify mode required needs ca_pem");
  }

  int rc =
      mbedtls_ssl_config_defaults(&s.conf, server ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
                                  MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
  if (rc != 0) return MbedtlsError(rc, "tls context: defaults");
  mbedtls_ssl_conf_rng(&s.conf, &ThreadRandom, nullptr);
  mbedtls_ssl_conf_min_version(&s.conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_max_version(&s.conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  KONG_RETURN_IF_ERROR(ParseCiphersuites(o.ciphersuites, &s.ciphersuites));
  mbedtls_ssl_conf_ciphersuites(&s.conf, s.ciphersuites.data());
  s.curves.assign(std::begin(kCurves), std::end(kCurves));
  mbedtls_ssl_conf_curves(&s.conf, s.curves.data());
  mbedtls_ssl_conf_authmode(&s.conf, AuthMode(o.verify));
  if (o.verify_depth >= 0) mbedtls_ssl_conf_verify(&s.conf, &LimitVerifyDepth, &s);
  if (!o.ca_pem.empty()) mbedtls_ssl_conf_ca_chain(&s.conf, &s.ca, nullptr);
  if (s.own) {
    rc = mbedtls_ssl_conf_own_cert(&s.conf, &s.own->parsed().chain, &s.own->parsed().key);
    if (rc != 0) return MbedtlsError(rc, "tls context: own certificate");
  }
  if (!o.alpn.empty()) {
    s.alpn = o.alpn;
    for (const std::string& p : s.alpn) {
      if (p.empty() || p.size() > 255) {
        return Status::InvalidArgument("tls context: invalid alpn protocol '" + p + "'");
      }
      s.alpn_ptrs.push_back(p.c_str());
    }
    s.alpn_ptrs.push_back(nullptr);
    rc = mbedtls_ssl_conf_alpn_protocols(&s.conf, s.alpn_ptrs.data());
    if (rc != 0) return MbedtlsError(rc, "tls context: alpn");
  }
  if (server) {
    KONG_RETURN_IF_ERROR(ConfigureServer(s, o));
  } else {
    s.sessions = std::make_unique<ClientSessionCache>(o.client_session_entries);
    mbedtls_ssl_conf_session_tickets(&s.conf, o.client_session_entries > 0
                                                  ? MBEDTLS_SSL_SESSION_TICKETS_ENABLED
                                                  : MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
  }
  return std::shared_ptr<const TlsContext>(std::move(ctx));
}

TlsRole TlsContext::role() const { return state_->role; }
VerifyMode TlsContext::verify() const { return state_->verify; }
const std::string& TlsContext::server_name() const { return state_->server_name; }

const CertificateInfo* TlsContext::own_certificate() const {
  return state_->own ? &state_->own->leaf() : nullptr;
}

size_t TlsContext::remembered_sessions() const {
  return state_->sessions ? state_->sessions->size() : 0;
}

}  // namespace kong::tls
