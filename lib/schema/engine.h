// The validation engine: a port of kong/db/schema/init.lua's process_auto_fields, validate,
// validate_field, entity checkers and merge_values over the model in field.h. Internal to
// lib/schema; callers use validator.h.
#ifndef KONG_SCHEMA_ENGINE_H_
#define KONG_SCHEMA_ENGINE_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "json/value.h"
#include "schema/field.h"

namespace kong::schema::internal {

enum class Context { kInsert, kUpsert, kUpdate, kSelect };

// A record seen through an optional subschema (subschema fields replace base fields by name).
struct View {
  const Record* base = nullptr;
  const Subschema* sub = nullptr;
  const EntitySchema* entity = nullptr;  // set for top-level entities only

  const Field* Resolve(std::string_view name) const;
};

struct EngineOptions {
  double now = 0;                // seconds since the epoch, for created_at/updated_at
  bool auto_fields = true;       // generate id and timestamps
  bool declarative = false;      // accept _comment/_ignore
  bool updating = false;         // Kong's validate_update message variants
  std::function<const EntitySchema*(std::string_view)> find_entity;  // foreign key targets
};

class Engine {
 public:
  explicit Engine(EngineOptions options) : o_(std::move(options)) {}

  // The subschema `data` selects, or nullptr.
  std::shared_ptr<const Subschema> SubschemaFor(const EntitySchema& e, const json::Value& data) const;

  // process_auto_fields: expands shorthands, fills auto fields and defaults (not on update),
  // dedups sets. Mutates `data`. Returns a shorthand error tree, or null when fine.
  json::Value ProcessAutoFields(const View& view, json::Value& data, Context ctx) const;

  // validate(input, full_check): the error tree (an object; empty when valid).
  json::Value Validate(const View& view, const json::Value& input, bool full_check) const;

  // validate_field: nullopt when valid, else the error (a string, array or object tree).
  std::optional<json::Value> ValidateField(const Field& field, const json::Value& value,
                                           bool force_required = false) const;

  // merge_values(top, bottom): records merge field by field, everything else is replaced.
  json::Value MergeValues(const View& view, const json::Value& top,
                          const json::Value& bottom) const;

  // Kong's read path with nulls = true: every field present, defaults for missing ones,
  // records expanded, foreign keys reduced to their primary key.
  void CompleteForOutput(const View& view, json::Value& data) const;

 private:
  void RunEntityChecks(const View& view, const json::Value& input, bool full_check,
                       json::Value& errors) const;
  void RunCheck(const View& view, const EntityCheck& check, const json::Value& input,
                bool full_check, json::Value& errors) const;
  std::optional<json::Value> AdjustField(const Field& field, std::optional<json::Value> value,
                                         Context ctx) const;
  std::optional<json::Value> HandleMissing(const Field& field, Context ctx) const;
  std::optional<json::Value> ValidateForeign(const Field& field, const json::Value& value) const;

  EngineOptions o_;
};

// ---- Shared helpers ----

// Kong's get_field with dotted names; nullptr when absent (a JSON null is returned as such).
const json::Value* GetPath(const json::Value& v, std::string_view dotted);
// set_field: creates intermediate objects.
void SetPath(json::Value& v, std::string_view dotted, json::Value value);
// Kong's is_nonempty: not absent, not null, not "", not an empty array/object.
bool IsNonEmpty(const json::Value* v);
// "'a', 'b'"
std::string QuotedList(const std::vector<std::string>& words);
// Lua's tostring for scalars (integers without ".0", %.14g for doubles).
std::string LuaToString(const json::Value& v);
// Lua's string.format("%s", ...) with one argument for a format holding at most one %s.
std::string FormatOne(std::string_view fmt, std::string_view arg);
// Appends an "@entity" message.
void AddEntityError(json::Value& errors, std::string message);

}  // namespace kong::schema::internal

#endif  // KONG_SCHEMA_ENGINE_H_
