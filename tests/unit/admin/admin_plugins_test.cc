// The bundled plugins over the Admin API: config validation with Kong's error bodies, and the
// consumers' credentials (key-auth, basic-auth, acls) through both of Kong's route shapes.
#include <doctest/doctest.h>

#include <string>

#include "unit/admin/admin_fixture.h"

namespace kong::admin::test {
namespace {

using store::test::ForEachBackend;
using store::test::TestDatabase;

TEST_SUITE("admin") {
  TEST_CASE("bundled plugins: config defaults and Kong's 400 bodies") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db, {}, /*bundled_plugins=*/true);
      auto created = f.Call("POST", "/plugins", R"j({"name":"rate-limiting","config":{"minute":5}})j");
      REQUIRE_MESSAGE(created.status == 201, created.body);
      json::Value plugin = J(created.body);
      const json::Value& config = *plugin.Find("config");
      CHECK(config.Find("policy")->as_string() == "local");
      CHECK(config.Find("redis")->Find("port")->as_int() == 6379);
      CHECK(config.Find("second")->is_null());

      auto order = f.Call("POST", "/plugins",
                          R"j({"name":"rate-limiting","config":{"second":10,"minute":5}})j");
      CHECK(order.status == 400);
      CHECK(order.body ==
            R"j({"code":2,"name":"schema violation","message":"schema violation (config: The limit for minute(5.0) cannot be lower than the limit for second(10.0))","fields":{"config":"The limit for minute(5.0) cannot be lower than the limit for second(10.0)"}})j");

      auto acl = f.Call("POST", "/plugins", R"j({"name":"acl","config":{"allow":["a"],"deny":["b"]}})j");
      CHECK(acl.status == 400);
      CHECK(acl.body ==
            R"j({"code":2,"name":"schema violation","message":"schema violation (exactly one of these fields must be non-empty: 'config.allow', 'config.deny')","fields":{"@entity":["exactly one of these fields must be non-empty: 'config.allow', 'config.deny'"]}})j");

      auto size = f.Call("POST", "/plugins",
                         R"j({"name":"request-size-limiting","config":{"size_unit":"gigabytes"}})j");
      CHECK(size.status == 400);
      CHECK(size.body ==
            R"j({"code":2,"name":"schema violation","message":"schema violation (config.size_unit: expected one of: megabytes, kilobytes, bytes)","fields":{"config":{"size_unit":"expected one of: megabytes, kilobytes, bytes"}}})j");

      auto off = f.Call("POST", "/plugins", R"j({"name":"jwt"})j");
      CHECK(off.status == 400);
      CHECK(Str(J(off.body), "message") ==
            "schema violation (name: plugin 'jwt' not enabled; add it to the 'plugins' "
            "configuration property)");

      // Form bodies are typed from the plugin's config schema.
      auto form = f.Call("POST", "/plugins", "name=key-auth&config.key_names=token&config.hide_credentials=true",
                         "application/x-www-form-urlencoded");
      REQUIRE_MESSAGE(form.status == 201, form.body);
      json::Value ka = J(form.body);
      CHECK(S(*ka.Find("config")->Find("key_names")) == R"j(["token"])j");
      CHECK(*ka.Find("config")->Find("hide_credentials") == json::Value(true));
    });
  }

  TEST_CASE("key-auth credentials: both route shapes, generated keys, uniqueness") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db, {}, /*bundled_plugins=*/true);
      REQUIRE(f.Call("POST", "/consumers", R"j({"username":"bob"})j").status == 201);
      REQUIRE(f.Call("POST", "/consumers", R"j({"username":"eve"})j").status == 201);

      auto generated = f.Call("POST", "/consumers/bob/key-auth", "{}");
      REQUIRE_MESSAGE(generated.status == 201, generated.body);
      json::Value cred = J(generated.body);
      CHECK(Str(cred, "key").size() == 32);
      const std::string id = Str(cred, "id");

      auto given = f.Call("POST", "/consumers/bob/key-auth", R"j({"key":"secret-1"})j");
      REQUIRE(given.status == 201);
      auto dup = f.Call("POST", "/consumers/eve/key-auth", R"j({"key":"secret-1"})j");
      CHECK(dup.status == 409);
      CHECK(dup.body ==
            R"j({"code":5,"name":"unique constraint violation","message":"UNIQUE violation detected on '{key=\"secret-1\"}'","fields":{"key":"secret-1"}})j");

      CHECK(DataSize(J(f.Call("GET", "/consumers/bob/key-auth").body)) == 2);
      CHECK(DataSize(J(f.Call("GET", "/consumers/eve/key-auth").body)) == 0);
      CHECK(DataSize(J(f.Call("GET", "/key-auths").body)) == 2);
      CHECK(f.Call("GET", "/key-auths/secret-1").status == 200);
      CHECK(f.Call("GET", "/key-auths/" + id).status == 200);
      CHECK(f.Call("GET", "/consumers/bob/key-auth/secret-1").status == 200);
      CHECK(f.Call("GET", "/consumers/eve/key-auth/secret-1").status == 404);
      auto owner = f.Call("GET", "/key-auths/secret-1/consumer");
      REQUIRE(owner.status == 200);
      CHECK(Str(J(owner.body), "username") == "bob");

      // Top-level POST needs the consumer in the body.
      auto top = f.Call("POST", "/key-auths", R"j({"key":"k2"})j");
      CHECK(top.status == 400);
      CHECK(Str(J(top.body), "message") == "schema violation (consumer: required field missing)");
      auto top_ok = f.Call("POST", "/key-auths", R"j({"key":"k2","consumer":{"username":"eve"}})j");
      REQUIRE_MESSAGE(top_ok.status == 201, top_ok.body);

      auto patched = f.Call("PATCH", "/consumers/bob/key-auth/secret-1", R"j({"tags":["t"]})j");
      REQUIRE(patched.status == 200);
      CHECK(S(*J(patched.body).Find("tags")) == R"j(["t"])j");
      CHECK(f.Call("DELETE", "/key-auths/k2").status == 204);
      CHECK(f.Call("DELETE", "/consumers/bob/key-auth/" + id).status == 204);
      CHECK(DataSize(J(f.Call("GET", "/key-auths").body)) == 1);
      // Deleting the consumer cascades to its credentials.
      CHECK(f.Call("DELETE", "/consumers/bob").status == 204);
      CHECK(DataSize(J(f.Call("GET", "/key-auths").body)) == 0);
    });
  }

  TEST_CASE("basic-auth credentials: the password is stored and returned hashed") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db, {}, /*bundled_plugins=*/true);
      auto consumer = f.Call("POST", "/consumers", R"j({"username":"bob"})j");
      REQUIRE(consumer.status == 201);
      const std::string consumer_id = Str(J(consumer.body), "id");
      auto created = f.Call("POST", "/consumers/bob/basic-auth",
                            R"j({"username":"bob-user","password":"plain-secret"})j");
      REQUIRE_MESSAGE(created.status == 201, created.body);
      CHECK(created.body.find("plain-secret") == std::string::npos);
      json::Value cred = J(created.body);
      const std::string hash = Str(cred, "password");
      CHECK(hash.size() == 40);

      auto listed = f.Call("GET", "/basic-auths");
      CHECK(listed.body.find("plain-secret") == std::string::npos);
      CHECK(listed.body.find(hash) != std::string::npos);
      // A PATCH without a password keeps the hash; a new password is hashed again.
      auto renamed = f.Call("PATCH", "/basic-auths/bob-user", R"j({"username":"bob2"})j");
      REQUIRE(renamed.status == 200);
      CHECK(Str(J(renamed.body), "password") == hash);
      auto changed = f.Call("PATCH", "/consumers/bob/basic-auth/bob2", R"j({"password":"other"})j");
      REQUIRE(changed.status == 200);
      CHECK(Str(J(changed.body), "password").size() == 40);
      CHECK(Str(J(changed.body), "password") != hash);
      CHECK(changed.body.find("\"other\"") == std::string::npos);

      auto dup = f.Call("POST", "/consumers/bob/basic-auth", R"j({"username":"bob2","password":"x"})j");
      CHECK(dup.status == 409);
      auto missing = f.Call("POST", "/consumers/bob/basic-auth", R"j({"username":"u3"})j");
      CHECK(missing.status == 400);
      CHECK(Str(J(missing.body), "message") == "schema violation (password: required field missing)");
    });
  }

  TEST_CASE("acls: groups per consumer, found by group under the consumer") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture f(db, {}, /*bundled_plugins=*/true);
      REQUIRE(f.Call("POST", "/consumers", R"j({"username":"bob"})j").status == 201);
      REQUIRE(f.Call("POST", "/consumers", R"j({"username":"eve"})j").status == 201);
      auto a = f.Call("POST", "/consumers/bob/acls", R"j({"group":"admins"})j");
      REQUIRE_MESSAGE(a.status == 201, a.body);
      REQUIRE(f.Call("POST", "/consumers/eve/acls", R"j({"group":"admins"})j").status == 201);
      // The cache key (consumer, group) is unique.
      auto dup = f.Call("POST", "/consumers/bob/acls", R"j({"group":"admins"})j");
      CHECK(dup.status == 409);
      CHECK(DataSize(J(f.Call("GET", "/acls").body)) == 2);
      CHECK(DataSize(J(f.Call("GET", "/consumers/bob/acls").body)) == 1);
      auto by_group = f.Call("GET", "/consumers/bob/acls/admins");
      REQUIRE(by_group.status == 200);
      CHECK(Str(J(by_group.body), "id") == Str(J(a.body), "id"));
      CHECK(f.Call("GET", "/acls/" + Str(J(a.body), "id")).status == 200);
      CHECK(f.Call("DELETE", "/consumers/bob/acls/admins").status == 204);
      CHECK(DataSize(J(f.Call("GET", "/acls").body)) == 1);
    });
  }
}

}  // namespace
}  // namespace kong::admin::test
