// Test helpers for the CP side of /v1/outlet: a minimal data plane written for the tests (TLS
// client over ConnectAttempt, HttpClient upgrade, WebSocket client role) and a CP made of a
// ConfigPublisher and an OutletServer over a loop and an AsyncStore.
#ifndef KONG_TESTS_UNIT_CLUSTER_OUTLET_TEST_SUPPORT_H_
#define KONG_TESTS_UNIT_CLUSTER_OUTLET_TEST_SUPPORT_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cluster/config_publisher.h"
#include "cluster/messages.h"
#include "cluster/outlet_server.h"
#include "cluster/websocket.h"
#include "http/client.h"
#include "kong/event_loop.h"
#include "schema/catalog.h"
#include "schema/plugin_registry.h"
#include "store/async_store.h"
#include "tls/cluster_trust.h"
#include "tls/tls_context.h"
#include "unit/store/store_fixture.h"
#include "unit/tls/test_certs.h"

namespace kong::cluster::test {

// Shared mode with `pair` as cluster_cert/cluster_cert_key.
tls::ClusterTlsSettings SharedSettings(const kong::test::TestCert& pair);
// Pki mode: `pair` signed by Pki().ca; a DP verifies the CP as "cp.example".
tls::ClusterTlsSettings PkiSettings(const kong::test::TestCert& pair);
std::shared_ptr<const tls::ClusterTrust> MakeTrust(tls::ClusterTlsSettings settings);

// What a data plane of these tests presents: the client side of a trust (our real DP rules),
// optionally with another certificate pair, or none.
tls::TlsContextOptions DpClientOptions(const tls::ClusterTlsSettings& settings);
tls::TlsContextOptions DpClientOptionsPresenting(const tls::ClusterTlsSettings& settings,
                                                 const kong::test::TestCert* pair);

// A data plane driven step by step by the test. Every wait REQUIREs its event.
class TestDp {
 public:
  explicit TestDp(EventLoop& loop) : loop_(loop) {}
  ~TestDp();

  // TCP connect, TLS with `client`, then GET `target` with the upgrade headers; waits for the
  // HTTP answer or the connection's failure (response()).
  void Upgrade(uint16_t port, const tls::TlsContextOptions& client, const std::string& target);
  // Upgrade with the outlet target of `node`.
  void Connect(uint16_t port, const tls::TlsContextOptions& client, const NodeParams& node);
  const std::optional<Result<http::ClientResponse>>& response() const { return response_; }
  bool upgraded() const;
  // True once the TLS handshake completed on our side.
  bool tls_handshake_done() const { return tls_handshake_done_; }

  // After a 101: the WebSocket (client role) over the upgraded transport.
  void OpenWebSocket();
  void SendBasicInfo(const BasicInfo& info);
  void SendBinary(std::string payload);
  void Ping(const std::string& hash);

  // Binary messages received (gzipped reconfigure payloads), pongs, and the close.
  const std::vector<std::string>& binaries() const { return binaries_; }
  int pongs() const { return pongs_; }
  bool ws_closed() const { return ws_closed_; }
  const Status& ws_status() const { return ws_status_; }
  // The connection is gone: the WebSocket closed, or the HTTP client failed / was closed.
  bool gone() const;

  // Waits until `n` binary messages arrived; REQUIREs it.
  void WaitBinaries(size_t n);
  // Decodes binaries()[i].
  Reconfigure Decoded(size_t i) const;

 private:
  EventLoop& loop_;
  std::unique_ptr<http::HttpClient> http_;
  std::unique_ptr<WebSocket> ws_;
  std::optional<Result<http::ClientResponse>> response_;
  bool tls_handshake_done_ = false;
  std::vector<std::string> binaries_;
  int pongs_ = 0;
  bool ws_closed_ = false;
  Status ws_status_;
};

// A ConfigPublisher and an OutletServer on 127.0.0.1:0 over a loop and store the caller owns.
class TestCp {
 public:
  // `tweak` adjusts the server options before Start (max_payload, cp_plugins, ...).
  TestCp(EventLoop& loop, store::AsyncStore& store, const schema::Catalog& catalog,
         tls::ClusterTlsSettings settings,
         const std::function<void(OutletServerOptions&)>& tweak = nullptr);
  // Close(); then the caller shuts the store down.
  ~TestCp();
  // Closes the server (waiting for it) and the publisher. Idempotent.
  void Close();

  uint16_t port() const { return port_; }
  ConfigPublisher& publisher() { return *publisher_; }
  OutletServer& server() { return *server_; }
  const std::vector<std::string>& logs() const { return logs_; }
  // Whether some log line contains `text`.
  bool Logged(const std::string& text) const;
  // Every line, for failure messages.
  std::string AllLogs() const;

 private:
  EventLoop& loop_;
  std::unique_ptr<ConfigPublisher> publisher_;
  std::unique_ptr<OutletServer> server_;
  uint16_t port_ = 0;
  std::vector<std::string> logs_;
};

// A loop, an AsyncStore on `db`, a catalog (with "test-plugin" registered) and a TestCp.
class CpEnv {
 public:
  CpEnv(store::test::TestDatabase& db, tls::ClusterTlsSettings settings,
        const std::function<void(OutletServerOptions&)>& tweak = nullptr);
  // Closes the CP, shuts the store down and CHECKs that every handle closed.
  ~CpEnv();

  EventLoop& loop() { return *loop_; }
  store::AsyncStore& store() { return *store_; }
  TestCp& cp() { return *cp_; }
  uint16_t port() const { return cp_->port(); }

  // Inserts `entity` rows through the Dao in one store job; the new config_version.
  int64_t Insert(const std::string& entity, const std::string& json);
  // The registry row of `id` as the store holds it now (after every job submitted so far).
  std::optional<store::DataPlaneRecord> Row(const std::string& id);
  int64_t ConfigVersion();

 private:
  std::unique_ptr<EventLoop> loop_;
  schema::PluginSchemaRegistry plugins_;
  std::unique_ptr<schema::Catalog> catalog_;
  std::unique_ptr<store::AsyncStore> store_;
  std::unique_ptr<TestCp> cp_;
};

}  // namespace kong::cluster::test

#endif  // KONG_TESTS_UNIT_CLUSTER_OUTLET_TEST_SUPPORT_H_
