// PluginSchemaRegistry: the plugins a node knows (Kong's `plugins` property), each with its
// config schema, PRIORITY, VERSION and supported protocols. The plugins entity validates
// `config` against the schema registered under the plugin's name.
#ifndef KONG_SCHEMA_PLUGIN_REGISTRY_H_
#define KONG_SCHEMA_PLUGIN_REGISTRY_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kong/status.h"
#include "schema/field.h"

namespace kong::schema {

struct PluginSchema {
  std::string name;               // "key-auth"
  int priority = 0;               // handler PRIORITY: higher runs first
  std::string version = "3.10.0";
  // Protocols the plugin accepts in its `protocols` field; the default value is the
  // http-subsystem subset (Kong's typedefs.protocols / protocols_http).
  std::vector<std::string> protocols{"grpc", "grpcs", "http", "https"};
  // The `protocols` default when it is not that subset (ip-restriction adds tcp and tls).
  std::vector<std::string> default_protocols;
  std::vector<NamedField> config;                    // fields of the `config` record
  std::vector<EntityCheck> config_checks;            // entity checks inside `config`
  std::vector<ShorthandField> config_shorthands;     // shorthands inside `config`
  CustomValidator config_custom_validator;           // the `config` record's custom_validator
  std::vector<EntityCheck> entity_checks;            // plugin-level ("config.minute", ...)
  // The plugin's own entities (Kong's daos.lua: keyauth_credentials, acls...), added to the
  // Catalog built over this registry.
  std::vector<EntitySchema> daos;
  bool no_consumer = false;  // typedefs.no_consumer: `consumer` must be null (auth plugins)
  bool no_route = false;
  bool no_service = false;
};

// Register everything at startup, before validating; afterwards the registry is read-only and
// safe to use from any thread.
class PluginSchemaRegistry {
 public:
  PluginSchemaRegistry();
  ~PluginSchemaRegistry();
  PluginSchemaRegistry(const PluginSchemaRegistry&) = delete;
  PluginSchemaRegistry& operator=(const PluginSchemaRegistry&) = delete;

  // kInvalidArgument for an empty name or an unknown protocol, kConflict when the name is
  // already registered.
  Status Register(PluginSchema schema);

  const PluginSchema* Find(std::string_view name) const;
  // The plugins entity's subschema for `name` (fields config, protocols and any no_* scope),
  // or nullptr when the plugin is not registered.
  std::shared_ptr<const Subschema> FindSubschema(std::string_view name) const;
  // Names in ascending order.
  std::vector<std::string> Names() const;
  // Execution order: descending priority; equal priorities by name.
  std::vector<const PluginSchema*> ByPriority() const;

 private:
  struct Entry {
    PluginSchema schema;
    std::shared_ptr<const Subschema> subschema;
  };
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace kong::schema

#endif  // KONG_SCHEMA_PLUGIN_REGISTRY_H_
