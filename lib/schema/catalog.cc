// Catalog: the core entity schemas and the insert/upsert/update validation pipelines.
#include "schema/catalog.h"

#include "schema/engine.h"
#include "schema/entities/entities.h"
#include "schema/errors.h"
#include "schema/plugin_registry.h"
#include "schema/uuid.h"

namespace kong::schema {
namespace {

using internal::Context;
using internal::Engine;
using internal::EngineOptions;
using internal::View;

ValidationError InputTableError() {
  json::Value fields = json::Value::EmptyObject();
  internal::AddEntityError(fields, "expected an input table");
  return ValidationError::FromFields(std::move(fields));
}

// Declarative-only keys: checked, then removed so the entity validates as usual.
json::Value TakeDeclarativeMeta(json::Value& data) {
  json::Value errors = json::Value::EmptyObject();
  if (const json::Value* c = data.Find("_comment"); c != nullptr && !c->is_string()) {
    errors.Set("_comment", "expected a string");
  }
  if (const json::Value* i = data.Find("_ignore"); i != nullptr && !i->is_array()) {
    errors.Set("_ignore", "expected an array");
  }
  data.Erase("_comment");
  data.Erase("_ignore");
  return errors;
}

}  // namespace

ValidationError ValidationError::FromFields(json::Value fields) {
  ValidationError e;
  e.message = SchemaViolationMessage(fields);
  e.fields = std::move(fields);
  return e;
}

json::Value ValidationError::ToBody() const { return SchemaViolationBody(fields); }

Catalog::Catalog(const PluginSchemaRegistry* plugins, CatalogOptions options)
    : plugins_(plugins), options_(options) {
  auto add = [this](EntitySchema s) { entities_.push_back(std::make_unique<EntitySchema>(std::move(s))); };
  add(CertificatesSchema());
  add(CaCertificatesSchema());
  add(SnisSchema());
  add(ServicesSchema());
  add(RoutesSchema(options_.router_flavor));
  add(ConsumersSchema());
  add(UpstreamsSchema());
  add(TargetsSchema());
  add(PluginsSchema(plugins_));
  // The plugins' own entities (Kong's daos.lua): only for the plugins this node enables.
  if (plugins_ != nullptr) {
    for (const std::string& name : plugins_->Names()) {
      for (const EntitySchema& dao : plugins_->Find(name)->daos) add(dao);
    }
  }
}

Catalog::~Catalog() = default;

const EntitySchema* Catalog::Find(std::string_view name) const {
  for (const auto& e : entities_) {
    if (e->name == name) return e.get();
  }
  return nullptr;
}

std::vector<const EntitySchema*> Catalog::All() const {
  std::vector<const EntitySchema*> out;
  for (const auto& e : entities_) out.push_back(e.get());
  return out;
}

std::vector<ForeignKeyRef> Catalog::ReferencesTo(std::string_view parent) const {
  std::vector<ForeignKeyRef> out;
  for (const auto& e : entities_) {
    for (const NamedField& f : e->fields) {
      if (f.field.type == FieldType::kForeign && f.field.reference == parent) {
        out.push_back({e->name, f.name, f.field.on_delete == "cascade"});
      }
    }
  }
  return out;
}

namespace {

EngineOptions MakeEngineOptions(const Catalog& catalog, const ValidateOptions& o, bool updating) {
  EngineOptions e;
  e.now = o.now ? *o.now : NowSeconds();
  e.auto_fields = o.auto_fields;
  e.declarative = o.declarative;
  e.updating = updating;
  e.find_entity = [&catalog](std::string_view name) { return catalog.Find(name); };
  return e;
}

// Shared tail: validate, merge errors, compute on-write fields, complete for output.
EntityResult Finish(const Engine& engine, const EntitySchema& schema, json::Value data,
                    json::Value meta_errors, bool full_check, const json::Value& input,
                    bool declarative) {
  View view{&schema, nullptr, &schema};
  json::Value errors = engine.Validate(view, data, full_check);
  for (json::Member& m : meta_errors.as_object()) errors.Set(m.first, std::move(m.second));
  if (!errors.as_object().empty()) return ValidationError::FromFields(std::move(errors));
  if (schema.on_write) schema.on_write(data);
  if (schema.transform) schema.transform(data, input, declarative);
  engine.CompleteForOutput(view, data);
  return data;
}

EntityResult InsertOrUpsert(const Catalog& catalog, const EntitySchema& schema,
                            const json::Value& input, const ValidateOptions& options,
                            Context ctx) {
  if (!input.is_object()) return InputTableError();
  Engine engine(MakeEngineOptions(catalog, options, false));
  json::Value data = input;
  json::Value meta = options.declarative ? TakeDeclarativeMeta(data) : json::Value::EmptyObject();
  if (schema.normalize_input) schema.normalize_input(data);
  json::Value shorthand_errors = engine.ProcessAutoFields(View{&schema, nullptr, &schema}, data, ctx);
  if (!shorthand_errors.is_null()) return ValidationError::FromFields(std::move(shorthand_errors));
  return Finish(engine, schema, std::move(data), std::move(meta), true, input,
                options.declarative);
}

}  // namespace

EntityResult Catalog::ValidateInsert(const EntitySchema& schema, const json::Value& input,
                                     const ValidateOptions& options) const {
  return InsertOrUpsert(*this, schema, input, options, Context::kInsert);
}

EntityResult Catalog::ValidateUpsert(const EntitySchema& schema, const json::Value& input,
                                     const ValidateOptions& options) const {
  return InsertOrUpsert(*this, schema, input, options, Context::kUpsert);
}

EntityResult Catalog::ValidateUpdate(const EntitySchema& schema, const json::Value& existing,
                                     const json::Value& patch,
                                     const ValidateOptions& options) const {
  if (!patch.is_object()) return InputTableError();
  Engine engine(MakeEngineOptions(*this, options, true));
  View view{&schema, nullptr, &schema};
  json::Value data = patch;
  json::Value meta = options.declarative ? TakeDeclarativeMeta(data) : json::Value::EmptyObject();
  if (schema.normalize_input) schema.normalize_input(data);
  json::Value shorthand_errors = engine.ProcessAutoFields(view, data, Context::kUpdate);
  if (!shorthand_errors.is_null()) return ValidationError::FromFields(std::move(shorthand_errors));
  json::Value merged = engine.MergeValues(view, data, existing);
  return Finish(engine, schema, std::move(merged), std::move(meta), false, patch,
                options.declarative);
}

}  // namespace kong::schema
