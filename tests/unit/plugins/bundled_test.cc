// BundledPluginFactories: the `plugins` property selects the runnable bundled plugins.
#include <doctest/doctest.h>

#include "plugins/factory.h"
#include "support/test_support.h"

using kong::plugins::BundledPluginFactories;

TEST_SUITE("plugins") {
  TEST_CASE("bundled factories: off is empty, an unknown name is an error naming it") {
    auto off = BundledPluginFactories({"off"});
    REQUIRE(off.ok());
    CHECK(off->Names().empty());
    auto bundled = BundledPluginFactories({"bundled"});
    REQUIRE(bundled.ok());
    auto bad = BundledPluginFactories({"bundled", "no-such-plugin"});
    REQUIRE(!bad.ok());
    CHECK(bad.status().code() == kong::StatusCode::kInvalidArgument);
    CHECK(bad.status().message().find("no-such-plugin") != std::string::npos);
  }

  TEST_CASE("bundled factories: a named plugin alone, listed twice, is registered once") {
    auto all = BundledPluginFactories({"bundled"});
    REQUIRE(all.ok());
    for (const std::string& name : all->Names()) {
      auto one = BundledPluginFactories({name, "bundled"});
      REQUIRE(one.ok());
      CHECK(one->Names() == all->Names());
      auto only = BundledPluginFactories({name});
      REQUIRE(only.ok());
      CHECK(only->Names() == std::vector<std::string>{name});
      CHECK(only->Find(name)->name == name);
    }
  }
}
