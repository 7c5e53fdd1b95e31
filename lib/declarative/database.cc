// kong/database.h: migrations and declarative import/export over store::Store and dao::Dao,
// each call on its own connection to the database kong.conf names.
#include "kong/database.h"

#include <memory>
#include <string>

#include "base/files.h"
#include "base/macros.h"
#include "dao/dao.h"
#include "declarative/declarative.h"
#include "declarative/yaml.h"
#include "schema/catalog.h"
#include "schema/plugin_registry.h"
#include "schema/plugins/bundled.h"
#include "store/store.h"
#include "store/store_conf.h"

namespace kong {
namespace {

Result<std::unique_ptr<store::Store>> OpenStore(const Conf& conf) {
  KONG_ASSIGN_OR_RETURN(store::StoreOptions options, store::StoreOptionsFromConf(conf));
  options.auto_bootstrap = false;  // only `kong migrations bootstrap` creates the schema
  return store::Store::Open(options);
}

// The entity schemas the node validates with: the same router flavor and `plugins` property
// as kongd, so the plugins' credentials (keyauth_credentials...) import and export too.
struct Schemas {
  explicit Schemas(const Conf& conf)
      : registered(schema::RegisterBundledPlugins(plugins, conf.GetList("plugins"))),
        catalog(&plugins, Options(conf)) {}
  static schema::CatalogOptions Options(const Conf& conf) {
    schema::CatalogOptions o;
    std::string flavor = conf.GetString("router_flavor");
    if (flavor == "traditional") o.router_flavor = schema::RouterFlavor::kTraditional;
    if (flavor == "expressions") o.router_flavor = schema::RouterFlavor::kExpressions;
    return o;
  }
  schema::PluginSchemaRegistry plugins;
  Status registered;  // an unknown name in `plugins`
  schema::Catalog catalog;
};

declarative::TextFormat ToTextFormat(DeclarativeFormat f) {
  switch (f) {
    case DeclarativeFormat::kJson: return declarative::TextFormat::kJson;
    case DeclarativeFormat::kYaml: return declarative::TextFormat::kYaml;
    case DeclarativeFormat::kAuto: break;
  }
  return declarative::TextFormat::kAuto;
}

// A refused Import as Kong's CLI shows it: the pretty form of the code 14 fields.
Status ImportRefusal(const dao::DaoError& e) {
  if (e.http_status >= 500) {
    return Status::Internal("import failed: " + (e.detail.empty() ? "database error" : e.detail));
  }
  declarative::DeclarativeError err;
  const json::Value* fields = e.body.Find("fields");
  const json::Value* message = e.body.Find("message");
  err.message = message && message->is_string() ? message->as_string() : json::Serialize(e.body);
  if (fields) err.fields = *fields;
  return Status::Conflict(declarative::PrettyError(err));
}

}  // namespace

Result<MigrationsState> GetMigrationsState(const Conf& conf) {
  KONG_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db, OpenStore(conf));
  KONG_ASSIGN_OR_RETURN(store::MigrationState s, db->ListMigrations());
  MigrationsState out;
  out.bootstrapped = s.bootstrapped;
  out.executed = std::move(s.executed);
  out.pending = std::move(s.pending);
  return out;
}

Status BootstrapDatabase(const Conf& conf) {
  KONG_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db, OpenStore(conf));
  return db->Bootstrap();
}

Status MigrateDatabase(const Conf& conf) {
  KONG_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db, OpenStore(conf));
  return db->Up();
}

Status ResetDatabase(const Conf& conf) {
  KONG_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db, OpenStore(conf));
  return db->Reset();
}

DeclarativeFormat DeclarativeFormatForPath(std::string_view path) {
  switch (declarative::FormatForPath(path)) {
    case declarative::TextFormat::kJson: return DeclarativeFormat::kJson;
    case declarative::TextFormat::kYaml: return DeclarativeFormat::kYaml;
    case declarative::TextFormat::kAuto: break;
  }
  return DeclarativeFormat::kAuto;
}

Status ParseDeclarativeConfig(const Conf& conf, std::string_view text, DeclarativeFormat format) {
  Schemas schemas(conf);
  KONG_RETURN_IF_ERROR(schemas.registered);
  declarative::DeclarativeError err;
  Result<json::Value> flat =
      declarative::LoadDeclarative(text, ToTextFormat(format), schemas.catalog, &err);
  if (!flat.ok()) return Status::InvalidArgument(declarative::PrettyError(err));
  return Status::Ok();
}

Status ImportDeclarativeConfig(const Conf& conf, std::string_view text, DeclarativeFormat format) {
  Schemas schemas(conf);
  KONG_RETURN_IF_ERROR(schemas.registered);
  declarative::DeclarativeError err;
  Result<json::Value> flat =
      declarative::LoadDeclarative(text, ToTextFormat(format), schemas.catalog, &err);
  if (!flat.ok()) return Status::InvalidArgument(declarative::PrettyError(err));
  KONG_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db, OpenStore(conf));
  KONG_RETURN_IF_ERROR(db->CheckSchema());
  dao::Dao dao(*db, schemas.catalog);
  dao::DaoResult<int64_t> version = dao.Import(*flat);
  if (!version.ok()) return ImportRefusal(version.error());
  return Status::Ok();
}

Result<std::string> ExportDeclarativeConfig(const Conf& conf) {
  Schemas schemas(conf);
  KONG_RETURN_IF_ERROR(schemas.registered);
  KONG_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db, OpenStore(conf));
  KONG_RETURN_IF_ERROR(db->CheckSchema());
  dao::Dao dao(*db, schemas.catalog);
  dao::DaoResult<json::Value> exported = dao.Export();
  if (!exported.ok()) {
    const dao::DaoError& e = exported.error();
    return Status::Internal("export failed: " + (e.detail.empty() ? json::Serialize(e.body) : e.detail));
  }
  return declarative::EmitYaml(exported.value());
}

Status ExportDeclarativeConfigToFile(const Conf& conf, const std::string& path) {
  KONG_ASSIGN_OR_RETURN(std::string yaml, ExportDeclarativeConfig(conf));
  return base::AtomicWriteFile(path, yaml, 0644, /*exclusive=*/true);
}

}  // namespace kong
