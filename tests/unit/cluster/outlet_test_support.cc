// TestDp, TestCp and CpEnv: a hand-driven data plane and a control plane over real loopback.
#include "unit/cluster/outlet_test_support.h"

#include <utility>

#include "cluster/websocket_handshake.h"
#include "dao/dao.h"
#include "net/connect.h"
#include "net/listen_spec.h"
#include "schema/field.h"
#include "support/json_test_support.h"
#include "tls/tls_transport.h"
#include "unit/net/loopback_peer.h"

namespace kong::cluster::test {

using kong::test::Pki;
using kong::test::TestCert;
using kong::test::WaitUntil;

tls::ClusterTlsSettings SharedSettings(const TestCert& pair) {
  tls::ClusterTlsSettings s;
  s.mode = tls::ClusterMtlsMode::kShared;
  s.cert_pem = pair.cert_pem;
  s.key_pem = pair.key_pem;
  return s;
}

tls::ClusterTlsSettings PkiSettings(const TestCert& pair) {
  tls::ClusterTlsSettings s;
  s.mode = tls::ClusterMtlsMode::kPki;
  s.cert_pem = pair.cert_pem;
  s.key_pem = pair.key_pem;
  s.ca_pem = Pki().ca.cert_pem;
  s.server_name = "cp.example";
  return s;
}

std::shared_ptr<const tls::ClusterTrust> MakeTrust(tls::ClusterTlsSettings settings) {
  auto trust = tls::ClusterTrust::Create(std::move(settings));
  REQUIRE_OK(trust.status());
  return std::make_shared<const tls::ClusterTrust>(std::move(trust).value());
}

tls::TlsContextOptions DpClientOptions(const tls::ClusterTlsSettings& settings) {
  return MakeTrust(settings)->ClientOptions();
}

tls::TlsContextOptions DpClientOptionsPresenting(const tls::ClusterTlsSettings& settings,
                                                 const TestCert* pair) {
  tls::TlsContextOptions o = DpClientOptions(settings);
  o.cert_chain_pem = pair ? pair->cert_pem : "";
  o.key_pem = pair ? pair->key_pem : "";
  // This data plane does not check the CP: only the CP's refusal is under test.
  o.verify = tls::VerifyMode::kNone;
  return o;
}

TestDp::~TestDp() {
  ws_.reset();
  http_.reset();
}

void TestDp::Upgrade(uint16_t port, const tls::TlsContextOptions& client,
                     const std::string& target) {
  auto context = tls::TlsContext::Create(client);
  REQUIRE_OK(context.status());
  std::optional<Result<std::unique_ptr<net::Transport>>> raw;
  auto attempt = net::ConnectAttempt::Start(
      loop_, "127.0.0.1", port, {},
      [&](Result<std::unique_ptr<net::Transport>> r) { raw.emplace(std::move(r)); });
  REQUIRE(WaitUntil(loop_, [&] { return raw.has_value(); }));
  REQUIRE_OK(raw->status());
  tls::TlsTransportOptions options;
  options.on_handshake = [this](tls::TlsTransport&) { tls_handshake_done_ = true; };
  auto transport =
      tls::TlsTransport::Create(*context, std::move(*raw).value(), std::move(options));
  REQUIRE_OK(transport.status());
  http_ = std::make_unique<http::HttpClient>(std::move(transport).value());

  auto key = WebSocketKeyFromNonce("0123456789abcdef");
  REQUIRE_OK(key.status());
  http::ClientRequest request;
  request.method = "GET";
  request.target = target;
  AddUpgradeRequestHeaders(request.headers, *key);
  http_->Send(std::move(request),
              [this](Result<http::ClientResponse> r) { response_.emplace(std::move(r)); });
  REQUIRE(WaitUntil(loop_, [&] { return response_.has_value(); }, 10000));
  if (upgraded()) {
    CHECK_OK(ValidateUpgradeResponse((*response_)->status, (*response_)->headers, *key));
  }
}

void TestDp::Connect(uint16_t port, const tls::TlsContextOptions& client, const NodeParams& node) {
  Upgrade(port, client, BuildOutletTarget(node));
}

bool TestDp::upgraded() const {
  return response_ && response_->ok() && (*response_)->status == 101;
}

void TestDp::OpenWebSocket() {
  REQUIRE(upgraded());
  auto up = http_->TakeTransport();
  REQUIRE_OK(up.status());
  WebSocketCallbacks cb;
  cb.on_message = [this](bool binary, std::string_view payload) {
    if (binary) binaries_.emplace_back(payload);
  };
  cb.on_pong = [this](std::string_view) { ++pongs_; };
  cb.on_closed = [this](const Status& s) {
    ws_closed_ = true;
    ws_status_ = s;
  };
  WebSocketOptions options;
  options.role = WebSocketRole::kClient;
  options.max_message_size = 64 << 20;
  auto ws = WebSocket::Create(std::move(up->transport), std::move(up->buffered), options,
                              std::move(cb));
  REQUIRE_OK(ws.status());
  ws_ = std::move(ws).value();
  REQUIRE_OK(ws_->Start());
}

void TestDp::SendBasicInfo(const BasicInfo& info) { SendBinary(SerializeBasicInfo(info)); }

void TestDp::SendBinary(std::string payload) {
  REQUIRE(ws_ != nullptr);
  CHECK_OK(ws_->SendBinary(std::move(payload)));
}

void TestDp::Ping(const std::string& hash) {
  REQUIRE(ws_ != nullptr);
  CHECK_OK(ws_->SendPing(PingPayload(hash)));
}

bool TestDp::gone() const {
  if (ws_) return ws_closed_;
  return http_ == nullptr || !http_->open();
}

void TestDp::WaitBinaries(size_t n) {
  REQUIRE(WaitUntil(loop_, [&] { return binaries_.size() >= n; }, 10000));
}

Reconfigure TestDp::Decoded(size_t i) const {
  REQUIRE(i < binaries_.size());
  auto decoded = DecodeReconfigure(binaries_[i], 64 << 20);
  REQUIRE_OK(decoded.status());
  return std::move(decoded).value();
}

TestCp::TestCp(EventLoop& loop, store::AsyncStore& store, const schema::Catalog& catalog,
               tls::ClusterTlsSettings settings,
               const std::function<void(OutletServerOptions&)>& tweak)
    : loop_(loop) {
  ConfigPublisherOptions publish;
  publish.coalesce_ms = 5;
  publish.log = [this](LogLevel, std::string_view line) { logs_.emplace_back(line); };
  publisher_ = std::make_unique<ConfigPublisher>(loop, store, catalog, std::move(publish));
  OutletServerOptions options;
  auto spec = net::ParseListenSpec("127.0.0.1:0");
  REQUIRE_OK(spec.status());
  options.listen.push_back(*spec);
  options.trust = MakeTrust(std::move(settings));
  options.cp_version = "3.10.0";
  options.log = [this](LogLevel, std::string_view line) { logs_.emplace_back(line); };
  if (tweak) tweak(options);
  auto server = OutletServer::Start(loop, store, *publisher_, std::move(options));
  REQUIRE_OK(server.status());
  server_ = std::move(server).value();
  REQUIRE(server_->bound_ports().size() == 1);
  port_ = server_->bound_ports()[0];
  REQUIRE(port_ != 0);
  publisher_->Start();
  REQUIRE(WaitUntil(loop, [&] { return publisher_->current() != nullptr; }));
}

TestCp::~TestCp() { Close(); }

void TestCp::Close() {
  if (server_) {
    bool closed = false;
    server_->Close([&] { closed = true; });
    CHECK(WaitUntil(loop_, [&] { return closed; }));
    server_.reset();
  }
  if (publisher_) {
    publisher_->Close();
    publisher_.reset();
  }
}

bool TestCp::Logged(const std::string& text) const {
  for (const std::string& line : logs_) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string TestCp::AllLogs() const {
  std::string all;
  for (const std::string& line : logs_) all += line + "\n";
  return all;
}

CpEnv::CpEnv(store::test::TestDatabase& db, tls::ClusterTlsSettings settings,
             const std::function<void(OutletServerOptions&)>& tweak) {
  auto loop = EventLoop::Create();
  REQUIRE_OK(loop.status());
  loop_ = std::move(loop).value();
  schema::PluginSchema plugin;
  plugin.name = "test-plugin";
  schema::Field level = schema::IntegerField();
  level.default_value = json::Value(1);
  plugin.config = {{"level", level}};
  REQUIRE_OK(plugins_.Register(std::move(plugin)));
  catalog_ = std::make_unique<schema::Catalog>(&plugins_);
  store_ = store::AsyncStore::Start(*loop_, db.Open());
  cp_ = std::make_unique<TestCp>(*loop_, *store_, *catalog_, std::move(settings), tweak);
}

CpEnv::~CpEnv() {
  cp_.reset();
  store_->Shutdown();
  store_.reset();
  CHECK(kong::test::AllHandlesClosed(*loop_));
}

int64_t CpEnv::Insert(const std::string& entity, const std::string& json) {
  std::optional<Result<int64_t>> version;
  const schema::Catalog* catalog = catalog_.get();
  json::Value body = kong::test::J(json);
  store_->Submit(
      [catalog, entity, body](store::Store& s) -> Result<int64_t> {
        dao::Dao dao(s, *catalog);
        auto inserted = dao.Insert(entity, body);
        if (!inserted.ok()) {
          return Status::Internal("insert failed: " + json::Serialize(inserted.error().body) +
                                  inserted.error().detail);
        }
        return s.ConfigVersion();
      },
      [&](Result<int64_t> r) { version.emplace(std::move(r)); });
  REQUIRE(WaitUntil(*loop_, [&] { return version.has_value(); }));
  REQUIRE_OK(version->status());
  return version->value();
}

std::optional<store::DataPlaneRecord> CpEnv::Row(const std::string& id) {
  std::optional<Result<std::optional<store::DataPlaneRecord>>> row;
  store_->Submit(
      [id](store::Store& s) { return s.GetDataPlane(id, 0); },
      [&](Result<std::optional<store::DataPlaneRecord>> r) { row.emplace(std::move(r)); });
  REQUIRE(WaitUntil(*loop_, [&] { return row.has_value(); }));
  REQUIRE_OK(row->status());
  return std::move(*row).value();
}

int64_t CpEnv::ConfigVersion() {
  std::optional<Result<int64_t>> version;
  store_->Submit([](store::Store& s) { return s.ConfigVersion(); },
                 [&](Result<int64_t> r) { version.emplace(std::move(r)); });
  REQUIRE(WaitUntil(*loop_, [&] { return version.has_value(); }));
  REQUIRE_OK(version->status());
  return version->value();
}

}  // namespace kong::cluster::test
