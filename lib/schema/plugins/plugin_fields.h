// Small field builders the bundled plugin schemas share (Kong writes them inline in each
// schema.lua): booleans with a required default, string arrays, the credential entity base.
#ifndef KONG_SCHEMA_PLUGINS_PLUGIN_FIELDS_H_
#define KONG_SCHEMA_PLUGINS_PLUGIN_FIELDS_H_

#include <string>

#include "schema/field.h"

namespace kong::schema::plugin_fields {

// { type = "boolean", required = true, default = <value> }
Field RequiredBoolean(bool value);
// { type = "boolean", default = <value> } (not required)
Field DefaultBoolean(bool value);
// { type = "string", default = <value> } (required when `required`)
Field DefaultString(const char* value, bool required = false);
// { type = "array", elements = <elements> } with no default
Field ArrayOfStrings(Field elements = StringField());
// { type = "array", default = {}, required = true, elements = <elements> }
Field EmptyDefaultArray(Field elements = StringField());
// { type = "foreign", reference = "consumers", required = true, on_delete = "cascade" }
Field ConsumerReference();
// A plugin entity's common shape (daos.lua): id, created_at and the consumer reference.
EntitySchema CredentialEntity(const char* name);

}  // namespace kong::schema::plugin_fields

#endif  // KONG_SCHEMA_PLUGINS_PLUGIN_FIELDS_H_
