// Bad input never changes the store and always gets Kong's error shape: malformed JSON, wrong
// types, unknown fields, invalid UUIDs, hostile names, bad list arguments, huge bodies, header
// floods.
#include <doctest/doctest.h>

#include <string>

#include "unit/admin/admin_fixture.h"

namespace kong::admin::test {
namespace {

using store::test::ForEachBackend;
using store::test::TestDatabase;

TEST_SUITE("admin") {
  TEST_CASE("bad entity input gets Kong's errors and leaves the store unchanged") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      REQUIRE(f.Call("POST", "/services", R"j({"name":"keep","host":"a.example"})j").status == 201);
      const int64_t before = f.Version();

      auto malformed = f.Call("POST", "/services", R"j({"name":"x",)");
      CHECK(malformed.status == 400);
      CHECK(malformed.body == R"j({"message":"Cannot parse JSON body"})j");

      auto wrong_type = f.Call("POST", "/services", R"j({"name":"x","host":"h","port":"eighty"})j");
      CHECK(wrong_type.status == 400);
      json::Value wrong = J(wrong_type.body);
      const json::Value* port = wrong.Find("fields") ? wrong.Find("fields")->Find("port") : nullptr;
      REQUIRE(port != nullptr);
      CHECK(port->as_string() == "expected an integer");

      auto unknown = f.Call("POST", "/services", R"j({"name":"x","host":"h","colour":"red"})j");
      CHECK(unknown.status == 400);
      CHECK(S(J(unknown.body)) == S(J(R"j({"code":2,"name":"schema violation",
                    "message":"schema violation (colour: unknown field)",
                    "fields":{"colour":"unknown field"}})j")));

      auto bad_fk =
          f.Call("POST", "/routes", R"j({"paths":["/a"],"service":{"id":"not-a-uuid"}})j");
      CHECK(bad_fk.status == 400);
      CHECK(J(bad_fk.body).Find("code")->as_int() == 2);

      auto dangling =
          f.Call("POST", "/routes",
                 R"j({"paths":["/a"],"service":{"id":"6f6a6e3c-57d4-4a5e-9a7a-1f0c2b3d4e5f"}})j");
      CHECK(dangling.status == 400);
      CHECK(J(dangling.body).Find("code")->as_int() == 4);

      auto unresolved =
          f.Call("POST", "/routes", R"j({"paths":["/a"],"service":{"name":"nope"}})j");
      CHECK(unresolved.status == 400);
      CHECK(J(unresolved.body).Find("code")->as_int() == 13);

      // Names with quotes, ';' and SQL keywords are refused by the name pattern, and looked up
      // as plain values (bound parameters), never as SQL.
      const std::string hostile = "x'; DROP TABLE services; --";
      auto bad_name =
          f.Call("POST", "/services", R"j({"name":"x'; DROP TABLE services; --","host":"h"})j");
      CHECK(bad_name.status == 400);
      CHECK(J(bad_name.body).Find("fields")->Find("name") != nullptr);
      CHECK(f.Call("GET", "/services/" + http::PercentEncode(hostile)).status == 404);
      CHECK(f.Call("DELETE", "/services/" + http::PercentEncode(hostile)).status == 204);
      CHECK(
          f.Call("PATCH", "/services/" + http::PercentEncode(hostile), R"j({"port":1})j").status ==
          404);

      auto not_object = f.Call("POST", "/services", R"j(["a"])j");
      CHECK(not_object.status == 400);
      auto wrong_type_header = f.Call("POST", "/services", "name=x", "text/plain");
      CHECK(wrong_type_header.status == 415);
      CHECK(wrong_type_header.body.empty());

      CHECK(f.Version() == before);
      auto list = J(f.Call("GET", "/services").body);
      REQUIRE(DataSize(list) == 1);
      CHECK(Str(list.Find("data")->as_array()[0], "name") == "keep");

      // A hostile string is fine where Kong allows it (a tag), and round-trips unchanged.
      const std::string tag = "it's; DROP TABLE routes; --";
      auto tagged =
          f.Call("POST", "/services",
                 R"j({"name":"tagged","host":"h","tags":["it's; DROP TABLE routes; --"]})j");
      REQUIRE(tagged.status == 201);
      auto found = J(f.Call("GET", "/services?tags=" + http::PercentEncode(tag)).body);
      REQUIRE(DataSize(found) == 1);
      CHECK(Str(found.Find("data")->as_array()[0], "name") == "tagged");
    });
  }

  TEST_CASE("list arguments: size, offset and tags errors are Kong's") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      auto nan = f.Call("GET", "/services?size=abc");
      CHECK(nan.status == 400);
      CHECK(S(J(nan.body)) ==
            S(J(R"j({"code":9,"name":"invalid size","message":"size must be a number"})j")));
      auto zero = f.Call("GET", "/services?size=0");
      CHECK(zero.status == 400);
      CHECK(Str(J(zero.body), "message") == "size must be an integer between 1 and 1000");
      CHECK(f.Call("GET", "/services?size=1.5").status == 400);
      CHECK(f.Call("GET", "/services?size=1001").status == 400);
      auto offset = f.Call("GET", "/services?offset=%%%");
      CHECK(offset.status == 400);
      CHECK(J(offset.body).Find("code")->as_int() == 7);
      auto tags = f.Call("GET", "/services?tags=a,b/c");
      CHECK(tags.status == 400);
      CHECK(S(J(tags.body)) == S(J(R"j({"code":11,"name":"invalid options",
                    "message":"invalid option (tags: invalid filter syntax)",
                    "options":{"tags":"invalid filter syntax"}})j")));
      auto empty = f.Call("GET", "/services?tags=");
      CHECK(empty.status == 400);
      CHECK(Str(J(empty.body), "message") == "invalid option (tags: cannot be null)");
    });
  }

  TEST_CASE("tags filter lists with and/or and carries tags into next") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      REQUIRE(
          f.Call("POST", "/services", R"j({"name":"ab","host":"h","tags":["a","b"]})j").status ==
          201);
      REQUIRE(f.Call("POST", "/services", R"j({"name":"a","host":"h","tags":["a"]})j").status ==
              201);
      REQUIRE(f.Call("POST", "/services", R"j({"name":"c","host":"h","tags":["c"]})j").status ==
              201);
      REQUIRE(f.Call("POST", "/services", R"j({"name":"none","host":"h"})j").status == 201);
      CHECK(DataSize(J(f.Call("GET", "/services?tags=a").body)) == 2);
      CHECK(DataSize(J(f.Call("GET", "/services?tags=a,b").body)) == 1);
      CHECK(DataSize(J(f.Call("GET", "/services?tags=a/c").body)) == 3);
      CHECK(DataSize(J(f.Call("GET", "/services?tags=zzz").body)) == 0);
      CHECK(J(f.Call("GET", "/services?tags=zzz").body).Find("next")->is_null());
      auto first = J(f.Call("GET", "/services?tags=a/c&size=2").body);
      CHECK(DataSize(first) == 2);
      const std::string next = Str(first, "next");
      CHECK(next.find("&size=2&tags=a%2Fc") != std::string::npos);
      auto second = J(f.Call("GET", next).body);
      CHECK(DataSize(second) == 1);
      CHECK(second.Find("next")->is_null());
    });
  }

  TEST_CASE("a huge body gets 413 and a header flood 400, without touching the store") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db);
      const int64_t before = f.Version();
      http::ClientRequest huge{"POST", "/services", {}, ""};
      huge.headers.Add("Content-Type", "application/json");
      huge.body = "{\"name\":\"big\",\"host\":\"h\",\"tags\":[\"" +
                  std::string(11 * 1024 * 1024, 'x') + "\"]}";
      CHECK(f.CallOnce(std::move(huge)).status == 413);

      http::ClientRequest flood{"GET", "/services", {}, ""};
      for (int i = 0; i < 2000; ++i) flood.headers.Add("X-Flood-" + std::to_string(i), "1");
      auto flooded = f.CallOnce(std::move(flood));
      CHECK(flooded.status == 400);

      CHECK(f.Version() == before);
      CHECK(f.Call("GET", "/services").status == 200);  // still serving
    });
  }
}

}  // namespace
}  // namespace kong::admin::test
