// kong.conf syntax and value typing: comments, escapes, continuations, NONE, booleans, lists,
// numbers.
#include "conf/conf_text.h"
#include "conf/properties.h"
#include "unit/conf/conf_fixture.h"

using kong::Conf;
using kong::ConfSources;
using kong::conf::ParseConfText;
using kong::conf::StripInlineComment;
using kong::test::LoadFrom;
using kong::test::LoadOverrides;
using kong::test::TempDir;
using kong::test::WriteTestFile;

namespace {

Conf LoadText(const std::string& text) {
  TempDir dir;
  WriteTestFile(dir.File("kong.conf"), text);
  ConfSources sources;
  sources.path = dir.File("kong.conf");
  auto out = LoadFrom(sources);
  REQUIRE_MESSAGE(out.ok(), out.first());
  return *out.conf;
}

}  // namespace

TEST_SUITE("conf") {
  TEST_CASE("key = value lines, comments and blank lines") {
    auto conf = ParseConfText(
        "# a comment\n"
        "   ; another comment\n"
        "\n"
        "pg_host = db.example\n"
        "  pg_user=alice   \n"
        "pg_database\t=\tkong_db\n"
        "not an assignment\n");
    CHECK(conf.size() == 3);
    CHECK(conf["pg_host"] == "db.example");
    CHECK(conf["pg_user"] == "alice");
    CHECK(conf["pg_database"] == "kong_db");
  }

  TEST_CASE("split on the first '=' only; a later line wins") {
    auto conf = ParseConfText("proxy_server = http://p:1/?a=b\npg_user = a\npg_user = b\n");
    CHECK(conf["proxy_server"] == "http://p:1/?a=b");
    CHECK(conf["pg_user"] == "b");
  }

  TEST_CASE("keys: non-alphanumeric characters become underscores") {
    auto conf = ParseConfText("pg-host = x\npg.port = 1\n");
    CHECK(conf.count("pg_host") == 1);
    CHECK(conf.count("pg_port") == 1);
  }

  TEST_CASE("inline comments are stripped, \\# is a literal #") {
    CHECK(StripInlineComment("value # comment") == "value");
    CHECK(StripInlineComment("value#comment") == "value");
    CHECK(StripInlineComment("pass\\#word") == "pass#word");
    CHECK(StripInlineComment("a\\#b # c") == "a#b");
    CHECK(StripInlineComment("# all comment") == "");
    auto conf = ParseConfText("pg_password = se\\#cret   # the password\n");
    CHECK(conf["pg_password"] == "se#cret");
  }

  TEST_CASE("a trailing backslash continues the line, across comment lines") {
    auto conf = ParseConfText(
        "proxy_listen = 0.0.0.0:8000, \\\n"
        "# interleaved comment\n"
        "   0.0.0.0:8443 ssl\n"
        "pg_user = kong\n");
    CHECK(conf["proxy_listen"] == "0.0.0.0:8000,    0.0.0.0:8443 ssl");
    CHECK(conf["pg_user"] == "kong");
    // An unfinished continuation at the end is dropped, as Penlight does.
    CHECK(ParseConfText("pg_user = a \\\n").empty());
  }

  TEST_CASE("CRLF line endings") {
    auto conf = ParseConfText("pg_user = alice\r\npg_host = h\r\n");
    CHECK(conf["pg_user"] == "alice");
    CHECK(conf["pg_host"] == "h");
  }

  TEST_CASE("keys after a [section] line are not top-level") {
    auto conf = ParseConfText("pg_user = a\n[section]\npg_host = b\n");
    CHECK(conf.count("pg_user") == 1);
    CHECK(conf.count("pg_host") == 0);
  }

  TEST_CASE("NONE and empty values are unset") {
    Conf conf = LoadText("pg_password = NONE\npg_schema =\npg_host = NONE\n");
    CHECK_FALSE(conf.Has("pg_password"));
    CHECK_FALSE(conf.Has("pg_schema"));
    CHECK_FALSE(conf.Has("pg_host"));  // the default 127.0.0.1 is replaced by "unset"
    CHECK(conf.GetString("pg_host") == "");
  }

  TEST_CASE("booleans are true only for on and true") {
    for (auto [text, expected] : std::vector<std::pair<std::string, bool>>{{"on", true},
                                                                           {"true", true},
                                                                           {"off", false},
                                                                           {"false", false},
                                                                           {"yes", false},
                                                                           {"ON", false},
                                                                           {"", false}}) {
      CAPTURE(text);
      auto out = LoadOverrides({{"pg_ssl", text}});
      REQUIRE(out.ok());
      CHECK(out.conf->GetBool("pg_ssl") == expected);
      CHECK(out.conf->GetString("pg_ssl") == (expected ? "on" : "off"));
      CHECK(out.conf->Has("pg_ssl"));
    }
    // ngx_boolean (real_ip_recursive): only "on" is on.
    CHECK(LoadOverrides({{"real_ip_recursive", "on"}}).conf->GetBool("real_ip_recursive"));
    CHECK_FALSE(LoadOverrides({{"real_ip_recursive", "true"}}).conf->GetBool("real_ip_recursive"));
  }

  TEST_CASE("lists split on commas, trimmed, empty items dropped") {
    Conf conf = LoadText("trusted_ips = 10.0.0.0/8 ,, 192.168.1.1 ,\nplugins = bundled\n");
    CHECK(conf.GetList("trusted_ips") == std::vector<std::string>{"10.0.0.0/8", "192.168.1.1"});
    CHECK(conf.GetString("trusted_ips") == "10.0.0.0/8, 192.168.1.1");
    CHECK(conf.GetList("plugins") == std::vector<std::string>{"bundled"});
    CHECK(conf.GetList("dns_resolver").empty());
    CHECK_FALSE(conf.Has("dns_resolver"));
  }

  TEST_CASE("numbers: Lua tonumber, printed as Lua prints them") {
    using kong::conf::FormatLuaNumber;
    using kong::conf::ParseLuaNumber;
    CHECK(ParseLuaNumber("42") == 42.0);
    CHECK(ParseLuaNumber(" 1.5 ") == 1.5);
    CHECK(ParseLuaNumber("+5") == 5.0);
    CHECK(ParseLuaNumber("-7") == -7.0);
    CHECK(ParseLuaNumber("1e3") == 1000.0);
    CHECK(ParseLuaNumber("0x10") == 16.0);
    CHECK_FALSE(ParseLuaNumber("abc").has_value());
    CHECK_FALSE(ParseLuaNumber("12abc").has_value());
    CHECK_FALSE(ParseLuaNumber("inf").has_value());
    CHECK_FALSE(ParseLuaNumber("nan").has_value());
    CHECK_FALSE(ParseLuaNumber("+-1").has_value());
    CHECK(FormatLuaNumber(16777216) == "16777216");
    CHECK(FormatLuaNumber(0.5) == "0.5");
    CHECK(FormatLuaNumber(1e20) == "1e+20");

    Conf conf = LoadText("cluster_max_payload = 0x1000000\ndb_update_frequency = 2.5\n");
    CHECK(conf.GetNumber("cluster_max_payload") == 16777216.0);
    CHECK(conf.GetString("cluster_max_payload") == "16777216");
    CHECK(conf.GetNumber("db_update_frequency") == 2.5);
    CHECK(conf.GetString("db_update_frequency") == "2.5");
  }

  TEST_CASE("strings keep their text (no number conversion)") {
    Conf conf = LoadText("pg_password = 00123\nclient_max_body_size = 10m\n");
    CHECK(conf.GetString("pg_password") == "00123");
    CHECK(conf.GetString("client_max_body_size") == "10m");
    CHECK(conf.GetNumber("pg_password") == 0);  // not a number property
  }

  TEST_CASE("unknown keys are ignored, dynamic nginx_* keys are kept") {
    Conf conf = LoadText("no_such_property = 1\nnginx_http_client_max_body_size = 20m\n");
    CHECK_FALSE(conf.Has("no_such_property"));
    CHECK(conf.Has("nginx_http_client_max_body_size"));
    CHECK(conf.GetString("nginx_http_client_max_body_size") == "20m");
    auto names = Conf::KnownProperties();
    CHECK(std::find(names.begin(), names.end(), "no_such_property") == names.end());
  }

  TEST_CASE("typing reports Kong's type and enum errors") {
    using kong::conf::FindProperty;
    std::vector<std::string> errors;
    auto v = kong::conf::TypeValue(*FindProperty("pg_port"), std::string("x"), errors);
    CHECK_FALSE(v.set);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == "pg_port is not a number: 'x'");
    errors.clear();
    v = kong::conf::TypeValue(*FindProperty("role"), std::string("NONE"), errors);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == "role has an invalid value: '' (data_plane, control_plane, traditional)");
  }
}
