// acl, run directly after an auth plugin: allow and deny lists over the consumer's groups or the
// authenticated groups, Kong 3.10's 401/403, and X-Consumer-Groups / X-Authenticated-Groups.
#include <doctest/doctest.h>

#include "plugins/consumers.h"
#include "plugins/factory.h"
#include "unit/plugins/auth_fixture.h"

using kong::plugins::AclDescriptor;
using kong::plugins::Credential;
using kong::plugins::Flow;
using kong::plugins::KeyAuthDescriptor;
using kong::plugins::Plugin;
using kong::plugins::testing::AuthCall;
using kong::plugins::testing::AuthFixture;

namespace {

void CheckForbidden(AuthCall& call, Flow flow) {
  CHECK(flow == Flow::kExit);
  CHECK(call.ExitStatus() == 403);
  CHECK(call.ExitMessage() == "You cannot consume this service");
  CHECK(call.ctx().exit()->kong_error);
}

// key-auth with `query`'s key (anonymous fallback when `anonymous`), then the acl.
Flow AuthThenAcl(AuthCall& call, const Plugin& key_auth, const Plugin& acl) {
  REQUIRE(call.Run(key_auth) == Flow::kContinue);
  return call.Run(acl);
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("acl: without consumer nor credential the answer is 401 Unauthorized") {
    AuthFixture f;
    auto acl = f.Make(AclDescriptor(), R"({"allow": ["users"]})");
    AuthCall call(f, "GET");
    REQUIRE(call.Run(*acl) == Flow::kExit);
    CHECK(call.ExitStatus() == 401);
    CHECK(call.ExitMessage() == "Unauthorized");
    CHECK(call.ExitHeader("WWW-Authenticate") == "<none>");

    // A credential without consumer (and no authenticated groups): 403.
    Credential orphan{"cred-1", "cred-1", nullptr};
    AuthCall with_credential(f, "GET");
    with_credential.ctx().Authenticate(nullptr, &orphan, false);
    CheckForbidden(with_credential, with_credential.Run(*acl));
  }

  TEST_CASE("acl: allow lets a member through with X-Consumer-Groups, others get 403") {
    AuthFixture f;
    auto key = f.Make(KeyAuthDescriptor(), "{}");
    auto acl = f.Make(AclDescriptor(), R"({"allow": ["admins"]})");
    AuthCall alice(f, "GET", "apikey=alice-key");
    alice.headers().Add("X-Consumer-Groups", "forged");
    REQUIRE(AuthThenAcl(alice, *key, *acl) == Flow::kContinue);
    CHECK(alice.Header("X-Consumer-Groups") == "admins, users");
    CHECK(alice.headers().GetAll("X-Consumer-Groups").size() == 1);
    CHECK(alice.Header("X-Authenticated-Groups") == "<none>");

    AuthCall bob(f, "GET", "apikey=bob-key");
    CheckForbidden(bob, AuthThenAcl(bob, *key, *acl));
  }

  TEST_CASE("acl: deny blocks members and lets the others through") {
    AuthFixture f;
    auto key = f.Make(KeyAuthDescriptor(), R"({"anonymous": "anonymous"})");
    auto acl = f.Make(AclDescriptor(), R"({"deny": ["admins"], "allow": null})");
    AuthCall alice(f, "GET", "apikey=alice-key");
    CheckForbidden(alice, AuthThenAcl(alice, *key, *acl));
    AuthCall bob(f, "GET", "apikey=bob-key");
    REQUIRE(AuthThenAcl(bob, *key, *acl) == Flow::kContinue);
    CHECK(bob.Header("X-Consumer-Groups") == "users");
    // The anonymous consumer has no groups: allowed, and no (empty) groups header.
    AuthCall anon(f, "GET");
    anon.headers().Add("X-Consumer-Groups", "forged");
    REQUIRE(AuthThenAcl(anon, *key, *acl) == Flow::kContinue);
    CHECK(anon.Header("X-Consumer-Groups") == "<none>");
  }

  TEST_CASE("acl: a consumer without groups is forbidden by an allow list, even anonymous") {
    AuthFixture f;
    auto key = f.Make(KeyAuthDescriptor(), R"({"anonymous": "anonymous"})");
    auto acl = f.Make(AclDescriptor(), R"({"allow": ["users"]})");
    AuthCall anon(f, "GET");
    CheckForbidden(anon, AuthThenAcl(anon, *key, *acl));
  }

  TEST_CASE("acl: hide_groups_header sets no groups header") {
    AuthFixture f;
    auto key = f.Make(KeyAuthDescriptor(), "{}");
    auto acl = f.Make(AclDescriptor(), R"({"allow": ["users"], "hide_groups_header": true})");
    AuthCall alice(f, "GET", "apikey=alice-key");
    REQUIRE(AuthThenAcl(alice, *key, *acl) == Flow::kContinue);
    CHECK(alice.Header("X-Consumer-Groups") == "<none>");
  }

  TEST_CASE("acl: authenticated groups, for no consumer, an anonymous one, or always") {
    AuthFixture f;
    auto key = f.Make(KeyAuthDescriptor(), R"({"anonymous": "anonymous"})");
    auto acl = f.Make(AclDescriptor(), R"({"allow": ["ldap-admins"]})");
    auto always = f.Make(AclDescriptor(),
                         R"({"allow": ["ldap-admins"], "always_use_authenticated_groups": true})");
    {
      AuthCall call(f, "GET");  // groups without any consumer
      call.ctx().authenticated_groups = {"ldap-admins", "staff"};
      REQUIRE(call.Run(*acl) == Flow::kContinue);
      CHECK(call.Header("X-Authenticated-Groups") == "ldap-admins, staff");
      CHECK(call.Header("X-Consumer-Groups") == "<none>");
    }
    {
      AuthCall call(f, "GET");
      call.ctx().authenticated_groups = {"staff"};
      CheckForbidden(call, call.Run(*acl));
    }
    {
      AuthCall call(f, "GET");  // the anonymous consumer: authenticated groups win
      call.ctx().authenticated_groups = {"ldap-admins"};
      REQUIRE(AuthThenAcl(call, *key, *acl) == Flow::kContinue);
      CHECK(call.Header("X-Authenticated-Groups") == "ldap-admins");
    }
    {
      AuthCall call(f, "GET", "apikey=alice-key");  // a credential: the consumer's groups
      call.ctx().authenticated_groups = {"ldap-admins"};
      CheckForbidden(call, AuthThenAcl(call, *key, *acl));
    }
    {
      AuthCall call(f, "GET", "apikey=alice-key");  // unless always_use_authenticated_groups
      call.ctx().authenticated_groups = {"ldap-admins"};
      REQUIRE(AuthThenAcl(call, *key, *always) == Flow::kContinue);
      CHECK(call.Header("X-Authenticated-Groups") == "ldap-admins");
      CHECK(call.Header("X-Consumer-Groups") == "<none>");
    }
    {
      AuthCall call(f, "GET", "apikey=alice-key");  // always, but none: the consumer's groups
      auto always_users = f.Make(
          AclDescriptor(), R"({"allow": ["users"], "always_use_authenticated_groups": true})");
      REQUIRE(AuthThenAcl(call, *key, *always_users) == Flow::kContinue);
      CHECK(call.Header("X-Consumer-Groups") == "admins, users");
    }
  }
}
