// TlsTransport: TLS 1.2 as a net::Transport decorator over another (raw TCP) transport.
#ifndef KONG_TLS_TLS_TRANSPORT_H_
#define KONG_TLS_TLS_TRANSPORT_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "kong/status.h"
#include "net/timer.h"
#include "net/transport.h"
#include "tls/certificate_info.h"
#include "tls/tls_context.h"

namespace kong::tls {

class TlsEngine;
class TlsTransport;

struct TlsTransportOptions {
  // Client: the key under which the session is remembered and resumed, conventionally the
  // server's "host:port". Empty: no resumption for this connection.
  std::string session_key;
  // Client: overrides the context's server_name (SNI and name check) for this connection.
  std::string server_name;
  // Runs once when the handshake completed, before any on_data; the peer certificate and the
  // negotiated parameters are readable. It may Close() the transport (refusing the peer
  // before a byte of application data is exchanged) or destroy it. Loop thread.
  std::function<void(TlsTransport& transport)> on_handshake;
  // A handshake still incomplete after this long fails with kTls; 0: no deadline.
  uint64_t handshake_timeout_ms = 60000;
};

// Ciphertext flows through the inner transport; the owner's TransportCallbacks see plaintext.
// The handshake starts with the first StartReading() or Write() and is driven by incoming
// bytes only, never blocking. Plaintext written before it completes is sent afterwards.
// Failures reach on_error as kTls naming the peer and the reason (mbedTLS's text, the
// certificate verification reasons, or the alert the peer sent). Loop thread only.
class TlsTransport final : public net::Transport {
 public:
  // `inner` must be connected and not reading yet; TlsTransport takes over its callbacks.
  // kInvalidArgument if `context` or `inner` is null; kTls if mbedTLS cannot set up.
  static Result<std::unique_ptr<TlsTransport>> Create(std::shared_ptr<const TlsContext> context,
                                                      std::unique_ptr<net::Transport> inner,
                                                      TlsTransportOptions options = {});
  TlsTransport(const TlsTransport&) = delete;
  TlsTransport& operator=(const TlsTransport&) = delete;
  ~TlsTransport() override;

  // net::Transport. write_queue_size() counts plaintext not yet encrypted plus the inner
  // transport's queue; encryption pauses while the inner queue is above the high-water mark.
  // Shutdown() sends everything queued, then close_notify, then shuts the inner one down;
  // begun before the handshake completed with nothing queued, it just ends the TCP stream.
  // Destroying the transport finishes a Shutdown() in progress (as the Transport contract
  // asks) unless the handshake never completed.
  void SetCallbacks(net::TransportCallbacks callbacks) override;
  Status StartReading() override;
  void StopReading() override;
  Status Write(std::string bytes) override;
  size_t write_queue_size() const override;
  void SetWriteWatermarks(size_t low, size_t high) override;
  void Shutdown(uint64_t linger_ms = 5000) override;
  void Close() override;
  bool closing() const override;
  const std::string& peer_address() const override;
  const std::string& local_address() const override;
  EventLoop& loop() const override;

  // After the handshake (from on_handshake on):
  bool handshake_complete() const { return handshake_complete_; }
  // The peer's leaf certificate (present() false if it sent none). Also set on resumed
  // sessions, from the session state.
  const CertificateInfo& peer_certificate() const { return peer_cert_; }
  const std::string& PeerCertificateDer() const { return peer_cert_.der; }
  const std::string& PeerCertificateSha256Hex() const { return peer_cert_.sha256_hex; }
  const std::string& PeerSubjectCn() const { return peer_cert_.subject_cn; }
  int64_t PeerNotAfter() const { return peer_cert_.not_after; }
  // MBEDTLS_X509_BADCERT_* flags of the peer's verification (0: verified); see
  // VerifyFailureText(). Meaningful under VerifyMode::kOptional.
  uint32_t peer_verify_flags() const { return peer_verify_flags_; }
  // "TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384".
  const std::string& cipher_suite() const { return cipher_suite_; }
  // True when an earlier session was resumed (abbreviated handshake, no ECDHE/ECDSA work).
  bool session_resumed() const { return session_resumed_; }
  // The ALPN protocol agreed on, "" if none.
  const std::string& alpn_protocol() const { return alpn_protocol_; }
  // Server: the SNI name the client sent ("" if none). Client: the name it sent.
  const std::string& server_name() const { return server_name_; }

 private:
  TlsTransport(std::shared_ptr<const TlsContext> context, std::unique_ptr<net::Transport> inner,
               TlsTransportOptions options);
  Status Setup();
  Status Begin();
  void StartHandshake();
  void Drive();
  bool RunHandshake();       // false while incomplete, and once failed, closed or destroyed
  bool CompleteHandshake();  // false once closed or destroyed
  void ReadRecords();
  Status Pump(size_t inner_limit);
  void FinishShutdownIfDrained();
  void FlushCiphertext();
  Status UpdateInnerReading();
  bool HasBufferedInput() const;
  // "127.0.0.1:8005", plus " (kong_clustering)" on a client that sent a server name.
  std::string HandshakePeer() const;
  void CheckWriteLow();
  void Fail(const Status& error);
  void OnInnerData(std::string_view data);
  void OnInnerEof();
  void OnInnerError(const Status& error);
  void OnInnerWriteLow();
  void OnInnerClosed();
  static bool Alive(const std::weak_ptr<char>& token) { return !token.expired(); }

  std::shared_ptr<const TlsContext> context_;
  std::unique_ptr<net::Transport> inner_;
  TlsTransportOptions options_;
  net::TransportCallbacks cb_;
  std::unique_ptr<TlsEngine> engine_;  // the mbedtls_ssl_context and its memory BIO
  net::Timer timer_;  // handshake deadline, then deferred reads after StartReading()
  std::shared_ptr<char> alive_ = std::make_shared<char>();  // expires when *this is destroyed

  std::deque<std::string> plain_out_;  // plaintext waiting for encryption
  size_t plain_front_offset_ = 0;
  size_t plain_out_bytes_ = 0;
  size_t low_water_ = kDefaultWriteLowWater;
  size_t high_water_ = kDefaultWriteHighWater;
  bool above_high_ = false;

  bool begun_ = false;
  bool handshake_complete_ = false;
  bool owner_reading_ = false;
  bool inner_reading_ = false;
  bool inner_eof_ = false;    // the inner transport reported EOF
  bool peer_closed_ = false;  // on_eof delivered (close_notify, or EOF after the last record)
  bool closed_ = false;       // Close() called or failed
  bool shutdown_requested_ = false;
  bool close_notify_sent_ = false;
  uint64_t linger_ms_ = 5000;

  CertificateInfo peer_cert_;
  uint32_t peer_verify_flags_ = 0;
  std::string cipher_suite_;
  bool session_resumed_ = false;
  std::string alpn_protocol_;
  std::string server_name_;
  std::string session_cache_key_;  // client: session_key plus server name; "" if unused
};

}  // namespace kong::tls

#endif  // KONG_TLS_TLS_TRANSPORT_H_
