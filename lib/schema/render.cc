// Schema rendering for the /schemas endpoints.
#include "schema/render.h"

#include <cmath>

namespace kong::schema {
namespace {

json::Value Names(const std::vector<std::string>& names) {
  json::Array a;
  for (const std::string& n : names) a.emplace_back(n);
  return json::Value(std::move(a));
}

json::Value Values(const std::vector<json::Value>& values) { return json::Value(json::Array(values)); }

json::Value Number(double d) {
  if (std::floor(d) == d && std::fabs(d) < 9.0e15) return json::Value(static_cast<int64_t>(d));
  return json::Value(d);
}

json::Value Rules(const std::vector<PatternRule>& rules) {
  json::Array a;
  for (const PatternRule& r : rules) {
    json::Value o = json::Value::EmptyObject();
    o.Set("pattern", r.pattern);
    o.Set("err", r.err);
    a.push_back(std::move(o));
  }
  return json::Value(std::move(a));
}

}  // namespace

json::Value RenderField(const Field& f) {
  json::Value o = json::Value::EmptyObject();
  if (f.type != FieldType::kAny) o.Set("type", FieldTypeName(f.type));
  if (f.required) o.Set("required", *f.required);
  if (f.unique) o.Set("unique", true);
  if (f.auto_generated) o.Set("auto", true);
  if (f.uuid) o.Set("uuid", true);
  if (f.timestamp) o.Set("timestamp", true);
  if (f.referenceable) o.Set("referenceable", true);
  if (f.encrypted) o.Set("encrypted", true);
  if (f.abstract) o.Set("abstract", true);
  if (f.default_value) o.Set("default", *f.default_value);
  if (f.eq) o.Set("eq", *f.eq);
  if (f.ne) o.Set("ne", *f.ne);
  if (!f.not_one_of.empty()) o.Set("not_one_of", Values(f.not_one_of));
  if (!f.one_of.empty()) o.Set("one_of", Values(f.one_of));
  if (f.gt) o.Set("gt", Number(*f.gt));
  if (f.between) o.Set("between", json::Value(json::Array{Number(f.between->first), Number(f.between->second)}));
  if (f.len_eq) o.Set("len_eq", *f.len_eq);
  if (f.len_min) o.Set("len_min", *f.len_min);
  if (f.len_max) o.Set("len_max", *f.len_max);
  if (f.starts_with) o.Set("starts_with", *f.starts_with);
  if (f.not_match) o.Set("not_match", *f.not_match);
  if (!f.match_none.empty()) o.Set("match_none", Rules(f.match_none));
  if (f.match) o.Set("match", *f.match);
  if (!f.match_all.empty()) o.Set("match_all", Rules(f.match_all));
  if (f.match_any) {
    json::Value m = json::Value::EmptyObject();
    m.Set("patterns", Names(f.match_any->patterns));
    m.Set("err", f.match_any->err);
    o.Set("match_any", std::move(m));
  }
  if (f.contains) o.Set("contains", *f.contains);
  if (!f.mutually_exclusive_subsets.empty()) {
    json::Array sets;
    for (const auto& s : f.mutually_exclusive_subsets) sets.push_back(Names(s));
    o.Set("mutually_exclusive_subsets", json::Value(std::move(sets)));
  }
  if (f.err) o.Set("err", *f.err);
  if (f.elements) o.Set("elements", RenderField(*f.elements));
  if (f.keys) o.Set("keys", RenderField(*f.keys));
  if (f.values) o.Set("values", RenderField(*f.values));
  if (f.record) {
    json::Value r = RenderRecord(*f.record);
    for (json::Member& m : r.as_object()) o.Set(m.first, std::move(m.second));
  }
  if (!f.reference.empty()) o.Set("reference", f.reference);
  if (!f.on_delete.empty()) o.Set("on_delete", f.on_delete);
  if (!f.description.empty()) o.Set("description", f.description);
  return o;
}

json::Value RenderEntityCheck(const EntityCheck& c) {
  json::Value arg;
  switch (c.kind) {
    case CheckKind::kConditional:
      arg = json::Value::EmptyObject();
      arg.Set("if_field", c.if_field);
      arg.Set("if_match", RenderField(*c.if_match));
      arg.Set("then_field", c.then_field);
      arg.Set("then_match", RenderField(*c.then_match));
      if (!c.then_err.empty()) arg.Set("then_err", c.then_err);
      break;
    case CheckKind::kConditionalAtLeastOneOf:
      arg = json::Value::EmptyObject();
      arg.Set("if_field", c.if_field);
      arg.Set("if_match", RenderField(*c.if_match));
      arg.Set("then_at_least_one_of", Names(c.then_at_least_one_of));
      if (!c.then_err.empty()) arg.Set("then_err", c.then_err);
      if (c.else_match) {
        arg.Set("else_match", RenderField(*c.else_match));
        arg.Set("else_then_at_least_one_of", Names(c.else_then_at_least_one_of));
        if (!c.else_then_err.empty()) arg.Set("else_then_err", c.else_then_err);
      }
      break;
    case CheckKind::kCustom:
      arg = json::Value::EmptyObject();
      arg.Set("field_sources", Names(c.fields));
      break;
    case CheckKind::kMutuallyExclusiveSets:
      arg = json::Value::EmptyObject();
      arg.Set("set1", Names(c.fields));
      arg.Set("set2", Names(c.fields2));
      break;
    default:
      arg = Names(c.fields);
      break;
  }
  if (c.run_with_missing_fields && arg.is_object()) arg.Set("run_with_missing_fields", true);
  json::Value o = json::Value::EmptyObject();
  o.Set(CheckKindName(c.kind), std::move(arg));
  return o;
}

json::Value RenderRecord(const Record& record) {
  json::Value o = json::Value::EmptyObject();
  json::Array fields;
  for (const NamedField& nf : record.fields) {
    json::Value entry = json::Value::EmptyObject();
    entry.Set(nf.name, RenderField(nf.field));
    fields.push_back(std::move(entry));
  }
  o.Set("fields", json::Value(std::move(fields)));
  if (!record.entity_checks.empty()) {
    json::Array checks;
    for (const EntityCheck& c : record.entity_checks) checks.push_back(RenderEntityCheck(c));
    o.Set("entity_checks", json::Value(std::move(checks)));
  }
  return o;
}

json::Value RenderPluginSchema(const PluginSchemaRegistry& registry, std::string_view name) {
  std::shared_ptr<const Subschema> sub = registry.FindSubschema(name);
  if (!sub) return json::Value();
  return RenderRecord(*sub);
}

}  // namespace kong::schema
