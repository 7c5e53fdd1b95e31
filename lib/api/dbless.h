// DB-less traditional nodes (database = off, Kong's DB-less mode): the configuration comes from
// declarative_config and lives in an in-memory SQLite store, so the Admin API's reads, the
// export and the proxy work as on a database-backed node, while entity writes are refused.
#ifndef KONG_API_DBLESS_H_
#define KONG_API_DBLESS_H_

#include <string>

#include "admin/admin_api.h"
#include "kong/conf.h"
#include "kong/status.h"
#include "schema/catalog.h"
#include "store/store.h"
#include "store/store_options.h"

namespace kong::api {

// database = off on a traditional node.
bool IsDbless(const Conf& conf);

// The in-memory store of a DB-less node (bootstrapped when opened).
store::StoreOptions DblessStoreOptions();

// Reads declarative_config (JSON or YAML, by extension as Kong does), validates it as
// `kong config parse` does and imports it into `db`. Nothing to do when the setting is unset
// (the node starts with an empty configuration, as Kong's). kInvalidArgument
// "declarative_config <path>: declarative config is invalid: ..." on one line.
Status LoadDeclarativeConfig(const Conf& conf, store::Store& db, const schema::Catalog& catalog);

// Kong's answer to entity writes in DB-less mode: 405 {"code":12,"name":"operation
// unsupported","message":"cannot create 'services' entities when not using a database"}
// ("update" for PATCH, "create or update" for PUT, "remove" for DELETE), for every entity
// endpoint of `admin`.
void RefuseEntityWrites(admin::AdminApi& admin, const schema::Catalog& catalog);

}  // namespace kong::api

#endif  // KONG_API_DBLESS_H_
