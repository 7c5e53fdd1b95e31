// Helpers shared by the proxy TLS tests.
#include "unit/proxy/proxy_tls_test_support.h"

#include "support/test_support.h"

namespace kong::test {

HandshakeResult Handshake(EventLoop& loop, TlsServer& server,
                          std::shared_ptr<const tls::TlsContext> client_context,
                          const std::string& server_name) {
  HandshakeResult out;
  tls::TlsTransportOptions o;
  o.server_name = server_name;
  const size_t before = server.accepted.size();
  auto client = ConnectTls(loop, server.port(), std::move(client_context), o);
  REQUIRE(client != nullptr);
  REQUIRE(WaitUntil(loop, [&] {
    return client->settled() && server.accepted.size() > before && server.last().settled();
  }));
  out.ok = client->handshakes == 1 && server.last().handshakes == 1;
  out.error = client->failed ? client->error.ToString() : server.last().error.ToString();
  if (client->handshakes == 1) {
    out.server_cn = client->transport->PeerSubjectCn();
    out.cipher_suite = client->transport->cipher_suite();
  }
  if (server.last().handshakes == 1) out.client_cn = server.last().transport->PeerSubjectCn();
  return out;  // destroying `client` closes its connection
}

}  // namespace kong::test
