// The values the store keeps and returns: generic entity rows, list queries and pages,
// change records and data-plane status records.
#ifndef KONG_STORE_ROW_H_
#define KONG_STORE_ROW_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "json/value.h"

namespace kong::store {

// A reference from a row to its parent (a route's `service`): indexed so that the DAO can
// find children of a parent before a delete (restrict or cascade, Kong's rules).
struct Ref {
  std::string field;          // "service"
  std::string parent_entity;  // "services"
  std::string parent_id;

  bool operator==(const Ref&) const = default;
};

// One entity row. The store does not interpret `body`; the other members are what it
// indexes, and the DAO derives them from the body when it writes.
struct Row {
  std::string id;  // primary key, unique per entity, never empty
  json::Value body;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  // (field, value) pairs unique per entity across rows, e.g. {"name", "x"}; one per field.
  std::vector<std::pair<std::string, std::string>> unique_keys;
  std::vector<Ref> refs;          // one per field
  std::vector<std::string> tags;  // order kept; duplicates dropped
};

enum class TagMode {
  kAnd,  // rows carrying every tag (?tags=a,b)
  kOr,   // rows carrying at least one (?tags=a/b)
};

// Children of one parent only: rows whose ref `field` points at `parent_id`.
struct ParentFilter {
  std::string field;
  std::string parent_id;
};

struct ListQuery {
  int size = 100;      // 1..1000, Kong's default and limit
  std::string offset;  // "" for the first page, else a Page::next_offset
  std::vector<std::string> tags;
  TagMode tag_mode = TagMode::kAnd;
  std::optional<ParentFilter> parent;
};

// Rows ordered by id. next_offset is an opaque token for the following page; none on the
// last page.
struct Page {
  std::vector<Row> rows;
  std::optional<std::string> next_offset;
};

// A row that references a parent (ListReferencing).
struct Referencing {
  std::string entity;
  std::string id;
  std::string field;

  bool operator==(const Referencing&) const = default;
};

// One row changed by the write that produced config_version `version`.
struct Change {
  int64_t version = 0;
  std::string entity;
  std::string id;
  std::string op;  // "create", "update" or "delete" (Kong's CRUD event names)
  int64_t at = 0;  // epoch seconds of the commit
};

// A unique key already held by another row (see Txn::FindConflict).
struct Conflict {
  std::string field;  // "id" for the primary key
  std::string value;
};

// One data plane as the CP last saw it (table clustering_data_planes; not configuration,
// so writing it never changes config_version).
struct DataPlaneRecord {
  std::string id;  // the DP's node id
  std::string hostname;
  std::string ip;
  int64_t last_seen = 0;  // epoch seconds
  std::string config_hash;
  std::string version;  // the DP's Kong version
  std::string sync_status = "unknown";
  json::Value labels = json::Value::EmptyObject();
  json::Value cert_details = json::Value::EmptyObject();
  int64_t updated_at = 0;
  // Epoch seconds after which the row is gone (Kong's ttl: last ping plus
  // cluster_data_plane_purge_delay); none keeps it forever.
  std::optional<int64_t> expires_at;
};

struct DataPlanePage {
  std::vector<DataPlaneRecord> records;
  std::optional<std::string> next_offset;
};

}  // namespace kong::store

#endif  // KONG_STORE_ROW_H_
