// key-auth, basic-auth and acl inside the gateway, over real sockets: each rejection's status,
// negotiated body with request_id and WWW-Authenticate; the X-Consumer-* headers the upstream
// receives (a client's own values overwritten); hide_credentials (header, query, body);
// anonymous; acl allow/deny; multi-auth with anonymous.
#include <doctest/doctest.h>

#include "unit/gateway/gateway_test_util.h"
#include "unit/plugins/auth_fixture.h"

using kong::gateway::test::GatewayFixture;
using kong::gateway::test::Route;
using kong::gateway::test::Service;
using kong::gateway::test::Upstream;
using kong::http::ClientResponse;
using kong::http::HeaderMap;
using kong::plugins::testing::AuthFlatConfig;
using kong::plugins::testing::Basic;
using kong::plugins::testing::kAliceId;
using kong::plugins::testing::kAliceKeyId;
using kong::plugins::testing::kAnonId;
using kong::plugins::testing::kBobId;

namespace {

std::string PluginRow(const std::string& id, const std::string& name, const std::string& route,
                      const std::string& config) {
  return R"({"id":")" + id + R"(","name":")" + name + R"(","route":{"id":")" + route +
         R"("},"enabled":true,"protocols":["http","https"],"config":)" + config + "}";
}

// AuthFlatConfig's consumers and credentials, service s1 (the upstream), one route per path
// ("/key" is route "key"), and the plugin rows.
std::string GatewayConfig(uint16_t port, const std::vector<std::string>& paths,
                          const std::vector<std::string>& plugins) {
  auto flat = kong::json::Parse(AuthFlatConfig());
  REQUIRE(flat.ok());
  kong::json::Array services{*kong::json::Parse(Service("s1", port))};
  kong::json::Array routes;
  for (const std::string& path : paths) {
    routes.push_back(*kong::json::Parse(
        Route(path, "s1", R"("paths":["/)" + path + R"("],"strip_path":false)")));
  }
  kong::json::Array rows;
  for (const std::string& row : plugins) rows.push_back(*kong::json::Parse(row));
  flat->Set("services", std::move(services));
  flat->Set("routes", std::move(routes));
  flat->Set("plugins", std::move(rows));
  return kong::json::Serialize(*flat);
}

HeaderMap Headers(std::initializer_list<std::pair<std::string, std::string>> fields) {
  HeaderMap h;
  for (const auto& [name, value] : fields) h.Add(name, value);
  return h;
}

struct AuthGateway {
  GatewayFixture fx;
  Upstream upstream{fx.loop, "backend"};
  ~AuthGateway() { upstream.Close(fx.loop); }

  void Publish(const std::vector<std::string>& paths, const std::vector<std::string>& plugins) {
    fx.Publish(GatewayConfig(upstream.port(), paths, plugins));
  }
  ClientResponse Get(const std::string& target, HeaderMap headers = {}) {
    return fx.Get(target, "example.com", std::move(headers));
  }
  ClientResponse Post(const std::string& target, std::string content_type, std::string body) {
    kong::http::ClientRequest r;
    r.method = "POST";
    r.target = target;
    r.headers.Add("Content-Type", std::move(content_type));
    r.body = std::move(body);
    auto resp = fx.Send(std::move(r));
    REQUIRE_MESSAGE(resp.ok(), resp.status().ToString());
    return std::move(resp).value();
  }
  std::string Seen(size_t i, std::string_view header) const {
    REQUIRE(i < upstream.seen.size());
    auto v = upstream.seen[i].headers.Get(header);
    return v ? std::string(*v) : std::string("<none>");
  }
};

// A rejection: status, Kong's JSON error template carrying this response's request id, and the
// WWW-Authenticate challenge ("" for none).
void CheckRejection(const ClientResponse& r, int status, const std::string& message,
                    const std::string& challenge) {
  CHECK(r.status == status);
  CHECK(r.headers.Get("Content-Type").value_or("") == "application/json; charset=utf-8");
  std::string request_id(r.headers.Get("X-Kong-Request-Id").value_or(""));
  CHECK(!request_id.empty());
  CHECK(r.body == "{\n  \"message\":\"" + message + "\",\n  \"request_id\":\"" + request_id +
                      "\"\n}");
  if (challenge.empty()) {
    CHECK_FALSE(r.headers.Has("WWW-Authenticate"));
  } else {
    CHECK(r.headers.Get("WWW-Authenticate").value_or("") == challenge);
  }
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("gateway key-auth: 401s over the wire; a valid key reaches the upstream as alice") {
    AuthGateway g;
    g.Publish({"key", "hidden"},
              {PluginRow("p1", "key-auth", "key", "{}"),
               PluginRow("p2", "key-auth", "hidden", R"({"hide_credentials":true,"realm":"kong"})")});
    CheckRejection(g.Get("/key"), 401, "No API key found in request", "Key");
    CheckRejection(g.Get("/key?apikey=nope"), 401, "Unauthorized", "Key");
    CheckRejection(g.Get("/key?apikey=a&apikey=b"), 401, "Duplicate API key found", "Key");
    CheckRejection(g.Get("/hidden"), 401, "No API key found in request", R"(Key realm="kong")");
    auto text = g.Get("/key", Headers({{"Accept", "text/plain"}}));
    CHECK(text.status == 401);
    CHECK(text.body.find("No API key found in request") != std::string::npos);
    CHECK(g.upstream.seen.empty());

    auto ok = g.Get("/key?x=1", Headers({{"apikey", "alice-key"},
                                         {"X-Consumer-ID", "forged"},
                                         {"X-Consumer-Username", "forged"},
                                         {"X-Anonymous-Consumer", "true"}}));
    CHECK(ok.status == 200);
    CHECK(ok.body == "backend");
    REQUIRE(g.upstream.seen.size() == 1);
    CHECK(g.Seen(0, "X-Consumer-ID") == kAliceId);
    CHECK(g.upstream.seen[0].headers.GetAll("X-Consumer-ID").size() == 1);
    CHECK(g.Seen(0, "X-Consumer-Username") == "alice");
    CHECK(g.Seen(0, "X-Consumer-Custom-ID") == "A-1");
    CHECK(g.Seen(0, "X-Credential-Identifier") == kAliceKeyId);
    CHECK(g.Seen(0, "X-Anonymous-Consumer") == "<none>");
    CHECK(g.Seen(0, "apikey") == "alice-key");  // not hidden on this route
    CHECK(g.upstream.seen[0].target == "/key?x=1");

    auto hidden = g.Get("/hidden?a=1&apikey=bob-key&b=2", Headers({{"apikey", "bob-key"}}));
    CHECK(hidden.status == 200);
    REQUIRE(g.upstream.seen.size() == 2);
    CHECK(g.Seen(1, "X-Consumer-ID") == kBobId);
    CHECK(g.Seen(1, "apikey") == "<none>");
    CHECK(g.upstream.seen[1].target == "/hidden?a=1&b=2");
  }

  TEST_CASE("gateway key-auth: key_in_body with hide_credentials rewrites the body upstream") {
    AuthGateway g;
    g.Publish({"body"},
              {PluginRow("p1", "key-auth", "body", R"({"key_in_body":true,"hide_credentials":true})")});
    auto form = g.Post("/body", "application/x-www-form-urlencoded", "a=1&apikey=alice-key&b=2");
    CHECK(form.status == 200);
    REQUIRE(g.upstream.seen.size() == 1);
    CHECK(g.Seen(0, "X-Consumer-ID") == kAliceId);
    CHECK(g.upstream.seen[0].body == "a=1&b=2");
    CHECK(g.Seen(0, "Content-Length") == "7");

    auto json = g.Post("/body", "application/json", R"({"apikey":"bob-key","n":[1,2]})");
    CHECK(json.status == 200);
    REQUIRE(g.upstream.seen.size() == 2);
    CHECK(g.Seen(1, "X-Consumer-ID") == kBobId);
    CHECK(g.upstream.seen[1].body == R"({"n":[1,2]})");

    CheckRejection(g.Post("/body", "application/json", R"({"apikey":"wrong"})"), 401,
                   "Unauthorized", "Key");
    CHECK(g.upstream.seen.size() == 2);
  }

  TEST_CASE("gateway basic-auth: one 401 for every failure; the username as identifier") {
    AuthGateway g;
    g.Publish({"basic"}, {PluginRow("p1", "basic-auth", "basic", R"({"hide_credentials":true})")});
    const std::string challenge = R"(Basic realm="service")";
    CheckRejection(g.Get("/basic"), 401, "Unauthorized", challenge);
    CheckRejection(g.Get("/basic", Headers({{"Authorization", Basic("alice-basic:nope")}})), 401,
                   "Unauthorized", challenge);
    CheckRejection(g.Get("/basic", Headers({{"Authorization", "Basic ???"}})), 401,
                   "Unauthorized", challenge);
    CHECK(g.upstream.seen.empty());

    auto ok = g.Get("/basic", Headers({{"Authorization", Basic("alice-basic:s3cret")},
                                       {"X-Credential-Identifier", "forged"}}));
    CHECK(ok.status == 200);
    REQUIRE(g.upstream.seen.size() == 1);
    CHECK(g.Seen(0, "X-Consumer-ID") == kAliceId);
    CHECK(g.Seen(0, "X-Credential-Identifier") == "alice-basic");
    CHECK(g.Seen(0, "Authorization") == "<none>");  // hide_credentials
  }

  TEST_CASE("gateway acl: allow and deny over the consumers' groups, 401 without auth") {
    AuthGateway g;
    g.Publish({"allow", "deny", "alone"},
              {PluginRow("k1", "key-auth", "allow", "{}"),
               PluginRow("a1", "acl", "allow", R"({"allow":["admins"]})"),
               PluginRow("k2", "key-auth", "deny", "{}"),
               PluginRow("a2", "acl", "deny", R"({"deny":["admins"]})"),
               PluginRow("a3", "acl", "alone", R"({"allow":["users"]})")});
    CheckRejection(g.Get("/allow?apikey=bob-key"), 403, "You cannot consume this service", "");
    CheckRejection(g.Get("/deny?apikey=alice-key"), 403, "You cannot consume this service", "");
    CheckRejection(g.Get("/alone"), 401, "Unauthorized", "");
    CHECK(g.upstream.seen.empty());

    CHECK(g.Get("/allow?apikey=alice-key", Headers({{"X-Consumer-Groups", "forged"}})).status ==
          200);
    CHECK(g.Get("/deny?apikey=bob-key").status == 200);
    REQUIRE(g.upstream.seen.size() == 2);
    CHECK(g.Seen(0, "X-Consumer-Groups") == "admins, users");
    CHECK(g.Seen(1, "X-Consumer-Groups") == "users");
  }

  TEST_CASE("gateway multi-auth: key-auth or basic-auth with anonymous, acl keeps anonymous out") {
    AuthGateway g;
    g.Publish({"multi", "open"},
              {PluginRow("k", "key-auth", "multi", R"({"anonymous":"anonymous"})"),
               PluginRow("b", "basic-auth", "multi", R"({"anonymous":")" +
                                                       std::string(kAnonId) + R"("})"),
               PluginRow("a", "acl", "multi", R"({"allow":["users"]})"),
               PluginRow("k2", "key-auth", "open", R"({"anonymous":"anonymous"})"),
               PluginRow("ghost", "basic-auth", "open", R"({"anonymous":"ghost"})")});
    CHECK(g.Get("/multi?apikey=alice-key").status == 200);
    CHECK(g.Get("/multi", Headers({{"Authorization", Basic("bob-basic:pa:ss word")}})).status ==
          200);
    REQUIRE(g.upstream.seen.size() == 2);
    CHECK(g.Seen(0, "X-Consumer-ID") == kAliceId);
    CHECK(g.Seen(0, "X-Credential-Identifier") == kAliceKeyId);
    CHECK(g.Seen(1, "X-Consumer-ID") == kBobId);
    CHECK(g.Seen(1, "X-Credential-Identifier") == "bob-basic");
    CHECK(g.Seen(1, "X-Anonymous-Consumer") == "<none>");
    // Neither credential: the anonymous consumer, whom the acl (no groups) refuses.
    CheckRejection(g.Get("/multi?apikey=wrong"), 403, "You cannot consume this service", "");

    // Anonymous through key-auth: the basic-auth with a missing anonymous still runs (no
    // credential yet) and fails with 500.
    CheckRejection(g.Get("/open"), 500, "anonymous consumer ghost is configured but doesn't exist",
                   "");
    // A key: basic-auth's logical OR skips it.
    CHECK(g.Get("/open?apikey=bob-key").status == 200);
    REQUIRE(g.upstream.seen.size() == 3);
    CHECK(g.Seen(2, "X-Consumer-ID") == kBobId);
  }
}
