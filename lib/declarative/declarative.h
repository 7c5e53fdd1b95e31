// Kong's declarative configuration (kong.yml / JSON): parsing, _format_version checks, nested
// entities flattened into the form dao::Dao::Import takes, and Kong's error shapes.
#ifndef KONG_DECLARATIVE_DECLARATIVE_H_
#define KONG_DECLARATIVE_DECLARATIVE_H_

#include <string>
#include <string_view>

#include "json/value.h"
#include "kong/status.h"
#include "schema/catalog.h"

namespace kong::declarative {

enum class TextFormat { kAuto, kJson, kYaml };

// Kong picks the parser by extension (kong/db/declarative/init.lua): ".json" JSON,
// ".yml"/".yaml" YAML; anything else kAuto.
TextFormat FormatForPath(std::string_view path);

// Kong's two error forms. `message` is Kong's err string: "failed parsing declarative
// configuration: <why>" for unreadable text, or "declarative config is invalid: {...}"
// (pl.pretty of `fields`). `fields` is Kong's err_t: {"error": "<why>"} for unreadable
// text, else entity name -> per-entry errors, mirroring the input's nesting (arrays hold
// null for valid entries; a nested entry's errors sit under its child key, e.g.
// {"services":[{"routes":[{"paths":...}]}]}); reference errors are keyed by the entry's
// endpoint key or id: {"routes":{"r1":["invalid reference 'service: x' (no such entry in
// 'services')"]}}.
struct DeclarativeError {
  std::string message;
  json::Value fields;
  bool parse_failure = false;  // the text itself could not be read (no per-entity fields)
};

// `kong config parse`'s text for an error: Kong's pretty_print_error over `fields`
// ("in 'services':\n  - in entry 1 of 'services':\n    in 'host': required field missing"),
// or `message` for a parse failure.
std::string PrettyError(const DeclarativeError& error);

// Reads JSON or YAML. kAuto: JSON when the first non-blank character is '{', else YAML
// (which accepts most JSON too). Failures are kInvalidArgument with the parse_failure message.
Result<json::Value> ParseText(std::string_view text, TextFormat format,
                              DeclarativeError* error = nullptr);

// Checks a parsed document and returns the flat form: {"_format_version":"3.0",
// "_transform":bool, "<entity>":[entities...]} with every entity carrying an id and its
// foreign keys as bare ids, ready for dao::Dao::Import. As Kong does:
// - _format_version is required, a string, one of "1.1", "2.1", "3.0"; 1.1/2.1 route paths
//   that look like regexes get the "~" prefix and the result says "3.0";
// - _transform is a boolean (default true); _comment a string; _ignore an array;
// - nested children (services[].routes[], routes[].plugins[], upstreams[].targets[], ...,
//   any depth) get the parent's foreign key and must not set any foreign key themselves
//   ("value must be null");
// - missing ids are Kong's deterministic UUID v5 (from the endpoint key or cache key), else
//   random, so re-applying a file keeps its ids;
// - top-level foreign keys name the parent by id or endpoint key within the document;
// - every entity is validated with `catalog` (Kong's messages), duplicates of an id or a
//   unique endpoint key are "uniqueness violation: ..." errors.
// Failures are kInvalidArgument carrying DeclarativeError::message; `error` receives both
// forms when given.
Result<json::Value> Flatten(const json::Value& document, const schema::Catalog& catalog,
                            DeclarativeError* error = nullptr);

// ParseText then Flatten.
Result<json::Value> LoadDeclarative(std::string_view text, TextFormat hint,
                                    const schema::Catalog& catalog,
                                    DeclarativeError* error = nullptr);

// Kong's deterministic id for an entity of `entity` keyed by `key`:
// uuid_v5(uuid_v5(fd02801f-0957-4a15-a55a-c8d9606f30b5, entity), key).
std::string DeterministicId(std::string_view entity, std::string_view key);

}  // namespace kong::declarative

#endif  // KONG_DECLARATIVE_DECLARATIVE_H_
