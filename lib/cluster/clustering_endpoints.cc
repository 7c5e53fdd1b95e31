// GET /clustering/status and GET /clustering/data-planes (kong/api/routes/clustering.lua)
// over the store's clustering_data_planes rows.
#include "cluster/clustering_endpoints.h"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "admin/list_request.h"
#include "admin/responses.h"
#include "base/macros.h"
#include "schema/errors.h"

namespace kong::cluster {
namespace {

constexpr char kNotControlPlane[] =
    "this endpoint is only available when Kong is configured to run as Control Plane for the "
    "cluster";

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One row as Kong's collection endpoint renders a clustering_data_planes entity; `ttl` is
// what is left of cluster_data_plane_purge_delay.
json::Value DataPlaneJson(const store::DataPlaneRecord& record, int64_t now) {
  json::Value row = json::Value::EmptyObject();
  row.Set("id", record.id);
  row.Set("hostname", record.hostname);
  row.Set("ip", record.ip);
  row.Set("last_seen", record.last_seen);
  row.Set("config_hash", record.config_hash);
  row.Set("version", record.version);
  row.Set("sync_status", record.sync_status);
  row.Set("labels", record.labels);
  row.Set("cert_details", record.cert_details);
  row.Set("updated_at", record.updated_at);
  if (record.expires_at) {
    row.Set("ttl", *record.expires_at > now ? *record.expires_at - now : 0);
  }
  return row;
}

// The store's refusal of size or offset as Kong's error bodies; anything else is a 500.
http::Response ListErrorResponse(const Status& failed, std::string_view offset) {
  const std::string& msg = failed.message();
  if (failed.code() == StatusCode::kInvalidArgument) {
    const std::string marker = "is not a valid offset: ";
    const size_t at = msg.find(marker);
    if (at != std::string::npos) {
      return admin::JsonResponse(
          400, schema::InvalidOffsetBody(offset, msg.substr(at + marker.size())));
    }
    return admin::JsonResponse(400, schema::InvalidSizeBody(msg));
  }
  return admin::MessageResponse(500, "An unexpected error occurred");
}

void ServeStatus(store::AsyncStore& store, http::ResponseWriter writer) {
  store.Submit(
      [](store::Store& s) { return ListAllDataPlanes(s, NowSeconds()); },
      [writer](Result<std::vector<store::DataPlaneRecord>> rows) mutable {
        if (!rows.ok()) {
          admin::Reply(writer, admin::MessageResponse(500, "An unexpected error happened"));
          return;
        }
        json::Value body = json::Value::EmptyObject();
        for (const store::DataPlaneRecord& r : rows.value()) {
          json::Value entry = json::Value::EmptyObject();
          entry.Set("config_hash", r.config_hash);
          entry.Set("hostname", r.hostname);
          entry.Set("ip", r.ip);
          entry.Set("last_seen", r.last_seen);
          body.Set(r.id, std::move(entry));
        }
        http::Response response = admin::JsonResponse(200, body);
        // draft-dalal-deprecation-header, as Kong sends it.
        response.headers.Set("Deprecation", "true");
        admin::Reply(writer, std::move(response));
      });
}

void ServeDataPlanes(store::AsyncStore& store, http::Request& request,
                     http::ResponseWriter writer) {
  dao::DaoResult<dao::ListOptions> options = admin::ParseListOptions(request);
  if (!options.ok()) {
    admin::Reply(writer, admin::DaoErrorResponse(options.error()));
    return;
  }
  const std::string carried = admin::CarriedListArguments(request);
  const int size = options.value().size;
  const std::string offset = options.value().offset;
  store.Submit(
      [size, offset](store::Store& s) { return s.ListDataPlanes(size, offset, NowSeconds()); },
      [writer, offset, carried](Result<store::DataPlanePage> page) mutable {
        if (!page.ok()) {
          admin::Reply(writer, ListErrorResponse(page.status(), offset));
          return;
        }
        const int64_t now = NowSeconds();
        dao::ListPage list;
        for (const store::DataPlaneRecord& r : page.value().records) {
          list.data.as_array().push_back(DataPlaneJson(r, now));
        }
        list.offset = page.value().next_offset;
        admin::Reply(writer, admin::JsonResponse(200, admin::ListBody(std::move(list),
                                                                      "/clustering/data-planes",
                                                                      carried)));
      });
}

}  // namespace

Result<std::vector<store::DataPlaneRecord>> ListAllDataPlanes(store::Store& store, int64_t now) {
  std::vector<store::DataPlaneRecord> all;
  std::string offset;
  while (true) {
    KONG_ASSIGN_OR_RETURN(store::DataPlanePage page, store.ListDataPlanes(1000, offset, now));
    for (store::DataPlaneRecord& r : page.records) all.push_back(std::move(r));
    if (!page.next_offset) return all;
    offset = *page.next_offset;
  }
}

void RegisterClusteringEndpoints(admin::AdminApi& api, store::AsyncStore& store) {
  store::AsyncStore* s = &store;
  api.AddEndpoint("GET", "/clustering/status",
                  [s](http::Request&, http::ResponseWriter& writer,
                      const admin::AdminApi::PathParams&) { ServeStatus(*s, writer); });
  api.AddEndpoint("GET", "/clustering/data-planes",
                  [s](http::Request& request, http::ResponseWriter& writer,
                      const admin::AdminApi::PathParams&) {
                    ServeDataPlanes(*s, request, writer);
                  });
}

void RegisterClusteringEndpointsOffControlPlane(admin::AdminApi& api) {
  for (const char* path : {"/clustering/status", "/clustering/data-planes"}) {
    api.AddEndpoint("GET", path,
                    [](http::Request&, http::ResponseWriter& writer,
                       const admin::AdminApi::PathParams&) {
                      admin::Reply(writer, admin::MessageResponse(400, kNotControlPlane));
                    });
  }
}

}  // namespace kong::cluster
