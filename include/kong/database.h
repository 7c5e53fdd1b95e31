// The database chores of `kong migrations` and `kong config`: schema migrations and
// declarative import/export on the database a kong.conf names (database, sqlite_path, pg_*).
#ifndef KONG_DATABASE_H_
#define KONG_DATABASE_H_

#include <string>
#include <string_view>
#include <vector>

#include "kong/conf.h"
#include "kong/export.h"
#include "kong/status.h"

namespace kong {

// Every call opens its own connection, does its work and closes it; calls block and may run
// on any thread. `database = off` fails with kInvalidArgument "database is off".

struct MigrationsState {
  bool bootstrapped = false;
  std::vector<std::string> executed;  // step names, oldest first ("000_base", ...)
  std::vector<std::string> pending;   // steps this build has that the database lacks
};

KONG_EXPORT Result<MigrationsState> GetMigrationsState(const Conf& conf);
// Creates the schema and runs every step; a no-op on a bootstrapped database.
KONG_EXPORT Status BootstrapDatabase(const Conf& conf);
// Runs pending steps; kUnavailable with Kong's hint when not bootstrapped.
KONG_EXPORT Status MigrateDatabase(const Conf& conf);
// Drops everything the store created (all configuration is lost).
KONG_EXPORT Status ResetDatabase(const Conf& conf);

// How a declarative text is read: kAuto picks JSON when it starts with '{', else YAML.
enum class DeclarativeFormat { kAuto, kJson, kYaml };
// Kong's choice by file name: ".json" JSON, ".yml"/".yaml" YAML, else kAuto.
KONG_EXPORT DeclarativeFormat DeclarativeFormatForPath(std::string_view path);

// Checks a declarative configuration (kong.yml) without a database, as `kong config parse`.
// kInvalidArgument carries Kong's pretty error ("in 'services':\n  - in entry 1 of ...").
KONG_EXPORT Status ParseDeclarativeConfig(const Conf& conf, std::string_view text,
                                          DeclarativeFormat format);
// Replaces the whole configuration with `text` in one transaction: all or nothing. Errors:
// kInvalidArgument (the text is invalid: Kong's pretty error), kConflict (the database
// refused an entity: pretty error of Kong's code 14 fields), else the database's Status.
KONG_EXPORT Status ImportDeclarativeConfig(const Conf& conf, std::string_view text,
                                           DeclarativeFormat format);
// The whole configuration as kong.yml text (Kong's db_export: _format_version "3.0",
// _transform false, entities in dependency order, nulls dropped).
KONG_EXPORT Result<std::string> ExportDeclarativeConfig(const Conf& conf);
// Writes that text to `path` atomically (mode 0644): readers see no file or the whole file.
// kConflict when `path` exists: it is never overwritten, even by a racing writer.
KONG_EXPORT Status ExportDeclarativeConfigToFile(const Conf& conf, const std::string& path);

}  // namespace kong

#endif  // KONG_DATABASE_H_
