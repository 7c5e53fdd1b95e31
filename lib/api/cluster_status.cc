// ClusterStatus: one read of the clustering_data_planes rows through a ControlPlane's store.
#include "kong/cluster_status.h"

#include <chrono>
#include <utility>

#include "api/control_plane_impl.h"
#include "cluster/clustering_endpoints.h"
#include "json/value.h"

namespace kong {
namespace {

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

DataPlaneInfo ToInfo(const store::DataPlaneRecord& record, int64_t now) {
  DataPlaneInfo info;
  info.id = record.id;
  info.hostname = record.hostname;
  info.ip = record.ip;
  info.version = record.version;
  info.sync_status = record.sync_status;
  info.config_hash = record.config_hash;
  info.last_seen = record.last_seen;
  info.labels_json = json::Serialize(record.labels);
  if (const json::Value* expiry = record.cert_details.Find("expiry_timestamp")) {
    if (expiry->is_int()) info.cert_expiry = expiry->as_int();
  }
  if (record.expires_at) info.ttl = *record.expires_at > now ? *record.expires_at - now : 0;
  return info;
}

}  // namespace

void ClusterStatus::Fetch(ControlPlane& cp, std::function<void(Result<ClusterStatus>)> done) {
  api::ControlPlaneView view = api::ViewOf(*cp.impl_);
  if (view.store == nullptr || !view.control_plane) {
    Status refused = Status::Unavailable(
        view.store == nullptr ? "cluster status: the control plane is not running"
                              : "cluster status: a traditional node has no data planes");
    // Never inside Fetch: the answer comes from the loop.
    view.loop->Post([done = std::move(done), refused] { done(refused); });
    return;
  }
  view.store->Submit(
      [](store::Store& s) { return cluster::ListAllDataPlanes(s, NowSeconds()); },
      [done = std::move(done), hash = std::move(view.config_hash)](
          Result<std::vector<store::DataPlaneRecord>> rows) {
        if (!rows.ok()) {
          done(Status(rows.status().code(), "cluster status: " + rows.status().message()));
          return;
        }
        const int64_t now = NowSeconds();
        std::vector<DataPlaneInfo> planes;
        planes.reserve(rows.value().size());
        for (const store::DataPlaneRecord& r : rows.value()) planes.push_back(ToInfo(r, now));
        done(ClusterStatus(hash, std::move(planes)));
      });
}

const DataPlaneInfo* ClusterStatus::Find(std::string_view id) const {
  for (const DataPlaneInfo& info : data_planes_) {
    if (info.id == id) return &info;
  }
  return nullptr;
}

}  // namespace kong
