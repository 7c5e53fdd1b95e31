// Shared pieces of the conf tests: loading from overrides, and a folder with a cluster pair.
#ifndef KONG_TESTS_UNIT_CONF_CONF_FIXTURE_H_
#define KONG_TESTS_UNIT_CONF_CONF_FIXTURE_H_

#include <map>
#include <string>
#include <vector>

#include "kong/conf.h"
#include "support/test_support.h"
#include "unit/conf/test_pems.h"

namespace kong::test {

using StringMap = std::map<std::string, std::string>;

struct LoadOutcome {
  Result<Conf> conf;
  std::vector<std::string> errors;

  bool ok() const { return conf.ok(); }
  std::string first() const { return conf.ok() ? "" : conf.status().message(); }
  bool HasError(const std::string& e) const {
    for (const auto& x : errors) {
      if (x == e) return true;
    }
    return false;
  }
};

inline LoadOutcome LoadFrom(const ConfSources& sources) {
  std::vector<std::string> errors;
  Result<Conf> conf = Conf::Load(sources, &errors);
  return LoadOutcome{std::move(conf), std::move(errors)};
}

inline LoadOutcome LoadOverrides(const StringMap& overrides, const StringMap& env = {}) {
  ConfSources sources;
  sources.overrides = overrides;
  sources.env = env;
  return LoadFrom(sources);
}

// A temp folder holding cluster.crt and cluster.key (the fixed test pair).
struct ClusterPairFiles {
  TempDir dir;
  std::string cert = dir.File("cluster.crt");
  std::string key = dir.File("cluster.key");
  ClusterPairFiles() {
    WriteTestFile(cert, kTestCertPem);
    WriteTestFile(key, kTestKeyPem);
  }
  // Overrides for a valid node of `role` using this pair.
  StringMap Hybrid(const std::string& role) const {
    StringMap m{{"role", role}, {"cluster_cert", cert}, {"cluster_cert_key", key}};
    if (role == "data_plane") m["database"] = "off";
    return m;
  }
};

inline StringMap With(StringMap base, const StringMap& more) {
  for (const auto& [k, v] : more) base[k] = v;
  return base;
}

}  // namespace kong::test

#endif  // KONG_TESTS_UNIT_CONF_CONF_FIXTURE_H_
