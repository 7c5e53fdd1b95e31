// Store's data-plane status table (clustering_data_planes): upserts on every DP ping, listing
// for the Admin API, TTL purge. None of it is configuration, so none of it bumps the version.
#include "base/macros.h"
#include "store/offset_token.h"
#include "store/sql_connection.h"
#include "store/store.h"

namespace kong::store {
namespace {

constexpr char kColumns[] =
    "SELECT id, hostname, ip, last_seen, config_hash, version, sync_status, labels, "
    "cert_details, updated_at, expires_at FROM clustering_data_planes ";

Result<DataPlaneRecord> ToRecord(const SqlRow& row) {
  DataPlaneRecord rec;
  rec.id = SqlText(row, 0);
  rec.hostname = SqlText(row, 1);
  rec.ip = SqlText(row, 2);
  rec.last_seen = SqlInt(row, 3);
  rec.config_hash = SqlText(row, 4);
  rec.version = SqlText(row, 5);
  rec.sync_status = SqlText(row, 6);
  for (auto [col, target] : {std::pair{7, &rec.labels}, std::pair{8, &rec.cert_details}}) {
    auto v = json::Parse(SqlText(row, static_cast<size_t>(col)));
    if (!v.ok()) {
      return Status::Internal("corrupt data plane '" + rec.id + "': " + v.status().message());
    }
    *target = std::move(v).value();
  }
  rec.updated_at = SqlInt(row, 9);
  if (row.size() > 10 && row[10]) rec.expires_at = SqlInt(row, 10);
  return rec;
}

SqlParam OptionalInt(const std::optional<int64_t>& v) {
  return v ? SqlParam(*v) : SqlParam(nullptr);
}

}  // namespace

Status Store::UpsertDataPlane(const DataPlaneRecord& rec) {
  return UpsertDataPlanes({rec});
}

Status Store::UpsertDataPlanes(const std::vector<DataPlaneRecord>& records) {
  for (const DataPlaneRecord& rec : records) {
    if (rec.id.empty()) return Status::InvalidArgument("data plane id must not be empty");
  }
  KONG_RETURN_IF_ERROR(EnsureSchemaReady());
  return InTransaction(TxnKind::kStatusWrite, [&]() -> Status {
    for (const DataPlaneRecord& rec : records) {
      KONG_RETURN_IF_ERROR(
          conn_
              ->Exec("INSERT INTO clustering_data_planes (id, hostname, ip, last_seen, "
                     "config_hash, version, sync_status, labels, cert_details, updated_at, "
                     "expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
                     "ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, "
                     "ip = excluded.ip, last_seen = excluded.last_seen, "
                     "config_hash = excluded.config_hash, version = excluded.version, "
                     "sync_status = excluded.sync_status, labels = excluded.labels, "
                     "cert_details = excluded.cert_details, updated_at = excluded.updated_at, "
                     "expires_at = excluded.expires_at",
                     {rec.id, rec.hostname, rec.ip, rec.last_seen, rec.config_hash, rec.version,
                      rec.sync_status, json::Serialize(rec.labels),
                      json::Serialize(rec.cert_details), rec.updated_at,
                      OptionalInt(rec.expires_at)},
                     "upsert data plane '" + rec.id + "'")
              .status());
    }
    return Status::Ok();
  });
}

Result<std::optional<DataPlaneRecord>> Store::GetDataPlane(const std::string& id, int64_t now) {
  KONG_RETURN_IF_ERROR(EnsureSchemaReady());
  std::optional<DataPlaneRecord> out;
  KONG_RETURN_IF_ERROR(InTransaction(TxnKind::kRead, [&]() -> Status {
    KONG_ASSIGN_OR_RETURN(
        SqlResult r, conn_->Exec(std::string(kColumns) +
                                     "WHERE id = $1 AND (expires_at IS NULL OR expires_at > $2)",
                                 {id, now}, "get data plane '" + id + "'"));
    if (r.rows.empty()) return Status::Ok();
    KONG_ASSIGN_OR_RETURN(out, ToRecord(r.rows[0]));
    return Status::Ok();
  }));
  return out;
}

Result<DataPlanePage> Store::ListDataPlanes(int size, const std::string& offset, int64_t now) {
  if (size < 1 || size > 1000) {
    return Status::InvalidArgument("size must be an integer between 1 and 1000");
  }
  std::string after;
  if (!offset.empty()) {
    KONG_ASSIGN_OR_RETURN(after, DecodeOffset(offset));
  }
  KONG_RETURN_IF_ERROR(EnsureSchemaReady());
  DataPlanePage page;
  KONG_RETURN_IF_ERROR(InTransaction(TxnKind::kRead, [&]() -> Status {
    KONG_ASSIGN_OR_RETURN(
        SqlResult r,
        conn_->Exec(std::string(kColumns) +
                        "WHERE id > $1 AND (expires_at IS NULL OR expires_at > $2) "
                        "ORDER BY id LIMIT $3",
                    {after, now, static_cast<int64_t>(size) + 1}, "list data planes"));
    for (size_t i = 0; i < r.rows.size() && i < static_cast<size_t>(size); ++i) {
      KONG_ASSIGN_OR_RETURN(DataPlaneRecord rec, ToRecord(r.rows[i]));
      page.records.push_back(std::move(rec));
    }
    if (r.rows.size() > static_cast<size_t>(size)) {
      page.next_offset = EncodeOffset(page.records.back().id);
    }
    return Status::Ok();
  }));
  return page;
}

Result<int64_t> Store::PurgeExpiredDataPlanes(int64_t now) {
  KONG_RETURN_IF_ERROR(EnsureSchemaReady());
  int64_t purged = 0;
  KONG_RETURN_IF_ERROR(InTransaction(TxnKind::kStatusWrite, [&]() -> Status {
    KONG_ASSIGN_OR_RETURN(SqlResult r, conn_->Exec("DELETE FROM clustering_data_planes WHERE "
                                                   "expires_at IS NOT NULL AND expires_at <= $1",
                                                   {now}, "purge expired data planes"));
    purged = r.affected;
    return Status::Ok();
  }));
  return purged;
}

}  // namespace kong::store
