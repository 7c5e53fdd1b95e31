// kong::ClusterStatus: the control plane's view of its data planes (clustering_data_planes),
// as GET /clustering/data-planes reports it.
#ifndef KONG_CLUSTER_STATUS_H_
#define KONG_CLUSTER_STATUS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kong/export.h"
#include "kong/status.h"

namespace kong {

class ControlPlane;

struct DataPlaneInfo {
  std::string id;
  std::string hostname;
  std::string ip;
  std::string version;
  std::string sync_status;   // Kong's values: "normal", "kong_version_incompatible", ...
  std::string config_hash;   // what the DP reported in its last ping
  int64_t last_seen = 0;     // epoch seconds
  std::string labels_json = "{}";   // cluster_dp_labels as a JSON object
  std::optional<int64_t> cert_expiry;  // the DP certificate's notAfter, epoch seconds
  std::optional<int64_t> ttl;          // seconds until the row is purged
};

class KONG_EXPORT ClusterStatus {
 public:
  // Reads the registry through `cp`'s database (every DP of every CP node sharing it) and
  // calls `done` on the loop thread, never inside Fetch. kUnavailable when `cp` is not
  // running or is not a control plane.
  static void Fetch(ControlPlane& cp, std::function<void(Result<ClusterStatus>)> done);

  // The hash the control plane pushes now; "" before its first export.
  const std::string& config_hash() const { return config_hash_; }
  const std::vector<DataPlaneInfo>& data_planes() const { return data_planes_; }
  const DataPlaneInfo* Find(std::string_view id) const;

  ClusterStatus() = default;
  ClusterStatus(std::string config_hash, std::vector<DataPlaneInfo> data_planes)
      : config_hash_(std::move(config_hash)), data_planes_(std::move(data_planes)) {}

 private:
  std::string config_hash_;
  std::vector<DataPlaneInfo> data_planes_;
};

}  // namespace kong

#endif  // KONG_CLUSTER_STATUS_H_
