// End-to-end /v1/outlet upgrade: http server hand-off, HttpClient TakeTransport, then frames.
#include <memory>
#include <optional>
#include <string>

#include "cluster/messages.h"
#include "cluster/websocket.h"
#include "cluster/websocket_handshake.h"
#include "http/client.h"
#include "http/server.h"
#include "net/connect.h"
#include "support/test_support.h"
#include "unit/http/http_test_util.h"

using kong::EventLoop;
using kong::Result;
using kong::Status;
using kong::cluster::WebSocket;
using kong::cluster::WebSocketCallbacks;
using kong::cluster::WebSocketOptions;
using kong::cluster::WebSocketRole;
using kong::http::ClientRequest;
using kong::http::ClientResponse;
using kong::http::HttpClient;
using kong::http::Request;
using kong::http::Response;
using kong::http::ResponseWriter;
using kong::test::TestServer;
using kong::test::WaitUntil;

TEST_SUITE("cluster") {
  TEST_CASE("a DP-style client upgrades /v1/outlet and exchanges basic_info and a ping") {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    EventLoop& l = **loop;
    {
      std::unique_ptr<WebSocket> server_ws;
      std::string server_got;
      std::string server_ping;
      TestServer srv(l, {}, [&](Request& r, ResponseWriter& w) {
        auto params = kong::cluster::ParseNodeParams(r.target);
        if (!params.ok()) {
          w.Send(Response::Text(kong::cluster::kMissingNodeParamHttpStatus, params.status().message()));
          return;
        }
        auto accept = kong::cluster::ValidateUpgradeRequest(r);
        REQUIRE_OK(accept.status());
        auto up = w.TakeTransport();
        REQUIRE_OK(up.status());
        CHECK_OK(up->transport->Write(kong::cluster::UpgradeResponseBytes(*accept)));
        WebSocketCallbacks cb;
        cb.on_message = [&](bool, std::string_view p) { server_got = std::string(p); };
        cb.on_ping = [&](std::string_view p) { server_ping = std::string(p); };
        auto ws = WebSocket::Create(std::move(up->transport), std::move(up->buffered),
                                    WebSocketOptions{WebSocketRole::kServer, 1 << 20}, std::move(cb));
        REQUIRE_OK(ws.status());
        server_ws = std::move(ws).value();
        CHECK_OK(server_ws->Start());
      });

      std::unique_ptr<kong::net::Transport> t;
      auto attempt = kong::net::ConnectAttempt::Start(
          l, "127.0.0.1", srv.port, {},
          [&](Result<std::unique_ptr<kong::net::Transport>> r) { t = std::move(r).value(); });
      REQUIRE(WaitUntil(l, [&] { return t != nullptr; }));
      auto client = std::make_unique<HttpClient>(std::move(t));

      // A request without node_version is answered 400 with Kong's text.
      std::optional<Result<ClientResponse>> refused;
      client->Send(ClientRequest{"GET", "/v1/outlet?node_id=a", {}, ""},
                   [&](Result<ClientResponse> r) { refused.emplace(std::move(r)); });
      REQUIRE(WaitUntil(l, [&] { return refused.has_value(); }));
      REQUIRE_OK(refused->status());
      CHECK((*refused)->status == 400);
      CHECK((*refused)->body == "data plane didn't pass the version");

      auto key = kong::cluster::WebSocketKeyFromNonce("0123456789abcdef");
      REQUIRE_OK(key.status());
      ClientRequest req{"GET",
                        kong::cluster::BuildOutletTarget({"dp-id", "dp-host", "3.6.1"}), {}, ""};
      kong::cluster::AddUpgradeRequestHeaders(req.headers, *key);
      std::optional<Result<ClientResponse>> resp;
      client->Send(std::move(req), [&](Result<ClientResponse> r) { resp.emplace(std::move(r)); });
      REQUIRE(WaitUntil(l, [&] { return resp.has_value(); }));
      REQUIRE_OK(resp->status());
      CHECK_OK(kong::cluster::ValidateUpgradeResponse((*resp)->status, (*resp)->headers, *key));
      auto up = client->TakeTransport();
      REQUIRE_OK(up.status());
      client.reset();

      bool client_closed = false;
      WebSocketCallbacks ccb;
      ccb.on_closed = [&](const Status& s) {
        CHECK_OK(s);
        client_closed = true;
      };
      auto dp = WebSocket::Create(std::move(up->transport), std::move(up->buffered),
                                  WebSocketOptions{WebSocketRole::kClient, 1 << 20}, std::move(ccb));
      REQUIRE_OK(dp.status());
      CHECK_OK((*dp)->Start());
      kong::cluster::BasicInfo info;
      info.plugins = {{"acl", "3.6.1"}};
      CHECK_OK((*dp)->SendBinary(kong::cluster::SerializeBasicInfo(info)));
      CHECK_OK((*dp)->SendPing(kong::cluster::PingPayload("")));
      REQUIRE(WaitUntil(l, [&] { return !server_ping.empty(); }));
      auto parsed = kong::cluster::ParseBasicInfo(server_got);
      REQUIRE_OK(parsed.status());
      CHECK(parsed->plugins[0].name == "acl");
      CHECK_OK(kong::cluster::ValidatePingPayload(server_ping));

      CHECK_OK((*dp)->Close());
      REQUIRE(WaitUntil(l, [&] { return client_closed; }));
      server_ws.reset();
      srv.Close(l);
    }
    CHECK(kong::test::AllHandlesClosed(l));
  }
}
