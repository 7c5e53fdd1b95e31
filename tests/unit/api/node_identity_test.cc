// lib/api/node_identity: the prefix folder and the node id kept in <prefix>/kong.id.
#include "api/node_identity.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "schema/uuid.h"
#include "support/test_support.h"

namespace kong::test {

TEST_SUITE("api") {
  TEST_CASE("EnsureFolder creates missing parents and accepts an existing folder") {
    TempDir dir;
    const std::string deep = dir.File("a/b/c");
    REQUIRE_OK(api::EnsureFolder(deep));
    struct stat st;
    REQUIRE(stat(deep.c_str(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK_OK(api::EnsureFolder(deep));
    WriteTestFile(dir.File("file"), "x");
    Status not_dir = api::EnsureFolder(dir.File("file"));
    CHECK_FALSE(not_dir.ok());
    CHECK(not_dir.message().find(dir.File("file")) != std::string::npos);
  }

  TEST_CASE("the node id is created once, written to kong.id and reused") {
    TempDir dir;
    std::vector<std::string> warnings;
    auto warn = [&](const std::string& m) { warnings.push_back(m); };
    auto first = api::LoadOrCreateNodeId(dir.path(), "", warn);
    REQUIRE_OK(first.status());
    CHECK(schema::IsUuid(*first));
    CHECK(ReadTestFile(dir.File("kong.id")) == *first);
    struct stat st;
    REQUIRE(stat(dir.File("kong.id").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);
    auto second = api::LoadOrCreateNodeId(dir.path(), "", warn);
    REQUIRE_OK(second.status());
    CHECK(*second == *first);
    CHECK(warnings.empty());

    SUBCASE("a configured node_id wins and leaves kong.id alone") {
      auto configured =
          api::LoadOrCreateNodeId(dir.path(), "0B4A7F0C-6A4E-4B8E-9D4F-6A8C1F2E3D4C", warn);
      REQUIRE_OK(configured.status());
      CHECK(*configured == "0b4a7f0c-6a4e-4b8e-9d4f-6a8c1f2e3d4c");
      CHECK(ReadTestFile(dir.File("kong.id")) == *first);
    }
    SUBCASE("a kong.id without a uuid is replaced with a warning") {
      WriteTestFile(dir.File("kong.id"), "not-a-uuid\n");
      auto replaced = api::LoadOrCreateNodeId(dir.path(), "", warn);
      REQUIRE_OK(replaced.status());
      CHECK(schema::IsUuid(*replaced));
      CHECK(*replaced != *first);
      CHECK(ReadTestFile(dir.File("kong.id")) == *replaced);
      REQUIRE(warnings.size() == 1);
      CHECK(warnings[0].find("invalid uuid") != std::string::npos);
    }
  }

  TEST_CASE("a missing prefix folder is reported with the path") {
    TempDir dir;
    auto id = api::LoadOrCreateNodeId(dir.File("missing"), "", nullptr);
    CHECK_FALSE(id.ok());
    CHECK(id.status().message().find(dir.File("missing")) != std::string::npos);
  }

}  // TEST_SUITE("api")

}  // namespace kong::test
