// consumers, upstreams and targets.
#include "schema_test_util.h"

using kong::json::Value;
using namespace kong::schema;
using namespace kong::schema::test;

TEST_SUITE("schema") {
  TEST_CASE("consumers: username or custom_id, with Kong's insert and update messages") {
    Catalog c(nullptr);
    EntityResult r = Insert(c, "consumers", R"({"username":"bob"})");
    REQUIRE(r.ok());
    CHECK(r.entity().Find("custom_id")->is_null());
    CHECK(Message(Insert(c, "consumers", R"({})")) ==
          "schema violation (at least one of these fields must be non-empty: 'custom_id', "
          "'username')");
    CHECK(Message(Insert(c, "consumers", R"({"username":""})")) ==
          "2 schema violations (at least one of these fields must be non-empty: 'custom_id', "
          "'username'; username: length must be at least 1)");
    EntityResult u = Update(c, "consumers", r.entity(), R"({"username":null})");
    CHECK(Message(u) ==
          "schema violation (when updating, at least one of these fields must be non-empty: "
          "'custom_id', 'username')");
    u = Update(c, "consumers", r.entity(), R"({"custom_id":"c-1","tags":["a","a","b"]})");
    REQUIRE(u.ok());
    CHECK(S(*u.entity().Find("tags")) == R"(["a","b"])");
    CHECK(c.Find("consumers")->endpoint_key == "username");
    CHECK(c.Find("consumers")->UniqueFields() == std::vector<std::string>{"username", "custom_id"});
  }

  TEST_CASE("upstreams: defaults, including the healthchecks tree") {
    Catalog c(nullptr);
    EntityResult r = Insert(c, "upstreams", R"({"name":"backend.internal"})");
    REQUIRE_MESSAGE(r.ok(), Message(r));
    const Value& e = r.entity();
    CHECK(*e.Find("algorithm") == Value("round-robin"));
    CHECK(*e.Find("hash_on") == Value("none"));
    CHECK(*e.Find("hash_fallback") == Value("none"));
    CHECK(*e.Find("hash_on_cookie_path") == Value("/"));
    CHECK(*e.Find("slots") == Value(10000));
    CHECK(*e.Find("use_srv_name") == Value(false));
    const Value& hc = *e.Find("healthchecks");
    CHECK(S(*hc.Find("threshold")) == "0");
    const Value& active = *hc.Find("active");
    CHECK(*active.Find("type") == Value("http"));
    CHECK(*active.Find("timeout") == Value(1));
    CHECK(*active.Find("concurrency") == Value(10));
    CHECK(*active.Find("http_path") == Value("/"));
    CHECK(*active.Find("https_verify_certificate") == Value(true));
    CHECK(active.Find("https_sni")->is_null());
    CHECK(active.Find("headers")->is_null());
    CHECK(S(*active.Find("healthy")) == R"({"interval":0,"http_statuses":[200,302],"successes":0})");
    CHECK(S(*active.Find("unhealthy")) ==
          R"({"interval":0,"http_statuses":[429,404,500,501,502,503,504,505],"tcp_failures":0,"timeouts":0,"http_failures":0})");
    const Value& passive = *hc.Find("passive");
    CHECK(S(*passive.Find("healthy")) ==
          R"({"http_statuses":[200,201,202,203,204,205,206,207,208,226,300,301,302,303,304,305,306,307,308],"successes":0})");
    CHECK(S(*passive.Find("unhealthy")) ==
          R"({"http_statuses":[429,500,503],"tcp_failures":0,"timeouts":0,"http_failures":0})");

    // A partial healthchecks record keeps the other defaults.
    r = Insert(c, "upstreams", R"({"name":"u","healthchecks":{"active":{"timeout":5}}})");
    REQUIRE_MESSAGE(r.ok(), Message(r));
    const Value& a2 = *r.entity().Find("healthchecks")->Find("active");
    CHECK(*a2.Find("timeout") == Value(5));
    CHECK(*a2.Find("concurrency") == Value(10));
    CHECK(r.entity().Find("healthchecks")->Find("passive")->Find("type") != nullptr);
  }

  TEST_CASE("upstreams: name, hashing and health check messages") {
    Catalog c(nullptr);
    auto msg = [&](const std::string& body) { return Message(Insert(c, "upstreams", body)); };
    CHECK(msg(R"({"name":"10.0.0.1"})") ==
          "schema violation (name: Invalid name ('10.0.0.1'); no ip addresses allowed)");
    CHECK(msg(R"({"name":"a.b:80"})") == "schema violation (name: Invalid name ('a.b:80'); no port allowed)");
    CHECK(msg(R"({"name":"a b"})") ==
          "schema violation (name: Invalid name ('a b'); must be a valid hostname)");
    CHECK(msg(R"({"name":"u","hash_on":"header"})") ==
          "2 schema violations (failed conditional validation given value of field 'hash_on'; "
          "hash_on_header: required field missing)");
    CHECK(msg(R"({"name":"u","hash_on":"ip","hash_fallback":"ip"})") ==
          "2 schema violations (failed conditional validation given value of field 'hash_on'; "
          "hash_fallback: expected one of: none, consumer, header, cookie, path, query_arg, "
          "uri_capture)");
    CHECK(msg(R"({"name":"u","hash_on":"header","hash_on_header":"x-a","hash_fallback":"header","hash_fallback_header":"x-a"})") ==
          "schema violation (values of these fields must be distinct: 'hash_on_header', "
          "'hash_fallback_header')");
    CHECK(msg(R"({"name":"u","slots":5})") == "schema violation (slots: value should be between 10 and 65536)");
    CHECK(msg(R"({"name":"u","healthchecks":{"active":{"concurrency":0}}})") ==
          "schema violation (healthchecks.active: {\n  concurrency = \"value should be between 1 "
          "and 2147483648\"\n})");
    CHECK(msg(R"({"name":"u","healthchecks":{"threshold":101}})") ==
          "schema violation (healthchecks.threshold: value should be between 0 and 100)");
    CHECK(msg(R"({"name":"u","hash_on":"cookie","hash_on_cookie":"bad cookie"})") ==
          "2 schema violations (failed conditional validation given value of field 'hash_on'; "
          "hash_on_cookie: bad cookie name 'bad cookie', allowed characters are A-Z, a-z, 0-9, "
          "'_', and '-')");
  }

  TEST_CASE("upstreams: algorithm and hash_on are coupled") {
    Catalog c(nullptr);
    EntityResult r = Insert(c, "upstreams", R"({"name":"u","hash_on":"ip"})");
    REQUIRE(r.ok());
    CHECK(*r.entity().Find("algorithm") == Value("consistent-hashing"));
    r = Insert(c, "upstreams", R"({"name":"u","algorithm":"least-connections","hash_on":"ip"})");
    REQUIRE(r.ok());
    CHECK(*r.entity().Find("algorithm") == Value("least-connections"));
    CHECK(*r.entity().Find("hash_on") == Value("none"));
    r = Insert(c, "upstreams", R"({"name":"u","algorithm":"latency"})");
    REQUIRE(r.ok());
    CHECK(*r.entity().Find("hash_on") == Value("none"));
    EntityResult u = Update(c, "upstreams", r.entity(), R"({"hash_on":"consumer"})");
    REQUIRE(u.ok());
    CHECK(*u.entity().Find("algorithm") == Value("consistent-hashing"));
    u = Update(c, "upstreams", u.entity(), R"({"hash_on":"none"})");
    REQUIRE(u.ok());
    CHECK(*u.entity().Find("algorithm") == Value("round-robin"));
    CHECK(Message(Insert(c, "upstreams", R"({"name":"u","algorithm":"random"})")) ==
          "schema violation (algorithm: expected one of: consistent-hashing, least-connections, "
          "round-robin, latency)");
  }

  TEST_CASE("upstreams: PATCH merges nested records") {
    Catalog c(nullptr);
    EntityResult r = Insert(c, "upstreams", R"({"name":"u"})");
    REQUIRE(r.ok());
    EntityResult u =
        Update(c, "upstreams", r.entity(), R"({"healthchecks":{"active":{"healthy":{"interval":5}}}})");
    REQUIRE_MESSAGE(u.ok(), Message(u));
    const Value& active = *u.entity().Find("healthchecks")->Find("active");
    CHECK(*active.Find("healthy")->Find("interval") == Value(5));
    CHECK(S(*active.Find("healthy")->Find("http_statuses")) == "[200,302]");
    CHECK(*active.Find("concurrency") == Value(10));
  }

  TEST_CASE("targets: host[:port] normalized with port 8000; weight 0..65535") {
    Catalog c(nullptr);
    const char* up = R"("upstream":{"id":"0b0b0b0b-1c1c-4d4d-8e8e-9f9f9f9f9f9f"})";
    auto insert = [&](const std::string& rest) {
      return Insert(c, "targets", std::string("{") + up + "," + rest + "}");
    };
    EntityResult r = insert(R"("target":"api.internal")");
    REQUIRE_MESSAGE(r.ok(), Message(r));
    CHECK(*r.entity().Find("target") == Value("api.internal:8000"));
    CHECK(*r.entity().Find("weight") == Value(100));
    CHECK(*r.entity().Find("created_at") == Value(1700000000.25));  // seconds, ms precision
    r = insert(R"("target":"10.0.0.1:9000","weight":0)");
    REQUIRE(r.ok());
    CHECK(*r.entity().Find("target") == Value("10.0.0.1:9000"));
    r = insert(R"("target":"::1")");
    REQUIRE(r.ok());
    CHECK(*r.entity().Find("target") == Value("[0000:0000:0000:0000:0000:0000:0000:0001]:8000"));
    CHECK(Message(insert(R"("target":"bad host")")) ==
          "schema violation (target: Invalid target ('bad host'); not a valid hostname or ip "
          "address)");
    CHECK(Message(insert(R"("target":"a","weight":65536)")) ==
          "schema violation (weight: value should be between 0 and 65535)");
    CHECK(Message(Insert(c, "targets", R"({"target":"a"})")) ==
          "schema violation (upstream: required field missing)");
    CHECK(c.Find("targets")->cache_key == std::vector<std::string>{"upstream", "target"});
  }

  TEST_CASE("catalog: foreign keys and delete behaviour") {
    Catalog c(nullptr);
    auto refs = c.ReferencesTo("services");
    REQUIRE(refs.size() == 2);
    CHECK(refs[0].child == "routes");
    CHECK(refs[0].field == "service");
    CHECK(!refs[0].cascade);
    CHECK(refs[1].child == "plugins");
    CHECK(refs[1].cascade);
    auto certs = c.ReferencesTo("certificates");
    REQUIRE(certs.size() == 3);  // snis (cascade), services and upstreams (restrict)
    CHECK(certs[0].child == "snis");
    CHECK(certs[0].cascade);
    CHECK(!certs[1].cascade);
    CHECK(!certs[2].cascade);
    auto ups = c.ReferencesTo("upstreams");
    REQUIRE(ups.size() == 1);
    CHECK(ups[0].cascade);
    CHECK(c.Find("nope") == nullptr);
    CHECK(c.All().size() == 9);
  }
}
