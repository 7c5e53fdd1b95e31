// Tests for the DP config cache file: round trip, 0600, atomic replace, corrupt-file detection.
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "base/files.h"
#include "cluster/config_cache.h"
#include "cluster/config_hash.h"
#include "cluster/gzip.h"
#include "json/value.h"
#include "support/test_support.h"

using kong::StatusCode;
using kong::cluster::CalculateConfigHash;
using kong::cluster::ConfigCache;
using kong::cluster::GzipCompress;
using kong::json::Value;

namespace {

constexpr size_t kMaxBytes = 64 * 1024;
constexpr char kSecret[] = "s3cret-credential-marker";

Value SampleConfig(const std::string& service_name) {
  auto v = kong::json::Parse(R"({"_format_version":"3.0","_transform":false,"services":[
      {"id":"3f1c1a54-5f1b-4a2e-9a0e-2a9bd3d1f001","name":")" + service_name +
                             R"(","host":"example.com","port":80}],
      "consumers":[{"username":"alice","keyauth_credentials":[{"key":")" + kSecret +
                             R"("}]}]})");
  REQUIRE(v.ok());
  return std::move(v).value();
}

std::string Hash(const Value& table) { return CalculateConfigHash(table).config; }

std::string Gz(const std::string& text) {
  auto r = GzipCompress(text);
  REQUIRE(r.ok());
  return std::move(r).value();
}

// A valid cache document as Save writes it, for tests that then damage one part.
std::string CacheDocument(const Value& table, const std::string& content_hash) {
  Value doc = Value::EmptyObject();
  doc.Set("config_hash", Hash(table));
  doc.Set("content_hash", content_hash);
  doc.Set("config_table", table);
  return kong::json::Serialize(doc);
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  REQUIRE(d != nullptr);
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  return names;
}

// Load must fail with kInvalidArgument, name the file, say `reason`, and leak no content.
void CheckCorrupt(const ConfigCache& cache, const std::string& reason) {
  auto r = cache.Load();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  const std::string m = r.status().message();  // status() returns a copy
  CHECK_MESSAGE(m.find("config cache " + cache.path() + ": ") == 0, m);
  CHECK_MESSAGE(m.find(reason) != std::string::npos, m);
  CHECK(m.find(kSecret) == std::string::npos);
  CHECK(m.find("example.com") == std::string::npos);
}

}  // namespace

TEST_SUITE("cluster") {
  TEST_CASE("config cache round-trips the config table and the CP's hash") {
    kong::test::TempDir dir;
    ConfigCache cache(ConfigCache::PathInPrefix(dir.path()), kMaxBytes);
    CHECK(cache.path() == dir.path() + "/config.cache.json.gz");
    CHECK(ConfigCache::PathInPrefix("/p/") == "/p/config.cache.json.gz");

    Value table = SampleConfig("svc-a");
    REQUIRE_OK(cache.Save(table, Hash(table)));
    auto loaded = cache.Load();
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
    CHECK(loaded->config_table == table);
    CHECK(loaded->config_hash == Hash(table));

    // The CP's hash is kept as given even when it differs from ours (a 2.8 CP hashes
    // differently and the DP must echo what it received).
    REQUIRE_OK(cache.Save(table, "0123456789ABCDEF0123456789abcdef"));
    loaded = cache.Load();
    REQUIRE(loaded.ok());
    CHECK(loaded->config_hash == "0123456789ABCDEF0123456789abcdef");

    // The file really is gzip (Kong's format family).
    std::string raw = kong::test::ReadTestFile(cache.path());
    REQUIRE(raw.size() > 2);
    CHECK(static_cast<unsigned char>(raw[0]) == 0x1f);
    CHECK(static_cast<unsigned char>(raw[1]) == 0x8b);
  }

  TEST_CASE("config cache file has mode 0600 and replacing it leaves no temp files") {
    kong::test::TempDir dir;
    ConfigCache cache(ConfigCache::PathInPrefix(dir.path()), kMaxBytes);
    mode_t old_umask = ::umask(0);  // the mode must not depend on a permissive umask
    kong::Status st = cache.Save(SampleConfig("svc-a"), Hash(SampleConfig("svc-a")));
    ::umask(old_umask);
    REQUIRE_OK(st);
    struct stat sb {};
    REQUIRE(::stat(cache.path().c_str(), &sb) == 0);
    CHECK((sb.st_mode & 07777) == 0600);

    Value b = SampleConfig("svc-b");
    REQUIRE_OK(cache.Save(b, Hash(b)));
    REQUIRE(::stat(cache.path().c_str(), &sb) == 0);
    CHECK((sb.st_mode & 07777) == 0600);
    CHECK(ListDir(dir.path()) == std::vector<std::string>{"config.cache.json.gz"});
    auto loaded = cache.Load();
    REQUIRE(loaded.ok());
    CHECK(loaded->config_table == b);
  }

  TEST_CASE("a failed write keeps the previous cache file intact") {
    kong::test::TempDir dir;
    ConfigCache cache(ConfigCache::PathInPrefix(dir.path()), kMaxBytes);
    Value old_table = SampleConfig("svc-old");
    REQUIRE_OK(cache.Save(old_table, Hash(old_table)));
    const std::string old_bytes = kong::test::ReadTestFile(cache.path());

    // A new config big and incompressible enough that its write is cut short.
    Value big = SampleConfig("svc-new");
    std::string noise(20000, 'a');
    uint32_t x = 7;
    for (char& c : noise) {
      x = x * 1103515245u + 12345u;
      c = static_cast<char>('a' + (x >> 16) % 26);
    }
    big.Set("noise", noise);

    SUBCASE("the write fails part-way (file size limit, works even as root)") {
      // RLIMIT_FSIZE makes write(2) fail with EFBIG after a few bytes: a partial temp file,
      // as a full disk or a crash would leave.
      struct rlimit saved {};
      REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
      auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
      struct rlimit small = saved;
      small.rlim_cur = 256;
      REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
      kong::Status st = cache.Save(big, Hash(big));
      ::setrlimit(RLIMIT_FSIZE, &saved);
      ::signal(SIGXFSZ, old_handler);
      CHECK_FALSE(st.ok());
      CHECK(st.code() == StatusCode::kIo);
    }
    SUBCASE("the folder is read-only (skipped as root, who may write anyway)") {
      if (::geteuid() == 0) return;
      REQUIRE(::chmod(dir.path().c_str(), 0500) == 0);
      kong::Status st = cache.Save(big, Hash(big));
      ::chmod(dir.path().c_str(), 0700);
      CHECK(st.code() == StatusCode::kPermissionDenied);
    }
    CHECK(kong::test::ReadTestFile(cache.path()) == old_bytes);
    CHECK(ListDir(dir.path()) == std::vector<std::string>{"config.cache.json.gz"});
    auto loaded = cache.Load();
    REQUIRE(loaded.ok());
    CHECK(loaded->config_table == old_table);
  }

  TEST_CASE("config cache reports a missing file as kNotFound naming it") {
    kong::test::TempDir dir;
    ConfigCache cache(dir.File("config.cache.json.gz"), kMaxBytes);
    auto r = cache.Load();
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kNotFound);
    CHECK(r.status().message() == "config cache " + cache.path() + ": not found");
    CHECK_OK(cache.Remove());  // absent is fine
  }

  TEST_CASE("config cache detects each kind of damaged file with its own error") {
    kong::test::TempDir dir;
    ConfigCache cache(dir.File("config.cache.json.gz"), kMaxBytes);
    Value table = SampleConfig("svc-a");
    REQUIRE_OK(cache.Save(table, Hash(table)));
    const std::string good = kong::test::ReadTestFile(cache.path());

    SUBCASE("empty") {
      kong::test::WriteTestFile(cache.path(), "");
      CheckCorrupt(cache, "file is empty");
    }
    SUBCASE("truncated gzip") {
      kong::test::WriteTestFile(cache.path(), good.substr(0, good.size() / 2));
      CheckCorrupt(cache, "truncated");
    }
    SUBCASE("a flipped bit inside the compressed data") {
      std::string bad = good;
      bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 0x10);
      kong::test::WriteTestFile(cache.path(), bad);
      CheckCorrupt(cache, "gzip");
    }
    SUBCASE("garbage, not gzip at all") {
      kong::test::WriteTestFile(cache.path(), std::string("{\"services\":[\"") + kSecret + "\"]}");
      CheckCorrupt(cache, "invalid compressed payload");
    }
    SUBCASE("file larger than the limit") {
      kong::test::WriteTestFile(cache.path(), std::string(kMaxBytes + 1, 'x'));
      CheckCorrupt(cache, "file too big");
    }
    SUBCASE("small file that inflates past the limit (zip bomb)") {
      kong::test::WriteTestFile(cache.path(), Gz(std::string(kMaxBytes + 1, ' ')));
      CheckCorrupt(cache, "payload too big");
    }
    SUBCASE("valid gzip, not JSON") {
      kong::test::WriteTestFile(cache.path(), Gz(std::string("{\"secret\":\"") + kSecret));
      CheckCorrupt(cache, "not valid JSON");
    }
    SUBCASE("JSON of the wrong shape") {
      kong::test::WriteTestFile(cache.path(), Gz("[1,2,3]"));
      CheckCorrupt(cache, "not a JSON object");
      // Kong 2.x's format (a bare config_table) is not ours: no hashes to trust.
      kong::test::WriteTestFile(cache.path(), Gz(kong::json::Serialize(table)));
      CheckCorrupt(cache, "missing or invalid config_hash");
      Value doc = Value::EmptyObject();
      doc.Set("config_hash", Hash(table));
      doc.Set("content_hash", Hash(table));
      doc.Set("config_table", Value::EmptyArray());
      kong::test::WriteTestFile(cache.path(), Gz(kong::json::Serialize(doc)));
      CheckCorrupt(cache, "missing or invalid config_table");
      doc.Set("config_table", table);
      doc.Set("content_hash", kSecret);
      kong::test::WriteTestFile(cache.path(), Gz(kong::json::Serialize(doc)));
      CheckCorrupt(cache, "missing or invalid content_hash");
    }
    SUBCASE("content changed after it was hashed (bit rot before compression, hand edit)") {
      Value edited = table;
      edited.Set("_transform", true);
      kong::test::WriteTestFile(cache.path(), Gz(CacheDocument(edited, Hash(table))));
      CheckCorrupt(cache, "content hash mismatch (stored " + Hash(table) + ", computed " +
                              Hash(edited) + ")");
    }
    SUBCASE("a directory where the file should be") {
      REQUIRE(::unlink(cache.path().c_str()) == 0);
      REQUIRE(::mkdir(cache.path().c_str(), 0700) == 0);
      CheckCorrupt(cache, "not a regular file");
      REQUIRE(::rmdir(cache.path().c_str()) == 0);
    }
    // A damaged file can be removed so the next Save starts clean.
    CHECK_OK(cache.Remove());
    CHECK(cache.Load().status().code() == StatusCode::kNotFound);
  }

  TEST_CASE("config cache Save rejects input it could not load back") {
    kong::test::TempDir dir;
    ConfigCache cache(dir.File("config.cache.json.gz"), 2048);
    Value table = SampleConfig("svc-a");
    CHECK(cache.Save(Value::EmptyArray(), Hash(table)).code() == StatusCode::kInvalidArgument);
    CHECK(cache.Save(table, "").code() == StatusCode::kInvalidArgument);
    CHECK(cache.Save(table, "not-hex!").code() == StatusCode::kInvalidArgument);
    CHECK(cache.Save(table, std::string(65, 'a')).code() == StatusCode::kInvalidArgument);
    table.Set("noise", std::string(4096, 'n'));
    kong::Status st = cache.Save(table, Hash(table));
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK_MESSAGE(st.message().find("config too big to cache") != std::string::npos,
                  st.message());
    CHECK_FALSE(kong::base::PathExists(cache.path()));
  }
}
