// Tests for the /v1/outlet messages: basic_info, reconfigure, ping payloads and node params.
#include <string>

#include "cluster/gzip.h"
#include "cluster/messages.h"
#include "json/value.h"
#include "support/test_support.h"

using kong::Status;
using kong::StatusCode;
using kong::cluster::BasicInfo;
using kong::cluster::BuildOutletTarget;
using kong::cluster::ConfigHashes;
using kong::cluster::DecodeReconfigure;
using kong::cluster::EncodeReconfigure;
using kong::cluster::GzipCompress;
using kong::cluster::kEmptyConfigHash;
using kong::cluster::NodeParams;
using kong::cluster::ParseBasicInfo;
using kong::cluster::ParseNodeParams;
using kong::cluster::PingPayload;
using kong::cluster::SerializeBasicInfo;
using kong::cluster::ValidatePingPayload;
using kong::json::Value;

namespace {

Value MustParse(std::string_view text) {
  auto r = kong::json::Parse(text);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(r).value();
}

std::string BasicInfoError(std::string_view payload) {
  auto r = ParseBasicInfo(payload);
  REQUIRE_MESSAGE(!r.ok(), std::string(payload));
  CHECK(r.status().code() == StatusCode::kProtocol);
  return r.status().message();
}

std::string Gzip(std::string_view text) {
  auto r = GzipCompress(text);
  REQUIRE(r.ok());
  return std::move(r).value();
}

}  // namespace

TEST_SUITE("cluster") {
  TEST_CASE("basic_info serializes like Kong's DP: sorted plugins, optional fields") {
    BasicInfo info;
    info.plugins = {{"zipkin", "3.6.1"}, {"ACL", "3.6.1"}, {"custom", ""}, {"basic-auth", "3.6.1"}};
    CHECK(SerializeBasicInfo(info) ==
          R"({"type":"basic_info","plugins":[{"name":"ACL","version":"3.6.1"},)"
          R"({"name":"basic-auth","version":"3.6.1"},{"name":"custom"},)"
          R"({"name":"zipkin","version":"3.6.1"}]})");
    info.plugins.clear();
    info.labels = MustParse(R"({"env":"prod"})");
    CHECK(SerializeBasicInfo(info) == R"({"type":"basic_info","plugins":[],"labels":{"env":"prod"}})");
  }

  TEST_CASE("basic_info round-trips through the CP parser") {
    BasicInfo info;
    info.plugins = {{"acl", "3.6.1"}, {"custom", ""}};
    info.labels = MustParse(R"({"k":"v"})");
    info.process_conf = MustParse(R"({"role":"data_plane"})");
    auto parsed = ParseBasicInfo(SerializeBasicInfo(info));
    REQUIRE(parsed.ok());
    REQUIRE(parsed->plugins.size() == 2);
    CHECK(parsed->plugins[0].name == "acl");
    CHECK(parsed->plugins[0].version == "3.6.1");
    CHECK(parsed->plugins[1].version.empty());
    CHECK(parsed->labels == info.labels);
    CHECK(parsed->process_conf == info.process_conf);
    CHECK(parsed->filters.is_null());
  }

  TEST_CASE("basic_info parse errors use Kong's texts") {
    CHECK(BasicInfoError("{").rfind("failed to decode websocket basic info data: ", 0) == 0);
    CHECK(BasicInfoError("5") == "failed to decode websocket basic info data");
    CHECK(BasicInfoError(R"({"plugins":[]})") == "invalid basic info data type: unknown");
    CHECK(BasicInfoError("[]") == "invalid basic info data type: unknown");
    CHECK(BasicInfoError(R"({"type":"ping"})") == "invalid basic info data type: ping");
    CHECK(BasicInfoError(R"({"type":"basic_info"})") == "missing plugins in basic info data");
    CHECK(BasicInfoError(R"({"type":"basic_info","plugins":"acl"})") ==
          "missing plugins in basic info data");
    CHECK(BasicInfoError(R"({"type":"basic_info","plugins":[5]})") ==
          "invalid plugin entry in basic info data");
    // An object is a Lua table too, with no list entries.
    auto obj = ParseBasicInfo(R"({"type":"basic_info","plugins":{}})");
    REQUIRE(obj.ok());
    CHECK(obj->plugins.empty());
  }

  TEST_CASE("reconfigure is gzipped JSON carrying the config and its hashes") {
    Value config = MustParse(R"({"_format_version":"3.0","_transform":false})");
    ConfigHashes hashes;
    auto encoded = EncodeReconfigure(1700000000.5, config, &hashes);
    REQUIRE(encoded.ok());
    CHECK(hashes.config == "3ba837da99e14dfab883d867101d37f6");

    auto decoded = DecodeReconfigure(*encoded, 1 << 20);
    REQUIRE(decoded.ok());
    CHECK(decoded->timestamp == 1700000000.5);
    CHECK(decoded->config_table == config);
    CHECK(decoded->config_hash == "3ba837da99e14dfab883d867101d37f6");
    CHECK(decoded->hashes.config == decoded->config_hash);
    CHECK(decoded->hashes.routes == kEmptyConfigHash);

    auto too_small = DecodeReconfigure(*encoded, 20);
    REQUIRE(!too_small.ok());
    CHECK(too_small.status().message() == "payload too big");
  }

  TEST_CASE("reconfigure without hashes gets them computed or filled") {
    auto no_hash = DecodeReconfigure(
        Gzip(R"({"type":"reconfigure","config_table":{"_format_version":"3.0","_transform":false}})"),
        1 << 20);
    REQUIRE(no_hash.ok());
    CHECK(no_hash->config_hash == "3ba837da99e14dfab883d867101d37f6");
    CHECK(no_hash->hashes.services == kEmptyConfigHash);

    auto partial = DecodeReconfigure(
        Gzip(R"({"type":"reconfigure","config_table":{},"config_hash":"abc","hashes":{"routes":"r"}})"),
        1 << 20);
    REQUIRE(partial.ok());
    CHECK(partial->config_hash == "abc");  // the CP's word is taken as is
    CHECK(partial->hashes.routes == "r");
    CHECK(partial->hashes.config == kEmptyConfigHash);
  }

  TEST_CASE("reconfigure decoding rejects other messages and bad payloads") {
    auto other = DecodeReconfigure(Gzip(R"({"type":"error"})"), 1 << 20);
    REQUIRE(!other.ok());
    CHECK(other.status().code() == StatusCode::kProtocol);
    CHECK(other.status().message() == "unexpected message type from control plane: error");
    auto no_table = DecodeReconfigure(Gzip(R"({"type":"reconfigure","config_table":[]})"), 1 << 20);
    REQUIRE(!no_table.ok());
    CHECK(no_table.status().code() == StatusCode::kProtocol);
    auto not_json = DecodeReconfigure(Gzip("{"), 1 << 20);
    REQUIRE(!not_json.ok());
    CHECK(not_json.status().code() == StatusCode::kInvalidArgument);
    CHECK(!DecodeReconfigure("plain", 1 << 20).ok());
  }

  TEST_CASE("ping payloads carry a 32-byte hash") {
    CHECK(PingPayload("") == kEmptyConfigHash);
    CHECK(PingPayload("3ba837da99e14dfab883d867101d37f6") == "3ba837da99e14dfab883d867101d37f6");
    CHECK(ValidatePingPayload(kEmptyConfigHash).ok());
    Status bad = ValidatePingPayload("abc");
    CHECK(bad.code() == StatusCode::kProtocol);
    CHECK(bad.message() == "received a ping frame from the data plane with an invalid hash: 'abc'");
    CHECK(!ValidatePingPayload("").ok());
    CHECK(!ValidatePingPayload(std::string(33, 'a')).ok());
  }

  TEST_CASE("node params: Kong's target, nginx-style parsing and the 400 texts") {
    NodeParams p{"7f9c1b2e-0000-4000-8000-000000000001", "dp-1.local", "3.6.1"};
    std::string target = BuildOutletTarget(p);
    CHECK(target ==
          "/v1/outlet?node_id=7f9c1b2e-0000-4000-8000-000000000001&node_hostname=dp-1.local"
          "&node_version=3.6.1");
    auto back = ParseNodeParams(target);
    REQUIRE(back.ok());
    CHECK(back->id == p.id);
    CHECK(back->hostname == p.hostname);
    CHECK(back->version == p.version);

    auto first_wins = ParseNodeParams("/v1/outlet?xnode_id=no&NODE_ID=a&node_id=b&node_version=3.6.1");
    REQUIRE(first_wins.ok());
    CHECK(first_wins->id == "a");
    CHECK(first_wins->hostname.empty());

    auto no_id = ParseNodeParams("/v1/outlet?node_hostname=h&node_version=3.6.1");
    REQUIRE(!no_id.ok());
    CHECK(no_id.status().message() == "data plane didn't pass the id");
    auto bare_id = ParseNodeParams("/v1/outlet?node_id&node_version=3.6.1");
    CHECK(!bare_id.ok());
    auto no_version = ParseNodeParams("/v1/outlet?node_id=a");
    REQUIRE(!no_version.ok());
    CHECK(no_version.status().message() == "data plane didn't pass the version");
    CHECK(no_version.status().code() == StatusCode::kInvalidArgument);
    CHECK(!ParseNodeParams("/v1/outlet").ok());
  }
}
