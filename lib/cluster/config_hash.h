// Kong 3.x's declarative config hash (config_helper.lua calculate_config_hash), byte-exact.
#ifndef KONG_CLUSTER_CONFIG_HASH_H_
#define KONG_CLUSTER_CONFIG_HASH_H_

#include <string>
#include <string_view>

#include "json/value.h"

namespace kong::cluster {

// constants.DECLARATIVE_EMPTY_CONFIG_HASH: what a node reports when it has no config.
inline constexpr std::string_view kEmptyConfigHash = "00000000000000000000000000000000";

// The per-part hashes Kong sends as the reconfigure message's `hashes` object.
struct ConfigHashes {
  std::string config;  // equals the overall config_hash
  std::string routes;
  std::string services;
  std::string plugins;
  std::string upstreams;
  std::string targets;

  // {"config":..., "routes":..., ...}: the wire form.
  json::Value ToJson() const;
};

// Kong's to_sorted_string: the deterministic rendering that is hashed. Exposed for tests.
// Buffers over 1,000,000 bytes are folded into their 16-byte binary md5 as Kong does.
std::string SortedHashInput(const json::Value& value);

// Lowercase hex md5 of `data` (ngx.md5).
std::string Md5Hex(std::string_view data);

// calculate_hash: md5 hex of SortedHashInput(value), or kEmptyConfigHash for a null pointer
// (an absent key, Lua nil). A JSON null value is present and renders as "/null/".
std::string CalculateHash(const json::Value* value);

// calculate_config_hash over a declarative config_table. A non-object input hashes as a whole
// and yields only `config` (the other parts stay empty), as Kong does for non-tables.
ConfigHashes CalculateConfigHash(const json::Value& config_table);

}  // namespace kong::cluster

#endif  // KONG_CLUSTER_CONFIG_HASH_H_
