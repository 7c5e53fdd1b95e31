// Nested endpoints: /P/{p}/E collections with the foreign key forced, scoped /P/{p}/E/{e},
// foreign-key field endpoints (/routes/{r}/service) and targets by address.
#include <doctest/doctest.h>

#include <string>

#include "kong/cert_gen.h"
#include "unit/admin/admin_fixture.h"

namespace kong::admin::test {
namespace {

using store::test::ForEachBackend;
using store::test::TestDatabase;

TEST_SUITE("admin") {
  TEST_CASE("nested routes and plugins belong to their parent") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      json::Value svc = J(f.Call("POST", "/services", R"j({"name":"one","host":"h"})j").body);
      REQUIRE(f.Call("POST", "/services", R"j({"name":"two","host":"h"})j").status == 201);
      const std::string svc_id = Str(svc, "id");

      // The URL's parent wins over a service named in the body.
      auto route = f.Call("POST", "/services/one/routes",
                          R"j({"name":"r1","paths":["/x"],"service":{"name":"two"}})j");
      REQUIRE(route.status == 201);
      json::Value r = J(route.body);
      CHECK(Str(*r.Find("service"), "id") == svc_id);

      CHECK(DataSize(J(f.Call("GET", "/services/one/routes").body)) == 1);
      CHECK(DataSize(J(f.Call("GET", "/services/two/routes").body)) == 0);
      CHECK(f.Call("GET", "/services/nope/routes").status == 404);
      CHECK(f.Call("POST", "/services/nope/routes", R"j({"paths":["/y"]})j").status == 404);

      CHECK(f.Call("GET", "/services/one/routes/r1").status == 200);
      CHECK(f.Call("GET", "/services/" + svc_id + "/routes/" + Str(r, "id")).status == 200);
      auto elsewhere = f.Call("GET", "/services/two/routes/r1");
      CHECK(elsewhere.status == 404);
      CHECK(elsewhere.body == R"j({"message":"Not found"})j");
      CHECK(f.Call("PATCH", "/services/two/routes/r1", R"j({"paths":["/z"]})j").status == 404);
      CHECK(f.Call("DELETE", "/services/two/routes/r1").status == 404);
      auto patched = f.Call("PATCH", "/services/one/routes/r1", R"j({"paths":["/z"]})j");
      REQUIRE(patched.status == 200);
      CHECK(S(*J(patched.body).Find("paths")) == R"j(["/z"])j");

      // The route's service through the foreign-key field endpoint.
      auto parent = f.Call("GET", "/routes/r1/service");
      REQUIRE(parent.status == 200);
      CHECK(Str(J(parent.body), "name") == "one");
      auto parent_patch = f.Call("PATCH", "/routes/r1/service", R"j({"retries":3})j");
      REQUIRE(parent_patch.status == 200);
      CHECK(J(f.Call("GET", "/services/one").body).Find("retries")->as_int() == 3);
      auto no_delete = f.Call("DELETE", "/routes/r1/service");
      CHECK(no_delete.status == 405);
      CHECK(no_delete.body == R"j({"message":"Method not allowed"})j");
      CHECK(f.Call("DELETE", "/routes/nope/service").status == 404);

      // Plugins nested under services, routes and consumers get the scope forced.
      auto plugin = f.Call("POST", "/services/one/plugins", R"j({"name":"test-plugin"})j");
      REQUIRE(plugin.status == 201);
      CHECK(Str(*J(plugin.body).Find("service"), "id") == svc_id);
      auto route_plugin = f.Call("POST", "/routes/r1/plugins", R"j({"name":"test-plugin"})j");
      REQUIRE(route_plugin.status == 201);
      CHECK(Str(*J(route_plugin.body).Find("route"), "id") == Str(r, "id"));
      CHECK(DataSize(J(f.Call("GET", "/services/one/plugins").body)) == 1);
      CHECK(DataSize(J(f.Call("GET", "/routes/r1/plugins").body)) == 1);
      CHECK(DataSize(J(f.Call("GET", "/plugins").body)) == 2);
      auto dup = f.Call("POST", "/services/one/plugins", R"j({"name":"test-plugin"})j");
      CHECK(dup.status == 409);

      // Deleting the route through its service cascades to its plugin.
      CHECK(f.Call("DELETE", "/services/one/routes/r1").status == 204);
      CHECK(f.Call("GET", "/routes/r1").status == 404);
      CHECK(DataSize(J(f.Call("GET", "/plugins").body)) == 1);
    });
  }

  TEST_CASE("targets live under their upstream and are found by address") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      REQUIRE(f.Call("POST", "/upstreams", R"j({"name":"up"})j").status == 201);
      REQUIRE(f.Call("POST", "/upstreams", R"j({"name":"other"})j").status == 201);
      auto t = f.Call("POST", "/upstreams/up/targets", R"j({"target":"10.0.0.1"})j");
      REQUIRE(t.status == 201);
      json::Value target = J(t.body);
      CHECK(Str(target, "target") == "10.0.0.1:8000");
      CHECK(f.Call("POST", "/upstreams/up/targets", R"j({"target":"10.0.0.1:8000"})j").status ==
            409);
      REQUIRE(f.Call("POST", "/upstreams/other/targets", R"j({"target":"10.0.0.1"})j").status ==
              201);

      CHECK(f.Call("GET", "/upstreams/up/targets/10.0.0.1").status == 200);
      auto by_address = f.Call("GET", "/upstreams/up/targets/10.0.0.1:8000");
      REQUIRE(by_address.status == 200);
      CHECK(Str(J(by_address.body), "id") == Str(target, "id"));
      CHECK(f.Call("GET", "/upstreams/up/targets/" + Str(target, "id")).status == 200);
      CHECK(DataSize(J(f.Call("GET", "/upstreams/up/targets").body)) == 1);
      CHECK(DataSize(J(f.Call("GET", "/upstreams/up/targets/all").body)) == 1);
      CHECK(f.Call("POST", "/upstreams/up/targets/all", "{}").status == 405);

      auto weighted = f.Call("PATCH", "/upstreams/up/targets/10.0.0.1", R"j({"weight":7})j");
      REQUIRE(weighted.status == 200);
      CHECK(J(weighted.body).Find("weight")->as_int() == 7);

      // Kong has no top-level /targets.
      CHECK(f.Call("GET", "/targets").status == 404);
      CHECK(f.Call("GET", "/targets/" + Str(target, "id")).status == 404);

      CHECK(f.Call("DELETE", "/upstreams/up/targets/10.0.0.1").status == 204);
      CHECK(DataSize(J(f.Call("GET", "/upstreams/up/targets").body)) == 0);
      CHECK(DataSize(J(f.Call("GET", "/upstreams/other/targets").body)) == 1);
      // Deleting the upstream cascades to its targets.
      CHECK(f.Call("DELETE", "/upstreams/other").status == 204);
      CHECK(f.Call("GET", "/upstreams/other/targets").status == 404);
    });
  }

  TEST_CASE("certificates carry snis and are found by SNI name") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      CertGenOptions gen;
      gen.common_name = "a.example";
      auto pair = CertGen::Generate(gen);
      REQUIRE_OK(pair.status());
      json::Value input = json::Value::EmptyObject();
      input.Set("cert", pair->cert_pem);
      input.Set("key", pair->key_pem);
      auto cert = f.Call("POST", "/certificates", json::Serialize(input));
      REQUIRE_MESSAGE(cert.status == 201, cert.body);
      const std::string id = Str(J(cert.body), "id");
      auto sni = f.Call("POST", "/certificates/" + id + "/snis", R"j({"name":"a.example"})j");
      REQUIRE_MESSAGE(sni.status == 201, sni.body);
      CHECK(Str(*J(sni.body).Find("certificate"), "id") == id);
      CHECK(DataSize(J(f.Call("GET", "/certificates/" + id + "/snis").body)) == 1);
      CHECK(DataSize(J(f.Call("GET", "/certificates/a.example/snis").body)) == 1);

      auto by_sni = f.Call("GET", "/certificates/a.example");
      REQUIRE(by_sni.status == 200);
      CHECK(Str(J(by_sni.body), "id") == id);
      auto unknown = f.Call("GET", "/certificates/b.example");
      CHECK(unknown.status == 404);
      CHECK(unknown.body == R"j({"message":"SNI not found"})j");
      CHECK(f.Call("GET", "/snis/a.example/certificate").status == 404);  // disabled in Kong
      CHECK(f.Call("DELETE", "/certificates/b.example").status == 204);
      CHECK(f.Call("DELETE", "/certificates/a.example").status == 204);
      CHECK(f.Call("GET", "/certificates/" + id).status == 404);
      CHECK(f.Call("GET", "/snis/a.example").status == 404);
    });
  }
}

}  // namespace
}  // namespace kong::admin::test
