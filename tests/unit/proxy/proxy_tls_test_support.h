// Helpers for the proxy TLS tests: flat-config entities around test certificates, and one TLS
// handshake against a server on a loopback port.
#ifndef KONG_TESTS_UNIT_PROXY_PROXY_TLS_TEST_SUPPORT_H_
#define KONG_TESTS_UNIT_PROXY_PROXY_TLS_TEST_SUPPORT_H_

#include <memory>
#include <string>

#include "json/value.h"
#include "unit/tls/test_certs.h"
#include "unit/tls/tls_loopback.h"

namespace kong::test {

inline json::Value CertificateEntity(const std::string& id, const TestCert& c) {
  return json::Object{{"id", id}, {"cert", c.cert_pem}, {"key", c.key_pem}};
}

inline json::Value SniEntity(const std::string& name, const std::string& certificate_id) {
  return json::Object{{"id", "sni-" + name},
                      {"name", name},
                      {"certificate", json::Object{{"id", certificate_id}}}};
}

// The result of one client handshake against `server`.
struct HandshakeResult {
  bool ok = false;
  std::string error;
  std::string server_cn;   // subject CN of the certificate the server presented
  std::string client_cn;   // subject CN the server saw from the client ("" if none)
  std::string cipher_suite;
};

// Connects to `server` with `client_context`, sending `server_name` as SNI ("" for none),
// waits until both ends settled, and closes the client.
HandshakeResult Handshake(EventLoop& loop, TlsServer& server,
                          std::shared_ptr<const tls::TlsContext> client_context,
                          const std::string& server_name);

}  // namespace kong::test

#endif  // KONG_TESTS_UNIT_PROXY_PROXY_TLS_TEST_SUPPORT_H_
