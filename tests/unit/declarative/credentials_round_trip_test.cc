// Consumers' credentials (keyauth_credentials, basicauth_credentials, acls) in declarative
// config: nested under consumers on import, top-level on export, the password hashed once.
#include <string>

#include "dao/dao.h"
#include "declarative/declarative.h"
#include "declarative/yaml.h"
#include "schema/catalog.h"
#include "schema/plugin_registry.h"
#include "schema/plugins/bundled.h"
#include "support/test_support.h"
#include "unit/store/store_fixture.h"

namespace kong::declarative {
namespace {

void ImportYaml(store::Store& db, const schema::Catalog& catalog, const std::string& yaml) {
  DeclarativeError err;
  Result<json::Value> flat = LoadDeclarative(yaml, TextFormat::kYaml, catalog, &err);
  REQUIRE_MESSAGE(flat.ok(), PrettyError(err));
  dao::Dao dao(db, catalog);
  dao::DaoResult<int64_t> v = dao.Import(*flat);
  REQUIRE_MESSAGE(v.ok(), (v.ok() ? "" : json::Serialize(v.error().body)));
}

json::Value Export(store::Store& db, const schema::Catalog& catalog) {
  dao::Dao dao(db, catalog);
  dao::DaoResult<json::Value> out = dao.Export();
  REQUIRE(out.ok());
  return out.value();
}

const json::Value& Only(const json::Value& exported, const char* key) {
  const json::Value* list = exported.Find(key);
  REQUIRE_MESSAGE(list != nullptr, key);
  REQUIRE(list->is_array());
  REQUIRE(list->as_array().size() == 1);
  return list->as_array()[0];
}

constexpr char kConsumers[] =
    "_format_version: \"3.0\"\n"
    "consumers:\n"
    "- username: alice\n"
    "  keyauth_credentials:\n"
    "  - key: alice-key\n"
    "  basicauth_credentials:\n"
    "  - username: alice\n"
    "    password: plain-secret\n"
    "  acls:\n"
    "  - group: admins\n"
    "plugins:\n"
    "- name: key-auth\n"
    "- name: acl\n"
    "  config:\n"
    "    allow: [admins]\n";

}  // namespace

TEST_SUITE("declarative") {
  TEST_CASE("credentials: import nested, export top-level, re-import keeps the hash") {
    store::test::ForEachBackend([](store::test::TestDatabase& tdb) {
      schema::PluginSchemaRegistry plugins;
      REQUIRE_OK(schema::RegisterBundledPlugins(plugins));
      schema::Catalog catalog(&plugins);
      std::unique_ptr<store::Store> db = tdb.Open();
      ImportYaml(*db, catalog, kConsumers);
      json::Value first = Export(*db, catalog);
      const std::string consumer_id = Only(first, "consumers").Find("id")->as_string();
      CHECK(Only(first, "keyauth_credentials").Find("key")->as_string() == "alice-key");
      CHECK(Only(first, "keyauth_credentials").Find("consumer")->as_string() == consumer_id);
      CHECK(Only(first, "acls").Find("group")->as_string() == "admins");
      const std::string hash = Only(first, "basicauth_credentials").Find("password")->as_string();
      CHECK(hash.size() == 40);
      CHECK(json::Serialize(first).find("plain-secret") == std::string::npos);
      CHECK(first.Find("plugins")->as_array().size() == 2);

      // Export -> YAML -> import into an empty database -> the same credentials, same hash.
      std::string yaml = EmitYaml(first);
      REQUIRE_OK(db->Reset());
      REQUIRE_OK(db->Bootstrap());
      ImportYaml(*db, catalog, yaml);
      json::Value second = Export(*db, catalog);
      CHECK(Only(second, "basicauth_credentials").Find("password")->as_string() == hash);
      CHECK(json::Serialize(*second.Find("keyauth_credentials")) ==
            json::Serialize(*first.Find("keyauth_credentials")));
      CHECK(json::Serialize(*second.Find("acls")) == json::Serialize(*first.Find("acls")));
    });
  }

  TEST_CASE("credentials: unknown without their plugin") {
    schema::PluginSchemaRegistry plugins;
    REQUIRE_OK(schema::RegisterBundledPlugins(plugins, {"acl"}));
    schema::Catalog catalog(&plugins);
    DeclarativeError err;
    Result<json::Value> flat = LoadDeclarative(kConsumers, TextFormat::kYaml, catalog, &err);
    CHECK_FALSE(flat.ok());
  }
}

}  // namespace kong::declarative
