// The /v1/outlet application messages: basic_info, reconfigure, ping payloads, upgrade query.
#ifndef KONG_CLUSTER_MESSAGES_H_
#define KONG_CLUSTER_MESSAGES_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/compatibility.h"
#include "cluster/config_hash.h"
#include "json/value.h"
#include "kong/status.h"

namespace kong::cluster {

// The path a DP upgrades on, and the status the CP answers when id or version is missing.
inline constexpr std::string_view kOutletPath = "/v1/outlet";
inline constexpr int kMissingNodeParamHttpStatus = 400;

// The DP's first frame (plain JSON in a binary frame, never gzipped).
struct BasicInfo {
  std::vector<PluginVersion> plugins;  // empty version: omitted on the wire
  json::Value labels;                  // object, or null to omit (cluster_dp_labels, 3.5+)
  json::Value process_conf;            // null to omit
  json::Value filters;                 // null to omit
};

// Serializes as Kong's DP does: plugins sorted case-insensitively by name.
std::string SerializeBasicInfo(const BasicInfo& info);

// Parses the CP side. Errors are kProtocol with Kong's texts: "failed to decode websocket basic
// info data[: <why>]", "invalid basic info data type: <type>", "missing plugins in basic info
// data"; plus "invalid plugin entry in basic info data" where Kong itself would raise.
Result<BasicInfo> ParseBasicInfo(std::string_view payload);

// A decoded reconfigure message.
struct Reconfigure {
  double timestamp = 0;
  json::Value config_table;
  std::string config_hash;
  ConfigHashes hashes;
};

// The CP's push: computes the hashes of `config_table`, serializes the message once and gzips
// it (the bytes every DP of the same version receives). `hashes_out` (optional) receives the
// hashes so the caller can compare them with DP pings.
Result<std::string> EncodeReconfigure(double timestamp, const json::Value& config_table,
                                      ConfigHashes* hashes_out = nullptr);

// The DP side: gunzips (at most `max_payload` bytes, else "payload too big") and parses. A
// missing config_hash is recomputed and missing part hashes read as the empty hash, as
// config_helper.update does. Errors: kInvalidArgument for gzip/JSON, kProtocol for a message
// of another type or without a config_table object.
Result<Reconfigure> DecodeReconfigure(std::string_view gzipped, size_t max_payload);

// The DP's ping payload: its applied config hash, or the empty hash when it has none.
std::string PingPayload(std::string_view config_hash);

// The CP's check of a ping payload (3.6+): exactly 32 bytes, else kProtocol "received a ping
// frame from the data plane with an invalid hash: '<payload>'".
Status ValidatePingPayload(std::string_view payload);

// The upgrade request's node parameters.
struct NodeParams {
  std::string id;
  std::string hostname;  // may be empty: the connection check does not require it
  std::string version;
};

// The DP's request target: "/v1/outlet?node_id=..&node_hostname=..&node_version=..", values
// not escaped (Kong does not escape them either).
std::string BuildOutletTarget(const NodeParams& params);

// Reads node_id, node_hostname and node_version from a request target (path?query) the way
// nginx's $arg_ variables do: the first "name=value" pair, names case-insensitive, values raw.
// A missing id or version is kInvalidArgument "data plane didn't pass the id" / "... the
// version": answer kMissingNodeParamHttpStatus.
Result<NodeParams> ParseNodeParams(std::string_view target);

}  // namespace kong::cluster

#endif  // KONG_CLUSTER_MESSAGES_H_
