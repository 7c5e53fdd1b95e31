// services: defaults, the url shorthand, and each validation message.
#include "schema/uuid.h"
#include "schema_test_util.h"

using kong::json::Value;
using namespace kong::schema;
using namespace kong::schema::test;

TEST_SUITE("schema") {
  TEST_CASE("services: Kong's defaults, a generated id and integer-second timestamps") {
    Catalog c(nullptr);
    EntityResult r = Insert(c, "services", R"({"host":"example.com"})");
    REQUIRE_MESSAGE(r.ok(), Message(r));
    const Value& e = r.entity();
    CHECK(IsUuid(e.Find("id")->as_string()));
    CHECK(e.Find("id")->as_string()[14] == '4');  // version 4
    CHECK(*e.Find("created_at") == Value(int64_t{1700000000}));
    CHECK(*e.Find("updated_at") == Value(int64_t{1700000000}));
    CHECK(*e.Find("protocol") == Value("http"));
    CHECK(*e.Find("port") == Value(80));
    CHECK(*e.Find("retries") == Value(5));
    CHECK(*e.Find("connect_timeout") == Value(60000));
    CHECK(*e.Find("write_timeout") == Value(60000));
    CHECK(*e.Find("read_timeout") == Value(60000));
    CHECK(*e.Find("enabled") == Value(true));
    for (const char* null_field : {"name", "path", "tags", "client_certificate", "tls_verify",
                                   "tls_verify_depth", "ca_certificates"}) {
      REQUIRE_MESSAGE(e.Find(null_field) != nullptr, null_field);
      CHECK_MESSAGE(e.Find(null_field)->is_null(), null_field);
    }
    // Fields come out in schema order, like Kong's output.
    CHECK(e.as_object().front().first == "id");
    CHECK(e.as_object().size() == 18);
  }

  TEST_CASE("services: the port default stays 80 for https without a url") {
    Catalog c(nullptr);
    EntityResult r = Insert(c, "services", R"({"host":"example.com","protocol":"https"})");
    REQUIRE(r.ok());
    CHECK(*r.entity().Find("port") == Value(80));
  }

  TEST_CASE("services: url shorthand expands to protocol, host, port and path") {
    Catalog c(nullptr);
    EntityResult r = Insert(c, "services", R"({"url":"http://httpbin.internal:8080/anything"})");
    REQUIRE_MESSAGE(r.ok(), Message(r));
    CHECK(*r.entity().Find("protocol") == Value("http"));
    CHECK(*r.entity().Find("host") == Value("httpbin.internal"));
    CHECK(*r.entity().Find("port") == Value(8080));
    CHECK(*r.entity().Find("path") == Value("/anything"));
    CHECK(r.entity().Find("url") == nullptr);

    r = Insert(c, "services", R"({"url":"https://example.com"})");
    REQUIRE(r.ok());
    CHECK(*r.entity().Find("protocol") == Value("https"));
    CHECK(*r.entity().Find("port") == Value(443));
    CHECK(r.entity().Find("path")->is_null());

    r = Insert(c, "services", R"({"url":"tcp://10.0.0.1:5432"})");
    REQUIRE(r.ok());
    CHECK(*r.entity().Find("protocol") == Value("tcp"));
    CHECK(*r.entity().Find("host") == Value("10.0.0.1"));

    // Without a scheme, port 443 means https (LuaSocket reads "//host:port" as an authority).
    r = Insert(c, "services", R"({"url":"//secure.example:443/v1"})");
    REQUIRE(r.ok());
    CHECK(*r.entity().Find("protocol") == Value("https"));
    CHECK(*r.entity().Find("port") == Value(443));

    r = Insert(c, "services", R"({"url":"http://[::1]:81/x?q=1#f"})");
    REQUIRE_MESSAGE(r.ok(), Message(r));
    CHECK(*r.entity().Find("host") == Value("::1"));
    CHECK(*r.entity().Find("path") == Value("/x"));
  }

  TEST_CASE("services: url shorthand errors") {
    Catalog c(nullptr);
    EntityResult r = Insert(c, "services", R"({"url":42})");
    CHECK(Message(r) == "schema violation (url: expected a string)");
    r = Insert(c, "services", R"({"url":"http://example.com:abc"})");
    CHECK(Message(r) == "schema violation (port: expected an integer)");
    r = Insert(c, "services", R"({"url":"http://example.com:99999"})");
    CHECK(Message(r) == "schema violation (port: value should be between 0 and 65535)");
  }

  TEST_CASE("services: two errors, sorted, in Kong's message format") {
    Catalog c(nullptr);
    EntityResult r = Insert(c, "services", R"({"path":"x"})");
    CHECK(Message(r) ==
          "2 schema violations (host: required field missing; path: should start with: /)");
    CHECK(Fields(r) == R"({"path":"should start with: /","host":"required field missing"})");
    Value body = r.error().ToBody();
    CHECK(*body.Find("code") == Value(2));
    CHECK(*body.Find("name") == Value("schema violation"));
  }

  TEST_CASE("services: type, range and enum messages") {
    Catalog c(nullptr);
    auto msg = [&](const std::string& extra) {
      return Message(Insert(c, "services", R"({"host":"example.com",)" + extra + "}"));
    };
    CHECK(msg(R"("foo":1)") == "schema violation (foo: unknown field)");
    CHECK(msg(R"("id":"not-a-uuid")") == "schema violation (id: expected a valid UUID)");
    CHECK(msg(R"("port":"80")") == "schema violation (port: expected an integer)");
    CHECK(msg(R"("port":80.5)") == "schema violation (port: expected an integer)");
    CHECK(msg(R"("port":65536)") == "schema violation (port: value should be between 0 and 65535)");
    CHECK(msg(R"("retries":32768)") == "schema violation (retries: value should be between 0 and 32767)");
    CHECK(msg(R"("connect_timeout":0)") ==
          "schema violation (connect_timeout: value should be between 1 and 2147483646)");
    CHECK(msg(R"("protocol":"ftp")") ==
          "schema violation (protocol: expected one of: grpc, grpcs, http, https, tcp, tls, "
          "tls_passthrough, udp)");
    CHECK(msg(R"("enabled":"yes")") == "schema violation (enabled: expected a boolean)");
    CHECK(msg(R"("name":"")") == "schema violation (name: length must be at least 1)");
    CHECK(msg(R"("name":"my service")") ==
          "schema violation (name: invalid value 'my service': the only accepted ascii "
          "characters are alphanumerics or ., -, _, and ~)");
    CHECK(msg(R"("name":"caf\u00e9-api")") == "");
    CHECK(msg(R"("tags":"a")") == "schema violation (tags: expected a set)");
    CHECK(msg(R"("tags":["ok","a,b"])") ==
          "schema violation (tags.2: invalid tag 'a,b': expected printable ascii (except `,` "
          "and `/`) or valid utf-8 sequences)");
    CHECK(msg(R"("client_certificate":"abc","protocol":"https")") ==
          "schema violation (client_certificate.id: missing primary key)");
    CHECK(msg(R"("client_certificate":{"id":"nope"},"protocol":"https")") ==
          "schema violation (client_certificate.id: expected a valid UUID)");
    CHECK(msg(R"("ca_certificates":["x"],"protocol":"https")") ==
          "schema violation (ca_certificates.1: expected a valid UUID)");
    CHECK(msg(R"("tls_verify_depth":65,"protocol":"https")") ==
          "schema violation (tls_verify_depth: value should be between 0 and 64)");
  }

  TEST_CASE("services: host and path typedef messages") {
    Catalog c(nullptr);
    auto msg = [&](const std::string& body) { return Message(Insert(c, "services", body)); };
    CHECK(msg(R"({"host":"example.com:80"})") == "schema violation (host: must not have a port)");
    CHECK(msg(R"({"host":"exa mple.com"})") == "schema violation (host: invalid value: exa mple.com)");
    CHECK(msg(R"({"host":"300.1.1.1"})") == "schema violation (host: invalid value: 300.1.1.1)");
    CHECK(msg(R"({"host":"a","path":"/a//b"})") ==
          "schema violation (path: must not have empty segments)");
    CHECK(msg(R"({"host":"a","path":"/a b"})") ==
          "schema violation (path: invalid path: '/a b' (characters outside of the reserved "
          "list of RFC 3986 found))");
    CHECK(msg(R"({"host":"a","path":"/a%zz"})") ==
          "schema violation (path: invalid url-encoded value: '%zz')");
    CHECK(msg(R"({"host":"a","path":"/a%2Fb:@!$&'()*+,;="})") == "");
  }

  TEST_CASE("services: protocol-dependent fields (conditional entity checks)") {
    Catalog c(nullptr);
    EntityResult r = Insert(c, "services", R"({"host":"db","protocol":"tcp","path":"/x"})");
    CHECK(Message(r) ==
          "2 schema violations (failed conditional validation given value of field 'protocol'; "
          "path: value must be null)");
    r = Insert(c, "services", R"({"host":"a","tls_verify":true})");
    CHECK(Message(r) ==
          "2 schema violations (failed conditional validation given value of field 'protocol'; "
          "tls_verify: value must be null)");
    r = Insert(c, "services", R"({"host":"a","protocol":"tls","tls_verify":true,"tls_verify_depth":2})");
    CHECK(r.ok());
  }

  TEST_CASE("services: PATCH merges onto the stored entity and validates the whole") {
    Catalog c(nullptr);
    EntityResult created = Insert(c, "services", R"({"name":"s1","host":"a.example"})");
    REQUIRE(created.ok());
    const Value& existing = created.entity();
    EntityResult r = Update(c, "services", existing, R"({"port":8443,"protocol":"https"})");
    REQUIRE_MESSAGE(r.ok(), Message(r));
    CHECK(*r.entity().Find("port") == Value(8443));
    CHECK(*r.entity().Find("host") == Value("a.example"));
    CHECK(*r.entity().Find("name") == Value("s1"));
    CHECK(*r.entity().Find("id") == *existing.Find("id"));
    CHECK(*r.entity().Find("created_at") == *existing.Find("created_at"));
    CHECK(*r.entity().Find("updated_at") == Value(int64_t{1700000100}));

    r = Update(c, "services", existing, R"({"url":"https://b.example/p"})");
    REQUIRE(r.ok());
    CHECK(*r.entity().Find("host") == Value("b.example"));
    CHECK(*r.entity().Find("port") == Value(443));
    CHECK(*r.entity().Find("path") == Value("/p"));

    r = Update(c, "services", existing, R"({"host":null})");
    CHECK(Message(r) == "schema violation (host: required field missing)");
    r = Update(c, "services", existing, R"({"bogus":1})");
    CHECK(Message(r) == "schema violation (bogus: unknown field)");
    // Non-required fields may be cleared.
    r = Update(c, "services", existing, R"({"name":null})");
    REQUIRE(r.ok());
    CHECK(r.entity().Find("name")->is_null());
  }

  TEST_CASE("services: PUT replaces fully and applies defaults") {
    Catalog c(nullptr);
    const EntitySchema* s = c.Find("services");
    std::string id = NewUuidV4();
    EntityResult r = c.ValidateUpsert(*s, J(R"({"id":")" + id + R"(","host":"h","retries":1})"), At(5));
    REQUIRE(r.ok());
    CHECK(*r.entity().Find("id") == Value(id));
    CHECK(*r.entity().Find("retries") == Value(1));
    CHECK(*r.entity().Find("port") == Value(80));
    CHECK(*r.entity().Find("created_at") == Value(5));
  }

  TEST_CASE("services: dry runs leave id and timestamps unset; declarative keys are dropped") {
    Catalog c(nullptr);
    const EntitySchema* s = c.Find("services");
    ValidateOptions dry;
    dry.auto_fields = false;
    EntityResult r = c.ValidateInsert(*s, J(R"({"host":"h"})"), dry);
    REQUIRE(r.ok());
    CHECK(r.entity().Find("id")->is_null());
    CHECK(r.entity().Find("created_at")->is_null());

    ValidateOptions decl;
    decl.declarative = true;
    r = c.ValidateInsert(*s, J(R"({"host":"h","_comment":"c","_ignore":[1]})"), decl);
    REQUIRE_MESSAGE(r.ok(), Message(r));
    CHECK(r.entity().Find("_comment") == nullptr);
    r = c.ValidateInsert(*s, J(R"({"host":"h","_comment":1})"), decl);
    CHECK(Message(r) == "schema violation (_comment: expected a string)");
    r = c.ValidateInsert(*s, J(R"({"host":"h","_comment":"c"})"));
    CHECK(Message(r) == "schema violation (_comment: unknown field)");
  }
}
