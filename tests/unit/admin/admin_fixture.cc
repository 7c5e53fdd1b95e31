// AdminFixture: a real AdminApi and loopback HTTP clients for the admin tests.
#include "unit/admin/admin_fixture.h"

#include <optional>
#include <utility>

#include "http/fetch.h"
#include "net/connect.h"
#include "net/listen_spec.h"
#include "schema/field.h"
#include "schema/plugins/bundled.h"
#include "unit/net/loopback_peer.h"

namespace kong::admin::test {

using kong::test::WaitUntil;

AdminFixture::AdminFixture(store::test::TestDatabase& db, std::vector<std::string> more_listen,
                           bool bundled_plugins) {
  auto loop = EventLoop::Create();
  REQUIRE_OK(loop.status());
  loop_ = std::move(loop).value();
  schema::PluginSchema p;
  p.name = "test-plugin";
  schema::Field level = schema::IntegerField();
  level.default_value = json::Value(1);
  p.config = {{"level", level}};
  REQUIRE_OK(plugins_.Register(std::move(p)));
  if (bundled_plugins) REQUIRE_OK(schema::RegisterBundledPlugins(plugins_));
  catalog_ = std::make_unique<schema::Catalog>(&plugins_);
  store_ = store::AsyncStore::Start(*loop_, db.Open());
  AdminOptions options;
  auto spec = net::ParseListenSpec("127.0.0.1:0");
  REQUIRE_OK(spec.status());
  options.listen.push_back(*spec);
  for (const std::string& entry : more_listen) {
    auto more = net::ParseListenSpec(entry);
    REQUIRE_OK(more.status());
    options.listen.push_back(*more);
  }
  options.log = [this](LogLevel, std::string_view line) { logs_.emplace_back(line); };
  auto admin = AdminApi::Start(*loop_, *store_, *catalog_, std::move(options));
  REQUIRE_OK(admin.status());
  admin_ = std::move(admin).value();
  REQUIRE(admin_->bound_ports().size() == 1 + more_listen.size());
  port_ = admin_->bound_ports()[0];
  REQUIRE(port_ != 0);
}

AdminFixture::~AdminFixture() {
  client_.reset();
  bool closed = false;
  admin_->Close([&] { closed = true; });
  CHECK(WaitUntil(*loop_, [&] { return closed; }));
  admin_.reset();
  // Every Call waited for its answer, so no job is pending here.
  store_->Shutdown();
  store_.reset();
  CHECK(kong::test::AllHandlesClosed(*loop_));
}

void AdminFixture::Connect() {
  std::optional<Result<std::unique_ptr<net::Transport>>> connected;
  auto attempt = net::ConnectAttempt::Start(
      *loop_, "127.0.0.1", port_, {},
      [&](Result<std::unique_ptr<net::Transport>> r) { connected.emplace(std::move(r)); });
  REQUIRE(WaitUntil(*loop_, [&] { return connected.has_value(); }));
  REQUIRE_OK(connected->status());
  client_ = std::make_unique<http::HttpClient>(std::move(*connected).value());
  ++connections_opened_;
}

std::vector<http::ClientResponse> AdminFixture::CallAll(std::vector<http::ClientRequest> requests) {
  if (!client_ || !client_->open()) Connect();
  std::vector<http::ClientResponse> out;
  size_t answered = 0;
  out.resize(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    client_->Send(std::move(requests[i]), [&out, &answered, i](Result<http::ClientResponse> r) {
      ++answered;
      CHECK_OK(r.status());
      if (r.ok()) out[i] = std::move(r).value();
    });
  }
  REQUIRE(WaitUntil(
      *loop_, [&] { return answered == out.size(); }, 30000));
  return out;
}

http::ClientResponse AdminFixture::Call(const std::string& method, const std::string& target,
                                        const std::string& body, const std::string& content_type) {
  http::ClientRequest request;
  request.method = method;
  request.target = target;
  request.body = body;
  if (!content_type.empty()) {
    request.headers.Add("Content-Type", content_type);
  } else if (!body.empty()) {
    request.headers.Add("Content-Type", "application/json");
  }
  std::vector<http::ClientRequest> one;
  one.push_back(std::move(request));
  return std::move(CallAll(std::move(one))[0]);
}

http::ClientResponse AdminFixture::CallOnce(http::ClientRequest request) {
  std::optional<Result<http::ClientResponse>> out;
  auto fetch =
      http::Fetch::Start(*loop_, "127.0.0.1", port_, std::move(request), {},
                         [&](Result<http::ClientResponse> r) { out.emplace(std::move(r)); });
  REQUIRE(WaitUntil(
      *loop_, [&] { return out.has_value(); }, 30000));
  REQUIRE_OK(out->status());
  return std::move(*out).value();
}

int64_t AdminFixture::Version() {
  std::optional<Result<int64_t>> version;
  store_->Submit([](store::Store& s) { return s.ConfigVersion(); },
                 [&](Result<int64_t> v) { version.emplace(std::move(v)); });
  REQUIRE(WaitUntil(*loop_, [&] { return version.has_value(); }));
  REQUIRE_OK(version->status());
  return version->value();
}

int DataSize(const json::Value& list) {
  const json::Value* data = list.Find("data");
  return data && data->is_array() ? static_cast<int>(data->as_array().size()) : -1;
}

}  // namespace kong::admin::test
