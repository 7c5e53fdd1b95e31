// routes: defaults, per-protocol subschemas and the @entity messages, matching-field rules.
#include "schema_test_util.h"

using kong::json::Value;
using namespace kong::schema;
using namespace kong::schema::test;

namespace {
std::string RouteMsg(const Catalog& c, const std::string& body) {
  return Message(Insert(c, "routes", body));
}
}  // namespace

TEST_SUITE("schema") {
  TEST_CASE("routes: defaults") {
    Catalog c(nullptr);
    EntityResult r = Insert(c, "routes", R"({"paths":["/"]})");
    REQUIRE_MESSAGE(r.ok(), Message(r));
    const Value& e = r.entity();
    CHECK(S(*e.Find("protocols")) == R"(["http","https"])");
    CHECK(*e.Find("https_redirect_status_code") == Value(426));
    CHECK(*e.Find("strip_path") == Value(true));
    CHECK(*e.Find("preserve_host") == Value(false));
    CHECK(*e.Find("request_buffering") == Value(true));
    CHECK(*e.Find("response_buffering") == Value(true));
    CHECK(*e.Find("regex_priority") == Value(0));
    CHECK(*e.Find("path_handling") == Value("v0"));
    CHECK(e.Find("service")->is_null());
    CHECK(e.Find("hosts")->is_null());
    CHECK(e.Find("expression") == nullptr);  // only with router_flavor = expressions
  }

  TEST_CASE("routes: a route must set a matching attribute (@entity message)") {
    Catalog c(nullptr);
    EntityResult r = Insert(c, "routes", R"({})");
    CHECK(Message(r) ==
          "schema violation (must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' "
          "when 'protocols' is 'https')");
    CHECK(Fields(r) ==
          R"({"@entity":["must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"]})");
    CHECK(RouteMsg(c, R"({"protocols":["http"]})") ==
          "schema violation (must set one of 'methods', 'hosts', 'headers', 'paths' when "
          "'protocols' is 'http')");
    CHECK(RouteMsg(c, R"({"protocols":["tcp"]})") ==
          "schema violation (must set one of 'sources', 'destinations', 'snis' when "
          "'protocols' is 'tcp', 'tls' or 'udp')");
    CHECK(RouteMsg(c, R"({"protocols":["tls_passthrough"]})") ==
          "schema violation (must set snis when 'protocols' is 'tls_passthrough')");
    CHECK(RouteMsg(c, R"({"protocols":["grpc"]})") ==
          "schema violation (must set one of 'hosts', 'headers', 'paths' when 'protocols' is "
          "'grpc')");
    CHECK(RouteMsg(c, R"({"protocols":["grpcs"],"snis":["a.example"]})") == "");
    CHECK(RouteMsg(c, R"({"protocols":["https"],"snis":["a.example"]})") == "");
    CHECK(RouteMsg(c, R"({"protocols":["tcp"],"destinations":[{"port":5432}]})") == "");
  }

  TEST_CASE("routes: protocol rules") {
    Catalog c(nullptr);
    CHECK(RouteMsg(c, R"({"protocols":[],"paths":["/"]})") ==
          "schema violation (protocols: unknown type: nil)");
    CHECK(RouteMsg(c, R"({"protocols":null,"paths":["/"]})") ==
          "schema violation (protocols: required field missing)");
    CHECK(RouteMsg(c, R"({"protocols":["http","foo"],"paths":["/"]})") ==
          "schema violation (protocols.2: expected one of: grpc, grpcs, http, https, tcp, tls, "
          "tls_passthrough, udp)");
    CHECK(RouteMsg(c, R"({"protocols":["http","tcp"],"paths":["/"]})") ==
          "schema violation (protocols: these sets are mutually exclusive: ('http', 'https'), "
          "('tcp', 'tls', 'udp'))");
    CHECK(RouteMsg(c, R"({"protocols":["http"],"snis":["a.example"],"paths":["/"]})") ==
          "2 schema violations ('snis' can only be set when 'protocols' is 'grpcs', 'https', "
          "'tls' or 'tls_passthrough'; snis: length must be 0)");
    CHECK(RouteMsg(c, R"({"protocols":["http"],"sources":[{"ip":"10.0.0.1"}],"paths":["/"]})") ==
          "schema violation (sources: cannot set 'sources' when 'protocols' is 'http' or 'https')");
    CHECK(RouteMsg(c, R"({"protocols":["tcp"],"sources":[{"ip":"1.2.3.4"}],"paths":["/"]})") ==
          "schema violation (paths: cannot set 'paths' when 'protocols' is 'tcp', 'tls', "
          "'tls_passthrough' or 'udp')");
    CHECK(RouteMsg(c, R"({"protocols":["grpc"],"paths":["/"],"strip_path":true})") ==
          "schema violation (strip_path: cannot set 'strip_path' when 'protocols' is 'grpc' or "
          "'grpcs')");
    CHECK(RouteMsg(c, R"({"protocols":["grpc"],"paths":["/"],"methods":["GET"]})") ==
          "schema violation (methods: cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs')");
    CHECK(RouteMsg(c, R"({"paths":["/"],"https_redirect_status_code":200})") ==
          "schema violation (https_redirect_status_code: expected one of: 426, 301, 302, 307, 308)");
  }

  TEST_CASE("routes: grpc routes default strip_path to false; sets drop duplicates") {
    Catalog c(nullptr);
    EntityResult r = Insert(c, "routes", R"({"protocols":["grpc","grpc"],"paths":["/a"]})");
    REQUIRE_MESSAGE(r.ok(), Message(r));
    CHECK(*r.entity().Find("strip_path") == Value(false));
    CHECK(S(*r.entity().Find("protocols")) == R"(["grpc"])");
  }

  TEST_CASE("routes: hosts, methods, headers, sources") {
    Catalog c(nullptr);
    CHECK(RouteMsg(c, R"({"hosts":["*.example.com","example.*","a.example:8080"]})") == "");
    CHECK(RouteMsg(c, R"({"hosts":["*.*.example.com"]})") ==
          "schema violation (hosts.1: invalid wildcard: must have at most one wildcard)");
    CHECK(RouteMsg(c, R"({"hosts":["ex*ample.com"]})") ==
          "schema violation (hosts.1: invalid wildcard: must be placed at leftmost or rightmost "
          "label)");
    CHECK(RouteMsg(c, R"({"hosts":["ok.com","bad host"]})") ==
          "schema violation (hosts.2: invalid hostname: bad host)");
    CHECK(RouteMsg(c, R"({"hosts":["a.com:99999"]})") ==
          "schema violation (hosts.1: invalid port number)");
    CHECK(RouteMsg(c, R"({"methods":["get"]})") == "schema violation (methods.1: invalid value: get)");
    CHECK(RouteMsg(c, R"({"headers":{"Host":["a"]}})") ==
          "schema violation (headers: cannot contain 'host' header, which must be specified in "
          "the 'hosts' attribute)");
    CHECK(RouteMsg(c, R"({"headers":{"x y":["a"]}})") ==
          "schema violation (headers: bad header name 'x y', allowed characters are A-Z, a-z, "
          "0-9, '_', and '-')");
    CHECK(RouteMsg(c, R"({"headers":{"x-v":"a"}})") == "schema violation (headers: expected an array)");
    CHECK(RouteMsg(c, R"({"headers":{"x-v":["1","~*^v[0-9]$"]}})") == "");
    EntityResult r = Insert(c, "routes", R"({"protocols":["tcp"],"sources":[{"ip":"10.0.0.0/8"}]})");
    REQUIRE_MESSAGE(r.ok(), Message(r));
    CHECK(S(*r.entity().Find("sources")) == R"([{"ip":"10.0.0.0/8","port":null}])");
    CHECK(RouteMsg(c, R"({"protocols":["tcp"],"sources":[{}]})") ==
          "schema violation (sources.1: {\n  [\"@entity\"] = {\n    \"at least one of these "
          "fields must be non-empty: 'ip', 'port'\"\n  }\n})");
    CHECK(RouteMsg(c, R"({"protocols":["tcp"],"sources":[{"ip":"10.0.0.256"}]})") ==
          "schema violation (sources.1: {\n  ip = \"invalid ip or cidr range: '10.0.0.256'\"\n})");
  }

  TEST_CASE("routes: path rules") {
    Catalog c(nullptr);
    CHECK(RouteMsg(c, R"({"paths":["/a","~/users/(?<id>\\d+)$"]})") == "");
    CHECK(RouteMsg(c, R"({"paths":["a"]})") ==
          "schema violation (paths.1: should start with: / (fixed path) or ~/ (regex path))");
    CHECK(RouteMsg(c, R"({"paths":["/a//b"]})") ==
          "schema violation (paths.1: must not have empty segments)");
    CHECK(RouteMsg(c, R"({"paths":["/a/../b"]})") ==
          "schema violation (paths.1: non-normalized path, consider use '/b' instead)");
    CHECK(RouteMsg(c, R"({"paths":["/%7euser"]})") ==
          "schema violation (paths.1: non-normalized path, consider use '/~user' instead)");
    CHECK(RouteMsg(c, R"({"paths":["/a%2fb"]})") ==
          "schema violation (paths.1: non-normalized path, consider use '/a%2Fb' instead)");
    CHECK(RouteMsg(c, R"({"paths":["/a%zz"]})") ==
          "schema violation (paths.1: invalid url-encoded value: '%zz')");
    CHECK(RouteMsg(c, R"({"paths":["~/users/(foo"]})") ==
          "schema violation (paths.1: invalid regex: '/users/(foo' (PCRE returned: "
          "pcre2_compile() failed: missing closing parenthesis in \"/users/(foo\"))");
    // The ATC flavors also need Rust regex syntax.
    CHECK(RouteMsg(c, R"x({"paths":["~/a(?=b)"]})x") ==
          "schema violation (Router Expression failed validation: regex parse error: "
          "look-around, including look-ahead and look-behind, is not supported)");
    Catalog traditional(nullptr, CatalogOptions{RouterFlavor::kTraditional});
    CHECK(RouteMsg(traditional, R"x({"paths":["~/a(?=b)"]})x") == "");
  }

  TEST_CASE("routes: snis follow the router flavor") {
    Catalog c(nullptr);
    CHECK(RouteMsg(c, R"({"snis":["*.example.com"]})") == "");
    CHECK(RouteMsg(c, R"({"snis":["10.0.0.1"]})") == "schema violation (snis.1: must not be an IP)");
    CHECK(RouteMsg(c, R"({"snis":["a.com:443"]})") == "schema violation (snis.1: must not have a port)");
    Catalog traditional(nullptr, CatalogOptions{RouterFlavor::kTraditional});
    CHECK(RouteMsg(traditional, R"({"snis":["*.example.com"]})") ==
          "schema violation (snis.1: invalid value: *.example.com)");
  }

  TEST_CASE("routes: the expressions flavor adds expression and priority") {
    Catalog c(nullptr, CatalogOptions{RouterFlavor::kExpressions});
    EntityResult r = Insert(c, "routes", R"({"expression":"http.path == \"/\""})");
    REQUIRE_MESSAGE(r.ok(), Message(r));
    CHECK(*r.entity().Find("priority") == Value(0));
    CHECK(RouteMsg(c, R"({"expression":"x","paths":["/"]})") ==
          "schema violation (Router Expression failed validation: cannot set 'expression' with "
          "'methods', 'hosts', 'paths', 'headers', 'snis', 'sources' or 'destinations' "
          "simultaneously)");
    CHECK(RouteMsg(c, R"({"expression":"x","regex_priority":1})") ==
          "schema violation (Router Expression failed validation: cannot set 'regex_priority' "
          "with 'expression' simultaneously)");
    CHECK(RouteMsg(c, R"({"paths":["/"],"priority":3})") ==
          "schema violation (Router Expression failed validation: cannot set 'priority' with "
          "'methods', 'hosts', 'paths', 'headers', 'snis', 'sources' or 'destinations' "
          "simultaneously)");
    CHECK(RouteMsg(c, R"({})") ==
          "schema violation (must set one of 'methods', 'hosts', 'headers', 'paths', 'snis', "
          "'expression' when 'protocols' is 'https')");
  }

  TEST_CASE("routes: PATCH replaces arrays, keeps the rest, and re-runs entity checks") {
    Catalog c(nullptr);
    EntityResult created = Insert(
        c, "routes",
        R"({"paths":["/a","/b"],"hosts":["x.com"],"service":{"id":"6e8c9d3a-6f4c-4b57-9b0e-4b9d8b6f3c11"}})");
    REQUIRE(created.ok());
    EntityResult r = Update(c, "routes", created.entity(), R"({"paths":["/c"]})");
    REQUIRE(r.ok());
    CHECK(S(*r.entity().Find("paths")) == R"(["/c"])");
    CHECK(S(*r.entity().Find("hosts")) == R"(["x.com"])");
    CHECK(S(*r.entity().Find("service")) == R"({"id":"6e8c9d3a-6f4c-4b57-9b0e-4b9d8b6f3c11"})");
    r = Update(c, "routes", created.entity(), R"({"paths":null,"hosts":null})");
    CHECK(Message(r) ==
          "schema violation (must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' "
          "when 'protocols' is 'https')");
    // The stored strip_path (true) is kept, and the grpc subschema refuses it.
    r = Update(c, "routes", created.entity(), R"({"protocols":["grpc"]})");
    CHECK(Message(r) ==
          "schema violation (strip_path: cannot set 'strip_path' when 'protocols' is 'grpc' or "
          "'grpcs')");
    r = Update(c, "routes", created.entity(), R"({"protocols":["grpc"],"strip_path":false})");
    REQUIRE_MESSAGE(r.ok(), Message(r));
    CHECK(S(*r.entity().Find("protocols")) == R"(["grpc"])");
  }
}
