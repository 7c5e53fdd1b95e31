// Tests for version parsing, sync_status names and Kong's version/plugin compatibility checks.
#include <string>

#include "cluster/compatibility.h"
#include "json/value.h"
#include "support/test_support.h"

using kong::cluster::CheckConfigurationCompatibility;
using kong::cluster::CheckKongVersion;
using kong::cluster::ConfiguredPluginNames;
using kong::cluster::ExtractMajorMinor;
using kong::cluster::PluginMap;
using kong::cluster::PluginsListToMap;
using kong::cluster::PluginVersion;
using kong::cluster::SyncStatus;
using kong::cluster::SyncStatusFromName;
using kong::cluster::SyncStatusName;
using kong::cluster::VersionNumber;

TEST_SUITE("cluster") {
  TEST_CASE("sync_status names round-trip and match Kong's enum") {
    CHECK(SyncStatusName(SyncStatus::kUnknown) == "unknown");
    CHECK(SyncStatusName(SyncStatus::kNormal) == "normal");
    CHECK(SyncStatusName(SyncStatus::kKongVersionIncompatible) == "kong_version_incompatible");
    CHECK(SyncStatusName(SyncStatus::kPluginSetIncompatible) == "plugin_set_incompatible");
    CHECK(SyncStatusName(SyncStatus::kPluginVersionIncompatible) == "plugin_version_incompatible");
    CHECK(SyncStatusName(SyncStatus::kFilterSetIncompatible) == "filter_set_incompatible");
    CHECK(SyncStatusFromName("plugin_set_incompatible") == SyncStatus::kPluginSetIncompatible);
    CHECK(!SyncStatusFromName("Normal").has_value());
  }

  TEST_CASE("major.minor extraction follows ^(%d+)%.(%d+)%.%d+") {
    auto v = ExtractMajorMinor("3.6.1");
    REQUIRE(v.has_value());
    CHECK(v->major == 3);
    CHECK(v->minor == 6);
    auto ee = ExtractMajorMinor("3.3.0.0-enterprise");
    REQUIRE(ee.has_value());
    CHECK(ee->minor == 3);
    CHECK(ExtractMajorMinor("10.012.7")->minor == 12);
    CHECK(!ExtractMajorMinor("3.6").has_value());
    CHECK(!ExtractMajorMinor("3.6.").has_value());
    CHECK(!ExtractMajorMinor("v3.6.1").has_value());
    CHECK(!ExtractMajorMinor("").has_value());
  }

  TEST_CASE("version numbers weigh four components") {
    CHECK(VersionNumber("3.6.1") == 3006001000);
    CHECK(VersionNumber("3.3.0.2") == 3003000002);
    CHECK(VersionNumber("2.8.4-rc1") == 2008004000);
    CHECK(VersionNumber("3.x.1") == 3000001000);
    CHECK(VersionNumber("3") == 3000000000);
    CHECK(VersionNumber("") == 0);
  }

  TEST_CASE("kong version check accepts older DP minors and rejects newer or other majors") {
    CHECK(CheckKongVersion("3.6.1", "3.6.0").ok());
    CHECK(CheckKongVersion("3.6.1", "3.4.2").ok());
    CHECK(CheckKongVersion("3.6.0", "3.6.9").ok());  // patch differences are ignored

    auto newer = CheckKongVersion("3.4.0", "3.6.1");
    CHECK(newer.status == SyncStatus::kKongVersionIncompatible);
    CHECK(newer.message ==
          "data plane version 3.6.1 is incompatible with older control plane version 3.4.0");

    auto major = CheckKongVersion("3.6.1", "2.8.4");
    CHECK(major.status == SyncStatus::kKongVersionIncompatible);
    CHECK(major.message ==
          "data plane version 2.8.4 is incompatible with control plane version 3.6.1 "
          "(3.x.y are accepted)");

    auto bad_dp = CheckKongVersion("3.6.1", "dev");
    CHECK(bad_dp.status == SyncStatus::kKongVersionIncompatible);
    CHECK(bad_dp.message ==
          "data plane version is incompatible with control plane version 3.6.1 (3.x.y are accepted)");

    auto bad_cp = CheckKongVersion("dev", "3.6.1");
    CHECK(bad_cp.message == "data plane version 3.6.1 is incompatible with control plane version");
  }

  TEST_CASE("plugin list map keeps only parseable versions") {
    PluginMap map = PluginsListToMap({{"acl", "3.6.1"}, {"custom", "0.1"}, {"bare", ""}});
    REQUIRE(map.size() == 3);
    CHECK(map["acl"].version == "3.6.1");
    CHECK(map["acl"].major_minor->minor == 6);
    CHECK(!map["custom"].major_minor.has_value());
    CHECK(map["custom"].version.empty());
    CHECK(!map["bare"].major_minor.has_value());
  }

  TEST_CASE("configured plugin names come from config_table.plugins") {
    auto config = kong::json::Parse(
        R"({"plugins":[{"name":"acl"},{"name":"cors"},{"name":"acl"},{"id":"x"}],"services":[]})");
    REQUIRE(config.ok());
    CHECK(ConfiguredPluginNames(*config) == std::set<std::string>{"acl", "cors"});
    CHECK(ConfiguredPluginNames(kong::json::Value::EmptyObject()).empty());
  }

  TEST_CASE("configuration compatibility reports missing and incompatible configured plugins") {
    std::vector<PluginVersion> cp = {{"acl", "3.6.1"}, {"cors", "3.6.1"}, {"mine", ""}};

    // Only configured plugins matter: cors missing on the DP but unused is fine.
    PluginMap dp = PluginsListToMap({{"acl", "3.5.0"}});
    CHECK(CheckConfigurationCompatibility(cp, {"acl"}, dp).ok());

    auto missing = CheckConfigurationCompatibility(cp, {"acl", "cors"}, dp);
    CHECK(missing.status == SyncStatus::kPluginSetIncompatible);
    CHECK(missing.message == "configured cors plugin 3.6.1 is missing from data plane");

    auto missing_unversioned = CheckConfigurationCompatibility(cp, {"mine"}, dp);
    CHECK(missing_unversioned.status == SyncStatus::kPluginSetIncompatible);
    CHECK(missing_unversioned.message == "configured mine plugin is missing from data plane");

    auto newer_minor = CheckConfigurationCompatibility(cp, {"acl"}, PluginsListToMap({{"acl", "3.7.0"}}));
    CHECK(newer_minor.status == SyncStatus::kPluginVersionIncompatible);
    CHECK(newer_minor.message ==
          "configured data plane acl plugin version 3.7.0 is different to control plane plugin "
          "version 3.6.1");

    auto other_major = CheckConfigurationCompatibility(cp, {"acl"}, PluginsListToMap({{"acl", "2.6.1"}}));
    CHECK(other_major.status == SyncStatus::kPluginVersionIncompatible);

    // A DP plugin without a parseable version is not compared.
    CHECK(CheckConfigurationCompatibility(cp, {"acl"}, PluginsListToMap({{"acl", "x"}})).ok());
    // The first failing plugin in CP order decides.
    auto first = CheckConfigurationCompatibility(cp, {"acl", "cors"}, PluginMap{});
    CHECK(first.message == "configured acl plugin 3.6.1 is missing from data plane");
  }
}
