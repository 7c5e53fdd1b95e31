// Kong's error bodies (§2.6), pl.pretty rendering, and the text helpers behind the validators.
#include "schema/errors.h"
#include "schema/host_syntax.h"
#include "schema/lua_pattern.h"
#include "schema_test_util.h"

using kong::json::Value;
using namespace kong::schema;
using namespace kong::schema::test;

TEST_SUITE("schema") {
  TEST_CASE("errors: schema violation bodies and messages") {
    Value fields = J(R"x({"host":"required field missing","path":"should start with: /"})x");
    CHECK(S(SchemaViolationBody(fields)) ==
          R"x({"code":2,"name":"schema violation","message":"2 schema violations (host: required )x"
          R"x(field missing; path: should start with: /)","fields":{"host":"required field )x"
          R"x(missing","path":"should start with: /"}})x");
    CHECK(SchemaViolationMessage(J(R"x({"foo":"unknown field"})x")) ==
          "schema violation (foo: unknown field)");
    // Entity errors first, then sorted fields, one nesting level, array positions 1-based.
    CHECK(SchemaViolationMessage(J(
              R"x({"service":{"id":"missing primary key"},"protocols":[null,"bad"],"@entity":["e1","e2"]})x")) ==
          "4 schema violations (e1; e2; protocols.2: bad; service.id: missing primary key)");
    CHECK(SchemaViolationMessage(J(R"x({"config":{"redis":{"port":"p","host":"h"}}})x")) ==
          "schema violation (config.redis: {\n  host = \"h\",\n  port = \"p\"\n})");
    CHECK(HttpStatus(ErrorCode::kSchemaViolation) == 400);
    CHECK(HttpStatus(ErrorCode::kUniqueViolation) == 409);
    CHECK(HttpStatus(ErrorCode::kNotFound) == 404);
    CHECK(HttpStatus(ErrorCode::kOperationUnsupported) == 405);
    CHECK(HttpStatus(ErrorCode::kDatabaseError) == 500);
  }

  TEST_CASE("errors: unique, foreign key, not found and other bodies") {
    CHECK(S(UniqueViolationBody(J(R"x({"username":"bob"})x"))) ==
          R"x({"code":5,"name":"unique constraint violation","message":"UNIQUE violation )x"
          R"x(detected on '{username=\"bob\"}'","fields":{"username":"bob"}})x");
    Value key = J(R"x({"name":"basic-auth","route":null,"service":{"id":"u1"},"consumer":null})x");
    CHECK(*UniqueViolationBody(key).Find("message") ==
          Value("UNIQUE violation detected on "
                "'{consumer=null,name=\"basic-auth\",route=null,service={id=\"u1\"}}'"));
    CHECK(S(ForeignKeyRestrictedBody("services", "routes")) ==
          R"x({"code":4,"name":"foreign key violation","message":"an existing 'routes' entity )x"
          R"x(references this 'services' entity","fields":{"@referenced_by":"routes"}})x");
    CHECK(S(ForeignKeyInvalidReferenceBody(J(R"x({"id":"u2"})x"), "service", "services")) ==
          R"x({"code":4,"name":"foreign key violation","message":"the foreign key '{id=\"u2\"}' )x"
          R"x(does not reference an existing 'services' entity.","fields":{"service":{"id":"u2"}}})x");
    CHECK(S(ForeignKeyUnresolvedBody("service", "name", Value("non-existing"), "services")) ==
          R"x({"code":13,"name":"foreign keys unresolved","message":"foreign key unresolved )x"
          R"x((service.name: the foreign key cannot be resolved with '{name=\"non-existing\"}' for )x"
          R"x(an existing 'services' entity)","fields":{"service":{"name":"the foreign key cannot )x"
          R"x(be resolved with '{name=\"non-existing\"}' for an existing 'services' entity"}}})x");
    CHECK(S(NotFoundBody(J(R"x({"id":"u3"})x"))) ==
          R"x({"code":6,"name":"not found","message":"could not find the entity with primary key )x"
          R"x('{id=\"u3\"}'","fields":{"id":"u3"}})x");
    CHECK(*NotFoundByFieldBody(J(R"x({"name":"x"})x")).Find("message") ==
          Value("could not find the entity with '{name=\"x\"}'"));
    CHECK(*PrimaryKeyViolationBody(J(R"x({"id":"u4"})x")).Find("message") ==
          Value("primary key violation on key '{id=\"u4\"}'"));
    CHECK(S(InvalidOffsetBody("x", "bad base64 encoding")) ==
          R"x({"code":7,"name":"invalid offset","message":"'x' is not a valid offset: bad base64 encoding"})x");
    CHECK(S(InvalidSizeBody("size must be a number")) ==
          R"x({"code":9,"name":"invalid size","message":"size must be a number"})x");
    CHECK(S(InvalidOptionsBody(J(R"x({"tags":"invalid filter syntax"})x"))) ==
          R"x({"code":11,"name":"invalid options","message":"invalid option (tags: invalid filter )x"
          R"x(syntax)","options":{"tags":"invalid filter syntax"}})x");
    CHECK(*InvalidUniqueBody("name", "m").Find("name") == Value("invalid unique name"));
    CHECK(S(OperationUnsupportedBody("cannot create 'services' entities when not using a database")) ==
          R"x({"code":12,"name":"operation unsupported","message":"cannot create 'services' )x"
          R"x(entities when not using a database"})x");
    CHECK(*DeclarativeConfigBody(J(
               R"x({"services":[{"host":"required field missing","port":"value should be between 0 and 65535"}]})x"))
               .Find("message") ==
          Value("declarative config is invalid: {services={{host=\"required field missing\","
                "port=\"value should be between 0 and 65535\"}}}"));
    CHECK(S(MessageBody("Not found")) == R"x({"message":"Not found"})x");
    CHECK(*ReferencedByOthersBody("m").Find("code") == Value(19));
  }

  TEST_CASE("errors: LuaPretty follows pl.pretty") {
    CHECK(LuaPretty(J(R"x({"b":1,"a":"x","@e":true,"end":2.5})x"), "") ==
          R"x({["@e"]=true,a="x",b=1,["end"]=2.5})x");
    CHECK(LuaPretty(J(R"x(["a",null,"c"])x"), "") == R"x({"a",[3]="c"})x");
    CHECK(LuaPretty(J(R"x({})x"), "") == "{}");
    CHECK(LuaPretty(J(R"x({"a":{"b":["x"]}})x")) == "{\n  a = {\n    b = {\n      \"x\"\n    }\n  }\n}");
    CHECK(LuaPretty(Value("q\"uote")) == "\"q\\\"uote\"");
  }

  TEST_CASE("lua patterns: classes, sets, anchors and quantifiers") {
    CHECK(LuaPatternFind("GET", "^%u+$"));
    CHECK(!LuaPatternFind("Get", "^%u+$"));
    CHECK(LuaPatternFind("a.b-c_d~e", "^[%w%.%-%_~]+$"));
    CHECK(!LuaPatternFind("a b", "^[%w%.%-%_~]+$"));
    CHECK(LuaPatternFind("x//y", "//"));
    CHECK(LuaPatternFind("*.example.com", "^%*%."));
    CHECK(LuaPatternFind("example.*", "%.%*$"));
    CHECK(!LuaPatternFind("a*b*c", "^[^*]*%*?[^*]*$"));
    CHECK(LuaPatternFind("a*bc", "^[^*]*%*?[^*]*$"));
    CHECK(LuaPatternFind("Host", "^[Hh][Oo][Ss][Tt]$"));
    CHECK(LuaPatternFind("1.2.3", "^%d+[%.%d]*$"));
    CHECK(LuaPatternFind("1.2-beta", "^%d+[%.%d]*%-?.*$"));
    CHECK(LuaPatternFind("f(a(b)c)", "%b()"));
    CHECK(LuaPatternFind("THE (quick) fox", "%f[%a]%a+"));
    CHECK(LuaPatternFind("aaab", "^a-b$"));
    CHECK(LuaPatternFind("", "^$"));
    CHECK(!LuaPatternFind("abc", "[a"));  // malformed: never matches
  }

  TEST_CASE("host syntax: Kong's normalize_ip, url.parse and uri normalize") {
    std::string err;
    auto h = NormalizeIp("Example.com:8080", &err);
    REQUIRE(h);
    CHECK(h->host == "Example.com");
    CHECK(*h->port == 8080);
    CHECK(!NormalizeIp("a.com:70000", &err));
    CHECK(err == "invalid port number");
    CHECK(!NormalizeIp("1.2.3.256", &err));
    CHECK(err == "invalid ipv4 address: 1.2.3.256");
    h = NormalizeIp("[::1]:80", &err);
    REQUIRE(h);
    CHECK(h->kind == HostKind::kIpv6);
    CHECK(FormatHost(*h, 8000) == "[0000:0000:0000:0000:0000:0000:0000:0001]:80");
    CHECK(!NormalizeIp("a-.com", &err));
    CHECK(err == "invalid hostname: a-.com");
    ParsedUrl u = ParseUrl("https://user:pw@example.com:8443/p;x?q#f");
    CHECK(*u.scheme == "https");
    CHECK(*u.host == "example.com");
    CHECK(*u.port == "8443");
    CHECK(*u.path == "/p");
    CHECK(NormalizeUriPath("/a/./b/../c/") == "/a/c/");
    CHECK(NormalizeUriPath("/%41%2f") == "/A%2F");
    CHECK(NormalizeUriPath("/a/b") == "/a/b");
    CHECK(InvalidUtf8Position("ok\xc3\xa9") == 0);
    CHECK(InvalidUtf8Position("ab\xff") == 3);
    CHECK(IsValidIpOrCidr("10.0.0.0/8"));
    CHECK(IsValidIpOrCidr("::/0"));
    CHECK(!IsValidIpOrCidr("10.0.0.0/33"));
  }
}
