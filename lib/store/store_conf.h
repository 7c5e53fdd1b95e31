// StoreOptionsFromConf: the control plane's database settings (`database`, `sqlite_path`,
// `pg_*`) read from kong.conf, shared by kongd, the `kong migrations` / `kong config` commands
// and the embedding API so they all open the same database the same way.
#ifndef KONG_STORE_STORE_CONF_H_
#define KONG_STORE_STORE_CONF_H_

#include "kong/conf.h"
#include "kong/status.h"
#include "store/store_options.h"

namespace kong::store {

// `database = sqlite` (our default) or `postgres`. `database = off` has no store: kInvalidArgument
// "database is off" (a DB-less node never opens one). auto_bootstrap is left false; callers that
// create the embedded SQLite file on first start (kongd) set it themselves.
Result<StoreOptions> StoreOptionsFromConf(const Conf& conf);

}  // namespace kong::store

#endif  // KONG_STORE_STORE_CONF_H_
