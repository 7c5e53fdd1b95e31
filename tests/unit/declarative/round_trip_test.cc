// Export -> YAML -> load -> import -> export through dao::Dao on every store backend.
#include <sstream>
#include <string>

#include "dao/dao.h"
#include "declarative/declarative.h"
#include "declarative/yaml.h"
#include "schema/catalog.h"
#include "schema/plugin_registry.h"
#include "support/test_support.h"
#include "unit/store/store_fixture.h"

namespace kong::declarative {
namespace {

// Kong's import stamps updated_at with the import time (process_auto_fields "insert"), so
// two exports may differ there and nowhere else.
std::string WithoutUpdatedAt(const std::string& yaml) {
  std::istringstream in(yaml);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.find("updated_at: ") == std::string::npos) out += line + "\n";
  }
  return out;
}

void Import(store::Store& db, const schema::Catalog& catalog, const std::string& yaml) {
  DeclarativeError err;
  Result<json::Value> flat = LoadDeclarative(yaml, TextFormat::kYaml, catalog, &err);
  REQUIRE_MESSAGE(flat.ok(), PrettyError(err));
  dao::Dao dao(db, catalog);
  dao::DaoResult<int64_t> v = dao.Import(*flat);
  REQUIRE_MESSAGE(v.ok(), (v.ok() ? "" : json::Serialize(v.error().body)));
}

std::string ExportYaml(store::Store& db, const schema::Catalog& catalog) {
  dao::Dao dao(db, catalog);
  dao::DaoResult<json::Value> out = dao.Export();
  REQUIRE(out.ok());
  return EmitYaml(out.value());
}

constexpr char kNested[] =
    "_format_version: \"3.0\"\n"
    "services:\n"
    "- name: billing\n"
    "  url: https://billing.internal:8443/v1\n"
    "  tags: [team-a, \"2024\"]\n"
    "  routes:\n"
    "  - name: invoices\n"
    "    paths: [\"~/invoices/\\\\d+$\", /invoices]\n"
    "    strip_path: false\n"
    "  - hosts: [pay.example.com]\n"
    "consumers:\n"
    "- username: alice\n"
    "  custom_id: \"0042\"\n"
    "upstreams:\n"
    "- name: billing-up\n"
    "  targets:\n"
    "  - target: 10.0.0.1:8443\n"
    "    weight: 50\n"
    "  - target: 10.0.0.2:8443\n";

}  // namespace

TEST_SUITE("declarative") {
  TEST_CASE("round trip: export, import into an empty database, export again") {
    store::test::ForEachBackend([](store::test::TestDatabase& tdb) {
      schema::PluginSchemaRegistry plugins;
      schema::Catalog catalog(&plugins);
      std::unique_ptr<store::Store> db = tdb.Open();
      Import(*db, catalog, kNested);
      std::string first = ExportYaml(*db, catalog);
      CHECK(first.rfind("_format_version: \"3.0\"\n_transform: false\n", 0) == 0);
      CHECK(first.find("custom_id: \"0042\"") != std::string::npos);

      REQUIRE_OK(db->Reset());
      REQUIRE_OK(db->Bootstrap());
      Import(*db, catalog, first);
      std::string second = ExportYaml(*db, catalog);
      CHECK(WithoutUpdatedAt(second) == WithoutUpdatedAt(first));
      // The exported YAML reads back to exactly the exported value.
      Result<json::Value> parsed = ParseYaml(second);
      REQUIRE_OK(parsed.status());
      dao::Dao dao(*db, catalog);
      CHECK(json::Serialize(*parsed) == json::Serialize(dao.Export().value()));
    });
  }

  TEST_CASE("round trip: a refused import changes nothing") {
    store::test::ForEachBackend([](store::test::TestDatabase& tdb) {
      schema::PluginSchemaRegistry plugins;
      schema::Catalog catalog(&plugins);
      std::unique_ptr<store::Store> db = tdb.Open();
      Import(*db, catalog, kNested);
      std::string before = ExportYaml(*db, catalog);
      Result<int64_t> version = db->ConfigVersion();
      REQUIRE_OK(version.status());
      // Valid for the file (distinct ids), refused by the store: one target per upstream.
      Result<json::Value> flat = LoadDeclarative(
          "_format_version: \"3.0\"\n"
          "services:\n- name: other\n  host: other.example.com\n"
          "upstreams:\n- name: u\n  targets:\n"
          "  - {id: 0b6c6f0e-4f7e-4a4c-8c5f-3d2a1b0c9d8e, target: \"10.0.0.9:80\"}\n"
          "  - {id: 1b6c6f0e-4f7e-4a4c-8c5f-3d2a1b0c9d8e, target: \"10.0.0.9:80\"}\n",
          TextFormat::kYaml, catalog);
      REQUIRE_OK(flat.status());
      dao::Dao dao(*db, catalog);
      dao::DaoResult<int64_t> r = dao.Import(*flat);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().body.Find("code")->as_int() == 14);
      CHECK(ExportYaml(*db, catalog) == before);
      CHECK(db->ConfigVersion().value() == version.value());
    });
  }
}

}  // namespace kong::declarative
