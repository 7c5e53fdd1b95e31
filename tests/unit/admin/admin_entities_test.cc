// Admin API entity endpoints over real sockets, on every backend: the issue's "Done when"
// behaviours (url shorthand, route entity check, 409, paging, restricted delete) and PUT/PATCH.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "unit/admin/admin_fixture.h"

namespace kong::admin::test {
namespace {

using store::test::ForEachBackend;
using store::test::TestDatabase;

TEST_SUITE("admin") {
  TEST_CASE("a service created with url stores protocol, host, port and path") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      auto created =
          f.Call("POST", "/services",
                 R"j({"name":"httpbin","url":"http://httpbin.internal:8080/anything"})j");
      REQUIRE(created.status == 201);
      CHECK(*created.headers.Get("Content-Type") == "application/json; charset=utf-8");
      CHECK(*created.headers.Get("Access-Control-Allow-Origin") == "*");
      json::Value s = J(created.body);
      CHECK(Str(s, "protocol") == "http");
      CHECK(Str(s, "host") == "httpbin.internal");
      CHECK(s.Find("port")->as_int() == 8080);
      CHECK(Str(s, "path") == "/anything");
      CHECK(s.Find("url") == nullptr);
      // Every field is returned, unset ones as null (Kong's nulls = true).
      REQUIRE(s.Find("client_certificate") != nullptr);
      CHECK(s.Find("client_certificate")->is_null());

      auto by_name = f.Call("GET", "/services/httpbin");
      REQUIRE(by_name.status == 200);
      CHECK(S(J(by_name.body)) == S(s));
      auto by_id = f.Call("GET", "/services/" + Str(s, "id"));
      REQUIRE(by_id.status == 200);
      CHECK(S(J(by_id.body)) == S(s));
    });
  }

  TEST_CASE("a route without methods, hosts, headers or paths gets Kong's 400 with @entity") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      REQUIRE(f.Call("POST", "/services", R"j({"name":"s1","host":"example.com"})j").status == 201);
      const int64_t before = f.Version();
      auto r = f.Call("POST", "/routes", R"j({"protocols":["http"],"service":{"name":"s1"}})j");
      CHECK(r.status == 400);
      json::Value body = J(r.body);
      CHECK(body.Find("code")->as_int() == 2);
      CHECK(Str(body, "name") == "schema violation");
      const json::Value* entity =
          body.Find("fields") ? body.Find("fields")->Find("@entity") : nullptr;
      REQUIRE(entity != nullptr);
      REQUIRE(entity->is_array());
      REQUIRE(entity->as_array().size() == 1);
      CHECK(entity->as_array()[0].as_string() ==
            "must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'");
      CHECK(f.Version() == before);
    });
  }

  TEST_CASE("a second service with the same name gets 409 with Kong's body") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      REQUIRE(f.Call("POST", "/services", R"j({"name":"dup","host":"a.example"})j").status == 201);
      const int64_t before = f.Version();
      auto r = f.Call("POST", "/services", R"j({"name":"dup","host":"b.example"})j");
      CHECK(r.status == 409);
      CHECK(S(J(r.body)) == S(J(R"j({"code":5,"name":"unique constraint violation",
                    "message":"UNIQUE violation detected on '{name=\"dup\"}'",
                    "fields":{"name":"dup"}})j")));
      CHECK(f.Version() == before);
      auto list = J(f.Call("GET", "/services").body);
      CHECK(DataSize(list) == 1);
    });
  }

  TEST_CASE("250 routes paged with size=100 give 100, 100, 50 and next null on the last page") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      REQUIRE(f.Call("POST", "/services", R"j({"name":"paged","host":"a.example"})j").status ==
              201);
      std::vector<http::ClientRequest> posts;
      for (int i = 0; i < 250; ++i) {
        http::ClientRequest req{"POST", "/services/paged/routes", {}, ""};
        req.headers.Add("Content-Type", "application/json");
        req.body = std::string("{\"name\":\"r") + std::to_string(i) + "\",\"paths\":[\"/p" +
                   std::to_string(i) + "\"]}";
        posts.push_back(std::move(req));
      }
      for (const http::ClientResponse& r : f.CallAll(std::move(posts))) REQUIRE(r.status == 201);

      std::vector<int> sizes;
      std::set<std::string> seen;
      std::string next = "/routes?size=100";
      for (int guard = 0; guard < 5 && !next.empty(); ++guard) {
        auto page = f.Call("GET", next);
        REQUIRE(page.status == 200);
        json::Value body = J(page.body);
        sizes.push_back(DataSize(body));
        for (const json::Value& route : body.Find("data")->as_array())
          seen.insert(Str(route, "id"));
        const json::Value* n = body.Find("next");
        REQUIRE(n != nullptr);
        if (n->is_null()) {
          CHECK(body.Find("offset") == nullptr);
          next.clear();
        } else {
          // Kong's next: the list path, the escaped offset, then the size carried forward.
          CHECK(n->as_string() ==
                "/routes?offset=" + http::PercentEncode(Str(body, "offset")) + "&size=100");
          next = n->as_string();
        }
      }
      CHECK(sizes == std::vector<int>{100, 100, 50});
      CHECK(seen.size() == 250);

      // The nested list pages too, and carries no size into next.
      auto nested = J(f.Call("GET", "/services/paged/routes?size=200").body);
      CHECK(DataSize(nested) == 200);
      CHECK(Str(nested, "next").rfind("/services/paged/routes?offset=", 0) == 0);
      CHECK(Str(nested, "next").find("size=") == std::string::npos);
      auto rest = J(f.Call("GET", Str(nested, "next")).body);
      CHECK(DataSize(rest) == 50);
      CHECK(rest.Find("next")->is_null());
    });
  }

  TEST_CASE("deleting a service that still has routes is refused as Kong does") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      REQUIRE(f.Call("POST", "/services", R"j({"name":"busy","host":"a.example"})j").status == 201);
      auto route = f.Call("POST", "/routes", R"j({"paths":["/x"],"service":{"name":"busy"}})j");
      REQUIRE(route.status == 201);
      const int64_t before = f.Version();
      auto refused = f.Call("DELETE", "/services/busy");
      CHECK(refused.status == 400);
      CHECK(S(J(refused.body)) == S(J(R"j({"code":4,"name":"foreign key violation",
                    "message":"an existing 'routes' entity references this 'services' entity",
                    "fields":{"@referenced_by":"routes"}})j")));
      CHECK(f.Version() == before);
      CHECK(f.Call("GET", "/services/busy").status == 200);

      auto gone = f.Call("DELETE", "/routes/" + Str(J(route.body), "id"));
      CHECK(gone.status == 204);
      CHECK(gone.body.empty());
      CHECK(f.Call("DELETE", "/services/busy").status == 204);
      auto missing = f.Call("GET", "/services/busy");
      CHECK(missing.status == 404);
      CHECK(missing.body == R"j({"message":"Not found"})j");
      // Deleting what is not there is still 204.
      CHECK(f.Call("DELETE", "/services/busy").status == 204);
    });
  }

  TEST_CASE("PUT by name creates, then replaces keeping the id; PATCH merges") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      auto created = f.Call("PUT", "/services/by-put", R"j({"host":"a.example","retries":9})j");
      REQUIRE(created.status == 200);
      json::Value first = J(created.body);
      CHECK(Str(first, "name") == "by-put");
      CHECK(first.Find("retries")->as_int() == 9);

      auto replaced = f.Call("PUT", "/services/by-put", R"j({"host":"b.example"})j");
      REQUIRE(replaced.status == 200);
      json::Value second = J(replaced.body);
      CHECK(Str(second, "id") == Str(first, "id"));
      CHECK(Str(second, "host") == "b.example");
      CHECK(second.Find("retries")->as_int() == 5);  // full replacement: back to the default
      CHECK(DataSize(J(f.Call("GET", "/services").body)) == 1);

      auto patched = f.Call("PATCH", "/services/" + Str(first, "id"), R"j({"port":8443})j");
      REQUIRE(patched.status == 200);
      json::Value third = J(patched.body);
      CHECK(third.Find("port")->as_int() == 8443);
      CHECK(Str(third, "host") == "b.example");

      auto missing = f.Call("PATCH", "/services/nope", R"j({"port":1})j");
      CHECK(missing.status == 404);
      CHECK(J(missing.body).Find("code")->as_int() == 6);

      // A PUT by id with a body naming another id keeps the URL's.
      const std::string id = "6f6a6e3c-57d4-4a5e-9a7a-1f0c2b3d4e5f";
      auto by_id = f.Call("PUT", "/consumers/" + id,
                          R"j({"username":"ann","id":"00000000-0000-4000-8000-000000000000"})j");
      REQUIRE(by_id.status == 200);
      CHECK(Str(J(by_id.body), "id") == id);
      CHECK(f.Call("GET", "/consumers/ann").status == 200);
      auto custom = J(f.Call("GET", "/consumers?custom_id=none").body);
      CHECK(DataSize(custom) == 0);
    });
  }

  TEST_CASE("form-encoded bodies create services and routes") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      auto svc = f.Call("POST", "/services", "name=form&url=http%3A%2F%2Fform.example%3A81%2Fp",
                        "application/x-www-form-urlencoded");
      REQUIRE(svc.status == 201);
      json::Value s = J(svc.body);
      CHECK(Str(s, "host") == "form.example");
      CHECK(s.Find("port")->as_int() == 81);
      auto route = f.Call("POST", "/services/form/routes",
                          "name=fr&paths[]=/a&paths[]=/b&methods=GET&strip_path=false",
                          "application/x-www-form-urlencoded");
      REQUIRE(route.status == 201);
      json::Value r = J(route.body);
      CHECK(S(*r.Find("paths")) == R"j(["/a","/b"])j");
      CHECK(S(*r.Find("methods")) == R"j(["GET"])j");
      CHECK(r.Find("strip_path")->as_bool() == false);
    });
  }

  TEST_CASE("a store failure answers Kong's 500 and logs the reason") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      f.store().Shutdown();
      auto r = f.Call("GET", "/services");
      CHECK(r.status == 500);
      CHECK(r.body == R"j({"message":"An unexpected error occurred"})j");
      REQUIRE(f.logs().size() == 1);
      CHECK(f.logs()[0].find("store is shut down") != std::string::npos);
    });
  }
}

}  // namespace
}  // namespace kong::admin::test
