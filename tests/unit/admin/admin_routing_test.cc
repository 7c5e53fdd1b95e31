// Admin API routing: Kong's 404 and 405 bodies, OPTIONS, HEAD, trailing slashes, CORS,
// endpoints added by other layers, keep-alive; and the Router alone.
#include <doctest/doctest.h>

#include <string>

#include "admin/responses.h"
#include "admin/router.h"
#include "net/connect.h"
#include "tls/tls_context.h"
#include "tls/tls_transport.h"
#include "unit/admin/admin_fixture.h"

namespace kong::admin::test {
namespace {

using store::test::ForEachBackend;
using store::test::TestDatabase;

TEST_SUITE("admin") {
  TEST_CASE("router: literals beat parameters, segments are decoded after splitting") {
    Router router;
    auto none = [](http::Request&, http::ResponseWriter&, const PathParams&) {};
    router.Add("GET", "/upstreams/{u}/targets/{t}", none);
    router.Add("GET", "/upstreams/{u}/targets/all", none);
    router.Add("GET", "/plugins/{plugins}", none);
    router.Add("GET", "/plugins/enabled", none);
    router.Add("GET", "/x/{low}", none);
    router.Add("GET", "/x/{high}", none, 1);
    auto params = [](const Router::Match& m) {
      std::string out;
      for (const auto& [k, v] : m.params) out += k + "=" + v + " ";
      return out;
    };
    Router::Match all = router.Find("GET", "/upstreams/u1/targets/all");
    CHECK(all.pattern == "/upstreams/{u}/targets/all");
    CHECK(all.handler != nullptr);
    Router::Match item = router.Find("GET", "/upstreams/u1/targets/a%2Fb");
    CHECK(item.pattern == "/upstreams/{u}/targets/{t}");
    CHECK(params(item) == "t=a/b u=u1 ");
    CHECK(router.Find("GET", "/plugins/enabled/").pattern == "/plugins/enabled");
    Router::Match head = router.Find("HEAD", "/plugins/p1");
    CHECK(head.handler != nullptr);
    CHECK(params(head) == "plugins=p1 ");
    CHECK(params(router.Find("GET", "/x/1")) == "high=1 ");
    Router::Match wrong = router.Find("POST", "/plugins/p1");
    CHECK(wrong.handler == nullptr);
    CHECK(wrong.allowed == std::vector<std::string>{"GET"});
    Router::Match unknown = router.Find("GET", "/plugins/p1/extra");
    CHECK(unknown.handler == nullptr);
    CHECK(unknown.allowed.empty());
    CHECK(router.Find("GET", "/plugins//").allowed.empty());
    CHECK(router.Patterns().size() == 6);
  }

  TEST_CASE("unknown paths, wrong methods, OPTIONS, HEAD and CORS answer as Kong") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      auto unknown = f.Call("GET", "/nothing/here");
      CHECK(unknown.status == 404);
      CHECK(unknown.body == R"j({"message":"Not found"})j");
      CHECK(*unknown.headers.Get("Content-Type") == "application/json; charset=utf-8");
      auto wrong = f.Call("DELETE", "/services");
      CHECK(wrong.status == 405);
      CHECK(wrong.body == R"j({"message":"Method not allowed"})j");

      auto options = f.Call("OPTIONS", "/services");
      CHECK(options.status == 204);
      CHECK(*options.headers.Get("Allow") == "GET, HEAD, OPTIONS, POST");
      CHECK(*options.headers.Get("Access-Control-Allow-Methods") == "GET, HEAD, OPTIONS, POST");
      CHECK(options.body.empty());

      REQUIRE(f.Call("POST", "/services", R"j({"name":"h","host":"h"})j").status == 201);
      auto head = f.Call("HEAD", "/services/h");
      CHECK(head.status == 200);
      CHECK(head.body.empty());
      CHECK(f.Call("GET", "/services/h/").status == 200);  // trailing slash tolerated

      http::ClientRequest with_origin{"GET", "/services", {}, ""};
      with_origin.headers.Add("Origin", "http://gui.example");
      auto cors = f.CallOnce(std::move(with_origin));
      CHECK(*cors.headers.Get("Access-Control-Allow-Origin") == "http://gui.example");
      CHECK(*cors.headers.Get("Access-Control-Allow-Credentials") == "true");
    });
  }

  TEST_CASE("endpoints added by other layers are served ahead of entity routes") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      f.admin().AddEndpoint("GET", "/plugins/enabled",
                            [](http::Request&, http::ResponseWriter& w, const PathParams&) {
                              Reply(w, JsonResponse(200, J(R"j({"enabled_plugins":[]})j")));
                            });
      f.admin().AddEndpoint("GET", "/echo/{thing}",
                            [](http::Request&, http::ResponseWriter& w, const PathParams& p) {
                              Reply(w, MessageResponse(200, p.at("thing")));
                            });
      auto enabled = f.Call("GET", "/plugins/enabled");
      CHECK(enabled.status == 200);
      CHECK(enabled.body == R"j({"enabled_plugins":[]})j");
      CHECK(f.Call("POST", "/plugins/enabled", "{}").status == 405);
      auto echo = f.Call("GET", "/echo/a%2Fb%20c");
      CHECK(echo.body == R"j({"message":"a/b c"})j");
      CHECK(f.Call("GET", "/plugins/other").status == 404);  // the entity route still serves
      bool listed = false;
      for (const std::string& e : f.admin().endpoints())
        listed |= e == "/services/{services}/routes";
      CHECK(listed);
    });
  }

  TEST_CASE("many requests share one kept-alive connection") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      for (int i = 0; i < 20; ++i) {
        auto r = f.Call("POST", "/consumers",
                        std::string("{\"username\":\"u") + std::to_string(i) + "\"}");
        CHECK(r.status == 201);
        CHECK(r.keep_alive);
        CHECK(f.Call("GET", "/consumers/u" + std::to_string(i)).status == 200);
      }
      CHECK(f.connections_opened() == 1);
      CHECK(DataSize(J(f.Call("GET", "/consumers").body)) == 20);
    });
  }

  TEST_CASE("an ssl listen spec serves the Admin API over TLS") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db, {"127.0.0.1:0 ssl"});
      const std::vector<uint16_t> ports = f.admin().bound_ports();
      REQUIRE(ports.size() == 2);
      CHECK(ports[1] != 0);
      CHECK(ports[1] != ports[0]);
      REQUIRE(f.Call("POST", "/services", R"j({"name":"tls","host":"h"})j").status == 201);

      tls::TlsContextOptions o;
      o.role = tls::TlsRole::kClient;
      o.verify = tls::VerifyMode::kNone;
      auto context = tls::TlsContext::Create(o);
      REQUIRE_OK(context.status());
      std::unique_ptr<net::Transport> tcp;
      auto attempt = net::ConnectAttempt::Start(f.loop(), "127.0.0.1", ports[1], {},
                                                [&](Result<std::unique_ptr<net::Transport>> r) {
                                                  REQUIRE_OK(r.status());
                                                  tcp = std::move(r).value();
                                                });
      REQUIRE(kong::test::WaitUntil(f.loop(), [&] { return tcp != nullptr; }));
      auto tls = tls::TlsTransport::Create(*context, std::move(tcp));
      REQUIRE_OK(tls.status());
      {
        http::HttpClient client(std::move(tls).value());
        std::optional<Result<http::ClientResponse>> got;
        client.Send({"GET", "/services/tls", {}, ""},
                    [&](Result<http::ClientResponse> r) { got.emplace(std::move(r)); });
        REQUIRE(kong::test::WaitUntil(f.loop(), [&] { return got.has_value(); }));
        REQUIRE_OK(got->status());
        CHECK((*got)->status == 200);
        CHECK(Str(J((*got)->body), "name") == "tls");
      }
    });
  }
}

}  // namespace
}  // namespace kong::admin::test
