// Plugin schema registration and the plugins entity (plugins.lua) built on it.
#include "schema/plugin_registry.h"

#include <algorithm>

#include "schema/entities/entities.h"
#include "schema/typedefs.h"

namespace kong::schema {
namespace {

bool IsKnownProtocol(const std::string& p) {
  const auto& all = typedefs::AllProtocols();
  return std::find(all.begin(), all.end(), p) != all.end();
}

std::shared_ptr<const Subschema> BuildSubschema(const PluginSchema& p) {
  auto s = std::make_shared<Subschema>();
  s->name = p.name;
  if (p.no_consumer) s->fields.push_back({"consumer", typedefs::NoConsumer()});
  if (p.no_route) s->fields.push_back({"route", typedefs::NoRoute()});
  if (p.no_service) s->fields.push_back({"service", typedefs::NoService()});

  std::vector<std::string> accepted = p.protocols;
  std::sort(accepted.begin(), accepted.end());
  std::vector<std::string> defaults;
  for (const std::string& h : typedefs::HttpProtocols()) {
    if (std::find(accepted.begin(), accepted.end(), h) != accepted.end()) defaults.push_back(h);
  }
  if (!p.default_protocols.empty()) defaults = p.default_protocols;
  if (defaults.empty()) defaults = accepted;
  Field element = StringField();
  for (const std::string& a : accepted) element.one_of.emplace_back(a);
  Field protocols = SetOf(std::move(element));
  protocols.required = true;
  json::Array d;
  for (const std::string& a : defaults) d.emplace_back(a);
  protocols.default_value = json::Value(std::move(d));
  s->fields.push_back({"protocols", protocols});

  Field config = RecordOf(p.config, p.config_checks);
  // Kong expands a missing config to its defaults, so the record is required.
  config.required = true;
  config.custom_validator = p.config_custom_validator;
  auto rec = std::make_shared<Record>(*config.record);
  rec->shorthand_fields = p.config_shorthands;
  config.record = std::move(rec);
  s->fields.push_back({"config", config});
  s->entity_checks = p.entity_checks;
  return s;
}

}  // namespace

PluginSchemaRegistry::PluginSchemaRegistry() = default;
PluginSchemaRegistry::~PluginSchemaRegistry() = default;

Status PluginSchemaRegistry::Register(PluginSchema schema) {
  if (schema.name.empty()) return Status::InvalidArgument("plugin schema has no name");
  for (const std::string& p : schema.protocols) {
    if (!IsKnownProtocol(p)) {
      return Status::InvalidArgument("plugin '" + schema.name + "' has unknown protocol '" + p + "'");
    }
  }
  if (entries_.count(schema.name) != 0) {
    return Status::Conflict("plugin '" + schema.name + "' is already registered");
  }
  Entry e;
  e.subschema = BuildSubschema(schema);
  std::string name = schema.name;
  e.schema = std::move(schema);
  entries_.emplace(std::move(name), std::move(e));
  return Status::Ok();
}

const PluginSchema* PluginSchemaRegistry::Find(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second.schema;
}

std::shared_ptr<const Subschema> PluginSchemaRegistry::FindSubschema(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : it->second.subschema;
}

std::vector<std::string> PluginSchemaRegistry::Names() const {
  std::vector<std::string> out;
  for (const auto& [name, e] : entries_) out.push_back(name);
  return out;
}

std::vector<const PluginSchema*> PluginSchemaRegistry::ByPriority() const {
  std::vector<const PluginSchema*> out;
  for (const auto& [name, e] : entries_) out.push_back(&e.schema);
  std::stable_sort(out.begin(), out.end(), [](const PluginSchema* a, const PluginSchema* b) {
    return a->priority > b->priority;
  });
  return out;
}

EntitySchema PluginsSchema(const PluginSchemaRegistry* registry) {
  EntitySchema s;
  s.name = "plugins";
  s.endpoint_key = "instance_name";
  s.cache_key = {"name", "route", "service", "consumer"};
  s.workspaceable = true;
  s.subschema_key = "name";
  s.subschema_error = "plugin '%s' not enabled; add it to the 'plugins' configuration property";
  s.find_subschema = [registry](std::string_view name) -> std::shared_ptr<const Subschema> {
    return registry != nullptr ? registry->FindSubschema(name) : nullptr;
  };
  Field name = StringField();
  name.required = true;
  auto scope = [](const char* reference) {
    Field f = Foreign(reference, "cascade");
    f.default_value = json::Value();
    return f;
  };
  Field config = RecordOf({});
  config.abstract = true;
  Field enabled = BooleanField();
  enabled.default_value = json::Value(true);
  s.fields = {
      {"id", typedefs::Uuid()},
      {"name", name},
      {"instance_name", typedefs::Utf8Name()},
      {"created_at", typedefs::AutoTimestampS()},
      {"updated_at", typedefs::AutoTimestampS()},
      {"route", scope("routes")},
      {"service", scope("services")},
      {"consumer", scope("consumers")},
      {"config", config},
      {"protocols", typedefs::Protocols()},
      {"enabled", enabled},
      {"tags", typedefs::Tags()},
  };
  return s;
}

}  // namespace kong::schema
