// Field builders shared by the bundled plugin schemas.
#include "schema/plugins/plugin_fields.h"

#include "schema/typedefs.h"

namespace kong::schema::plugin_fields {

Field RequiredBoolean(bool value) {
  Field f = BooleanField();
  f.required = true;
  f.default_value = json::Value(value);
  return f;
}

Field DefaultBoolean(bool value) {
  Field f = BooleanField();
  f.default_value = json::Value(value);
  return f;
}

Field DefaultString(const char* value, bool required) {
  Field f = StringField();
  f.default_value = json::Value(value);
  if (required) f.required = true;
  return f;
}

Field ArrayOfStrings(Field elements) { return ArrayOf(std::move(elements)); }

Field EmptyDefaultArray(Field elements) {
  Field f = ArrayOf(std::move(elements));
  f.default_value = json::Value::EmptyArray();
  f.required = true;
  return f;
}

Field ConsumerReference() {
  Field f = Foreign("consumers", "cascade");
  f.required = true;
  return f;
}

EntitySchema CredentialEntity(const char* name) {
  EntitySchema s;
  s.name = name;
  s.workspaceable = true;
  s.fields = {
      {"id", typedefs::Uuid()},
      {"created_at", typedefs::AutoTimestampS()},
      {"consumer", ConsumerReference()},
  };
  return s;
}

}  // namespace kong::schema::plugin_fields
