// Tests for gzip framing: round trips, RFC 1952 interop, the inflate cap and corrupt input.
#include <string>

#include "cluster/gzip.h"
#include "support/test_support.h"

using kong::StatusCode;
using kong::cluster::GzipCompress;
using kong::cluster::GzipDecompress;

namespace {

std::string MustCompress(std::string_view data) {
  auto r = GzipCompress(data);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(r).value();
}

// Pseudo-random text that deflate cannot shrink much, to exercise several output chunks.
std::string NoisyText(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 12345;
  for (char& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>('a' + (x >> 16) % 26);
  }
  return s;
}

}  // namespace

TEST_SUITE("cluster") {
  TEST_CASE("gzip output has the RFC 1952 header and round-trips") {
    std::string payload = R"({"type":"reconfigure","config_table":{}})";
    std::string gz = MustCompress(payload);
    REQUIRE(gz.size() > 18);
    CHECK(static_cast<unsigned char>(gz[0]) == 0x1f);
    CHECK(static_cast<unsigned char>(gz[1]) == 0x8b);
    CHECK(gz[2] == 8);  // deflate
    auto back = GzipDecompress(gz, payload.size());
    REQUIRE(back.ok());
    CHECK(*back == payload);
  }

  TEST_CASE("gzip round-trips empty and multi-chunk payloads") {
    auto empty = GzipDecompress(MustCompress(""), 0);
    REQUIRE(empty.ok());
    CHECK(empty->empty());
    std::string big = NoisyText(300 * 1024);
    auto back = GzipDecompress(MustCompress(big), big.size());
    REQUIRE(back.ok());
    CHECK(*back == big);
  }

  TEST_CASE("gzip inflates a member written by another implementation (Python gzip)") {
    static const char kPythonGzip[] =
        "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff\xab\x56\x2a\xa9\x2c\x48\x55\xb2\x52\x2a\x4a"
        "\x4d\xce\xcf\x4b\xcb\x4c\x2f\x2d\x4a\x55\xaa\x05\x00\xa3\x85\xe3\xf3\x16\x00\x00\x00";
    auto r = GzipDecompress(std::string_view(kPythonGzip, sizeof(kPythonGzip) - 1), 1024);
    REQUIRE(r.ok());
    CHECK(*r == R"({"type":"reconfigure"})");
  }

  TEST_CASE("gzip inflation stops at the cap: exact size passes, one byte over fails") {
    std::string payload = NoisyText(100000);
    std::string gz = MustCompress(payload);
    CHECK(GzipDecompress(gz, payload.size()).ok());
    auto over = GzipDecompress(gz, payload.size() - 1);
    REQUIRE(!over.ok());
    CHECK(over.status().code() == StatusCode::kInvalidArgument);
    CHECK(over.status().message() == "payload too big");
  }

  TEST_CASE("gzip bomb is rejected without inflating it all") {
    std::string zeros(32 * 1024 * 1024, '\0');
    std::string gz = MustCompress(zeros);
    CHECK(gz.size() < 64 * 1024);
    auto r = GzipDecompress(gz, 1024 * 1024);
    REQUIRE(!r.ok());
    CHECK(r.status().message() == "payload too big");
  }

  TEST_CASE("gzip rejects truncated, corrupt, non-gzip and trailing input") {
    std::string payload = NoisyText(5000);
    std::string gz = MustCompress(payload);

    auto truncated = GzipDecompress(gz.substr(0, gz.size() - 4), 1 << 20);
    REQUIRE(!truncated.ok());
    CHECK(truncated.status().code() == StatusCode::kInvalidArgument);
    CHECK(truncated.status().message() == "gzip: truncated compressed payload");

    std::string corrupt = gz;
    corrupt[corrupt.size() - 5] ^= 0x55;  // inside the CRC32 trailer
    auto bad_crc = GzipDecompress(corrupt, 1 << 20);
    REQUIRE(!bad_crc.ok());
    CHECK(bad_crc.status().message().rfind("gzip: invalid compressed payload: ", 0) == 0);

    auto not_gzip = GzipDecompress("{\"type\":\"reconfigure\"}", 1 << 20);
    REQUIRE(!not_gzip.ok());
    CHECK(not_gzip.status().code() == StatusCode::kInvalidArgument);

    auto empty = GzipDecompress("", 1 << 20);
    REQUIRE(!empty.ok());
    CHECK(empty.status().message() == "gzip: truncated compressed payload");

    auto trailing = GzipDecompress(gz + "x", 1 << 20);
    REQUIRE(!trailing.ok());
    CHECK(trailing.status().message() == "gzip: trailing data after the compressed payload");
  }
}
