// The set of core entity schemas (services, routes, consumers, plugins, upstreams, targets,
// certificates, snis, ca_certificates) and the operations the store and Admin API run on them:
// insert (POST), upsert (PUT) and update (PATCH) validation, lookups, foreign-key relations.
#ifndef KONG_SCHEMA_CATALOG_H_
#define KONG_SCHEMA_CATALOG_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "json/value.h"
#include "schema/field.h"
#include "schema/validation.h"

namespace kong::schema {

class PluginSchemaRegistry;

// kong.conf router_flavor: decides the route snis element type and the expressions fields.
enum class RouterFlavor { kTraditional, kTraditionalCompatible, kExpressions };

struct CatalogOptions {
  RouterFlavor router_flavor = RouterFlavor::kTraditionalCompatible;  // Kong's default
};

// A child entity's foreign key to a parent, with what deleting the parent does.
struct ForeignKeyRef {
  std::string child;      // "routes"
  std::string field;      // "service"
  bool cascade = false;   // false: the delete is refused while children exist (restrict)
};

// Immutable after construction and safe to share across threads. `plugins` (may be null: then
// every plugin name is unknown) must outlive the catalog; plugins registered later are seen,
// but their entities (PluginSchema::daos: credentials) only when registered before.
class Catalog {
 public:
  explicit Catalog(const PluginSchemaRegistry* plugins, CatalogOptions options = {});
  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // The schema named `name` (the Admin API name, e.g. "services"), or nullptr.
  const EntitySchema* Find(std::string_view name) const;
  // Every entity in dependency order (parents before children).
  std::vector<const EntitySchema*> All() const;
  // The foreign keys that point at `parent` (§1.11 of the reference).
  std::vector<ForeignKeyRef> ReferencesTo(std::string_view parent) const;
  const CatalogOptions& options() const { return options_; }
  const PluginSchemaRegistry* plugins() const { return plugins_; }

  // POST: applies shorthands, defaults and auto fields, then validates the whole entity.
  EntityResult ValidateInsert(const EntitySchema& schema, const json::Value& input,
                              const ValidateOptions& options = {}) const;
  // PUT: full replacement; omitted fields take their defaults. The caller puts the id (or the
  // endpoint key from the URL) into `input`.
  EntityResult ValidateUpsert(const EntitySchema& schema, const json::Value& input,
                              const ValidateOptions& options = {}) const;
  // PATCH: `patch` is merged onto `existing` (a stored, complete entity): records merge
  // field by field, arrays and maps are replaced, a null clears. The merged whole is validated
  // with Kong's update messages ("when updating, at least one of ...").
  EntityResult ValidateUpdate(const EntitySchema& schema, const json::Value& existing,
                              const json::Value& patch, const ValidateOptions& options = {}) const;

 private:
  const PluginSchemaRegistry* plugins_;
  CatalogOptions options_;
  std::vector<std::unique_ptr<EntitySchema>> entities_;
};

}  // namespace kong::schema

#endif  // KONG_SCHEMA_CATALOG_H_
