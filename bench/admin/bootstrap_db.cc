// bootstrap_db: stands in for `kong migrations bootstrap` (bench/admin, e2e) until the CLI has it:
// opens the database kong.conf (-c FILE) names and bootstraps it if it never was; exit 1 on error.
#include <cstdio>
#include <string>

#include "kong/conf.h"
#include "store/store.h"
#include "store/store_conf.h"

int main(int argc, char** argv) {
  if (argc != 3 || std::string(argv[1]) != "-c") {
    std::fputs("usage: bootstrap_db -c <kong.conf>\n", stderr);
    return 2;
  }
  kong::ConfSources sources;
  sources.path = argv[2];
  auto conf = kong::Conf::Load(sources);
  auto options = conf.ok() ? kong::store::StoreOptionsFromConf(*conf)
                           : kong::Result<kong::store::StoreOptions>(conf.status());
  if (!options.ok()) {
    std::fprintf(stderr, "bootstrap_db: %s\n", options.status().message().c_str());
    return 1;
  }
  options->auto_bootstrap = true;
  auto store = kong::store::Store::Open(*options);
  kong::Status ready = store.ok() ? (*store)->CheckSchema() : store.status();
  if (!ready.ok()) {
    std::fprintf(stderr, "bootstrap_db: %s\n", ready.message().c_str());
    return 1;
  }
  return 0;
}
