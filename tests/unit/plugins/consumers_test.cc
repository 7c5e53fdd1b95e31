// ConsumerIndex: consumers, credentials and ACL groups from a flat config.
#include <doctest/doctest.h>

#include "json/value.h"
#include "plugins/consumers.h"
#include "support/test_support.h"

using kong::plugins::ConsumerIndex;

namespace {

kong::json::Value Flat(std::string_view text) {
  auto v = kong::json::Parse(text);
  REQUIRE(v.ok());
  return *v;
}

}  // namespace

TEST_SUITE("plugins") {
  TEST_CASE("consumers: credentials and groups resolve to their consumer") {
    auto flat = Flat(R"({
      "consumers": [{"id": "c1", "username": "alice", "custom_id": "A1"},
                    {"id": "c2", "username": null}],
      "keyauth_credentials": [{"id": "k1", "key": "secret", "consumer": {"id": "c1"}},
                              {"id": "k2", "key": "other", "consumer": "c2"}],
      "basicauth_credentials": [{"id": "b1", "username": "bob", "password": "abc123",
                                 "consumer": {"id": "c2"}}],
      "acls": [{"id": "a1", "group": "admins", "consumer": {"id": "c1"}},
               {"id": "a2", "group": "users", "consumer": {"id": "c1"}}]
    })");
    auto index = ConsumerIndex::Build(flat);
    REQUIRE(index.ok());
    const ConsumerIndex& ix = **index;
    CHECK(ix.consumer_count() == 2);

    const auto* alice = ix.FindById("c1");
    REQUIRE(alice != nullptr);
    CHECK(alice->username == "alice");
    CHECK(alice->custom_id == "A1");
    CHECK(alice->groups == std::vector<std::string>{"admins", "users"});
    CHECK(ix.FindByIdOrUsername("alice") == alice);
    CHECK(ix.FindByIdOrUsername("c1") == alice);
    CHECK(ix.FindByIdOrUsername("nobody") == nullptr);
    CHECK(!ix.FindById("c2")->username.has_value());

    const auto* key = ix.FindKey("secret");
    REQUIRE(key != nullptr);
    CHECK(key->id == "k1");
    CHECK(key->identifier == "k1");
    CHECK(key->consumer == alice);
    REQUIRE(ix.FindKey("other") != nullptr);
    CHECK(ix.FindKey("other")->consumer == ix.FindById("c2"));  // bare id foreign key
    CHECK(ix.FindKey("nope") == nullptr);

    const auto* basic = ix.FindBasicAuth("bob");
    REQUIRE(basic != nullptr);
    CHECK(basic->credential.id == "b1");
    CHECK(basic->credential.identifier == "bob");
    CHECK(basic->credential.consumer == ix.FindById("c2"));
    CHECK(basic->password_hash == "abc123");
    CHECK(ix.FindBasicAuth("alice") == nullptr);
  }

  TEST_CASE("consumers: a credential of an unknown consumer fails the build, naming it") {
    auto flat = Flat(R"({"consumers": [],
      "keyauth_credentials": [{"id": "k1", "key": "x", "consumer": {"id": "ghost"}}]})");
    auto index = ConsumerIndex::Build(flat);
    REQUIRE(!index.ok());
    CHECK(index.status().message().find("ghost") != std::string::npos);
    auto acl = Flat(R"({"acls": [{"group": "g", "consumer": {"id": "ghost2"}}]})");
    auto acl_index = ConsumerIndex::Build(acl);
    REQUIRE(!acl_index.ok());
    CHECK(acl_index.status().message().find("ghost2") != std::string::npos);
  }

  TEST_CASE("consumers: an empty config and Empty() have no consumers") {
    auto index = ConsumerIndex::Build(Flat("{}"));
    REQUIRE(index.ok());
    CHECK((*index)->consumer_count() == 0);
    CHECK(ConsumerIndex::Empty()->FindKey("x") == nullptr);
  }
}
