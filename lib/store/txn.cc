// Txn: entity rows and their side tables (unique_keys, refs, tags) in SQL that both backends
// run unchanged. Statements vary only in how many placeholders they have, never in values.
#include "store/txn.h"

#include <algorithm>
#include <unordered_map>

#include "base/macros.h"
#include "store/offset_token.h"

namespace kong::store {
namespace {

// "$first, $first+1, ..., $first+count-1".
std::string Placeholders(size_t first, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i) out += ", ";
    out += "$" + std::to_string(first + i);
  }
  return out;
}

std::vector<std::string> Deduplicated(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& s : items) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

Status ConflictStatus(const Conflict& c) {
  if (c.field == "id") return Status::Conflict("primary key violation on key '{id=\"" + c.value + "\"}'");
  return Status::Conflict("UNIQUE violation detected on '{" + c.field + "=\"" + c.value + "\"}'");
}

Status NotFoundStatus(const std::string& id) {
  return Status::NotFound("could not find the entity with primary key '{id=\"" + id + "\"}'");
}

constexpr char kSelectRow[] = "SELECT e.id, e.body, e.created_at, e.updated_at FROM entities e ";

}  // namespace

Result<SqlResult> Txn::Run(std::string_view sql, const SqlParams& params, std::string_view what) {
  if (!failure_.ok()) return failure_;
  auto r = conn_.Exec(sql, params, what);
  if (!r.ok()) failure_ = r.status();
  return r;
}

Status Txn::CheckWritable(const std::string& entity, std::string_view op) {
  if (!writable_) return Status::Internal(std::string(op) + " " + entity + ": read-only transaction");
  return failure_;
}

Status Txn::ValidateRow(const std::string& entity, const Row& row) {
  if (entity.empty()) return Status::InvalidArgument("entity name must not be empty");
  if (row.id.empty()) return Status::InvalidArgument(entity + " row: id must not be empty");
  for (size_t i = 0; i < row.unique_keys.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (row.unique_keys[i].first == row.unique_keys[j].first) {
        return Status::InvalidArgument(entity + " '" + row.id + "': unique key field '" +
                                       row.unique_keys[i].first + "' given twice");
      }
    }
  }
  for (size_t i = 0; i < row.refs.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (row.refs[i].field == row.refs[j].field) {
        return Status::InvalidArgument(entity + " '" + row.id + "': reference field '" +
                                       row.refs[i].field + "' given twice");
      }
    }
  }
  return Status::Ok();
}

Result<std::vector<Row>> Txn::LoadRows(const std::string& entity, const SqlResult& main) {
  std::vector<Row> rows;
  std::unordered_map<std::string, size_t> index;
  SqlParams ids{entity};
  for (const auto& r : main.rows) {
    Row row;
    row.id = SqlText(r, 0);
    auto body = json::Parse(SqlText(r, 1));
    if (!body.ok()) {
      return Status::Internal("corrupt body of " + entity + " '" + row.id +
                              "': " + body.status().message());
    }
    row.body = std::move(body).value();
    row.created_at = SqlInt(r, 2);
    row.updated_at = SqlInt(r, 3);
    index.emplace(row.id, rows.size());
    ids.push_back(row.id);
    rows.push_back(std::move(row));
  }
  if (rows.empty()) return rows;
  std::string where = " WHERE entity = $1 AND id IN (" + Placeholders(2, rows.size()) + ")";
  KONG_ASSIGN_OR_RETURN(
      SqlResult keys, Run("SELECT id, field, value FROM unique_keys" + where + " ORDER BY id, field",
                          ids, "load unique keys of " + entity));
  for (const auto& r : keys.rows) {
    rows[index.at(SqlText(r, 0))].unique_keys.emplace_back(SqlText(r, 1), SqlText(r, 2));
  }
  KONG_ASSIGN_OR_RETURN(
      SqlResult refs, Run("SELECT id, field, parent_entity, parent_id FROM refs" + where +
                              " ORDER BY id, field",
                          ids, "load references of " + entity));
  for (const auto& r : refs.rows) {
    rows[index.at(SqlText(r, 0))].refs.push_back({SqlText(r, 1), SqlText(r, 2), SqlText(r, 3)});
  }
  KONG_ASSIGN_OR_RETURN(SqlResult tags, Run("SELECT id, tag FROM tags" + where + " ORDER BY id, pos",
                                            ids, "load tags of " + entity));
  for (const auto& r : tags.rows) rows[index.at(SqlText(r, 0))].tags.push_back(SqlText(r, 1));
  return rows;
}

Result<std::optional<Row>> Txn::Get(const std::string& entity, const std::string& id) {
  KONG_ASSIGN_OR_RETURN(SqlResult r,
                        Run(std::string(kSelectRow) + "WHERE e.entity = $1 AND e.id = $2",
                            {entity, id}, "get " + entity + " '" + id + "'"));
  KONG_ASSIGN_OR_RETURN(std::vector<Row> rows, LoadRows(entity, r));
  if (rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows[0]));
}

Result<std::optional<Row>> Txn::GetByKey(const std::string& entity, const std::string& field,
                                         const std::string& value) {
  KONG_ASSIGN_OR_RETURN(
      SqlResult r,
      Run(std::string(kSelectRow) +
              "JOIN unique_keys u ON u.entity = e.entity AND u.id = e.id "
              "WHERE u.entity = $1 AND u.field = $2 AND u.value = $3",
          {entity, field, value}, "get " + entity + " by " + field + " '" + value + "'"));
  KONG_ASSIGN_OR_RETURN(std::vector<Row> rows, LoadRows(entity, r));
  if (rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows[0]));
}

Result<Page> Txn::List(const std::string& entity, const ListQuery& query) {
  if (query.size < 1 || query.size > 1000) {
    return Status::InvalidArgument("size must be an integer between 1 and 1000");
  }
  std::string after;
  if (!query.offset.empty()) {
    KONG_ASSIGN_OR_RETURN(after, DecodeOffset(query.offset));
  }
  // Keyset pagination: "id > last id of the previous page" stays correct while rows are
  // inserted or deleted between pages, and costs the same on page 1 and page 1000.
  std::string sql;
  SqlParams params{entity, after};
  if (query.parent) {
    // Driven by refs_children_idx (entity, field, parent_id, id): a parent's page costs its
    // own children, not a scan of every row of `entity`.
    sql = std::string(kSelectRow) +
          "JOIN refs r ON r.entity = e.entity AND r.id = e.id "
          "WHERE r.entity = $1 AND r.id > $2 AND r.field = $3 AND r.parent_id = $4";
    params.push_back(query.parent->field);
    params.push_back(query.parent->parent_id);
  } else {
    sql = std::string(kSelectRow) + "WHERE e.entity = $1 AND e.id > $2";
  }
  std::vector<std::string> tags = Deduplicated(query.tags);
  if (!tags.empty()) {
    std::string in = Placeholders(params.size() + 1, tags.size());
    for (const auto& t : tags) params.push_back(t);
    if (query.tag_mode == TagMode::kOr) {
      sql += " AND EXISTS (SELECT 1 FROM tags t WHERE t.entity = e.entity AND t.id = e.id"
             " AND t.tag IN (" + in + "))";
    } else {
      sql += " AND (SELECT COUNT(*) FROM tags t WHERE t.entity = e.entity AND t.id = e.id"
             " AND t.tag IN (" + in + ")) = $" + std::to_string(params.size() + 1);
      params.push_back(static_cast<int64_t>(tags.size()));
    }
  }
  // One row more than asked tells whether a next page exists.
  sql += query.parent ? " ORDER BY r.id" : " ORDER BY e.id";
  sql += " LIMIT $" + std::to_string(params.size() + 1);
  params.push_back(static_cast<int64_t>(query.size) + 1);
  KONG_ASSIGN_OR_RETURN(SqlResult r, Run(sql, params, "list " + entity));
  bool more = r.rows.size() > static_cast<size_t>(query.size);
  if (more) r.rows.resize(static_cast<size_t>(query.size));
  Page page;
  KONG_ASSIGN_OR_RETURN(page.rows, LoadRows(entity, r));
  if (more) page.next_offset = EncodeOffset(page.rows.back().id);
  return page;
}

Result<std::vector<Referencing>> Txn::ListReferencing(const std::string& parent_entity,
                                                      const std::string& parent_id) {
  KONG_ASSIGN_OR_RETURN(
      SqlResult r, Run("SELECT entity, id, field FROM refs WHERE parent_entity = $1 AND "
                       "parent_id = $2 ORDER BY entity, id, field",
                       {parent_entity, parent_id},
                       "list references to " + parent_entity + " '" + parent_id + "'"));
  std::vector<Referencing> out;
  for (const auto& row : r.rows) out.push_back({SqlText(row, 0), SqlText(row, 1), SqlText(row, 2)});
  return out;
}

Result<int64_t> Txn::Count(const std::string& entity) {
  KONG_ASSIGN_OR_RETURN(SqlResult r, Run("SELECT COUNT(*) FROM entities WHERE entity = $1",
                                         {entity}, "count " + entity));
  return r.rows.empty() ? int64_t{0} : SqlInt(r.rows[0], 0);
}

Status Txn::ExportAll(const std::vector<std::string>& entities,
                      const std::function<Status(const std::string&, const Row&)>& fn) {
  for (const auto& entity : entities) {
    ListQuery q;
    q.size = 1000;
    for (;;) {
      KONG_ASSIGN_OR_RETURN(Page page, List(entity, q));
      for (const auto& row : page.rows) KONG_RETURN_IF_ERROR(fn(entity, row));
      if (!page.next_offset) break;
      q.offset = *page.next_offset;
    }
  }
  return Status::Ok();
}

Result<int64_t> Txn::ConfigVersion() {
  KONG_ASSIGN_OR_RETURN(SqlResult r, Run("SELECT value FROM meta WHERE key = 'config_version'", {},
                                         "read config_version"));
  if (r.rows.empty()) return Status::Internal("read config_version: no meta row");
  return SqlInt(r.rows[0], 0);
}

Result<std::vector<Change>> Txn::ListChanges(int64_t after_version, int limit) {
  KONG_ASSIGN_OR_RETURN(
      SqlResult r, Run("SELECT version, entity, id, op, at FROM changes WHERE version > $1 "
                       "ORDER BY version, entity, id LIMIT $2",
                       {after_version, static_cast<int64_t>(std::max(limit, 0))},
                       "list changes after version " + std::to_string(after_version)));
  std::vector<Change> out;
  for (const auto& row : r.rows) {
    out.push_back({SqlInt(row, 0), SqlText(row, 1), SqlText(row, 2), SqlText(row, 3), SqlInt(row, 4)});
  }
  return out;
}

Result<std::optional<Conflict>> Txn::FindConflict(const std::string& entity, const Row& row,
                                                  bool for_insert) {
  if (for_insert) {
    KONG_ASSIGN_OR_RETURN(SqlResult r,
                          Run("SELECT 1 FROM entities WHERE entity = $1 AND id = $2",
                              {entity, row.id}, "check " + entity + " '" + row.id + "'"));
    if (!r.rows.empty()) return std::optional<Conflict>(Conflict{"id", row.id});
  }
  for (const auto& [field, value] : row.unique_keys) {
    KONG_ASSIGN_OR_RETURN(
        SqlResult r, Run("SELECT id FROM unique_keys WHERE entity = $1 AND field = $2 AND "
                         "value = $3 AND id <> $4",
                         {entity, field, value, row.id},
                         "check " + entity + " " + field + " '" + value + "'"));
    if (!r.rows.empty()) return std::optional<Conflict>(Conflict{field, value});
  }
  return std::optional<Conflict>();
}

Status Txn::WriteSideTables(const std::string& entity, const Row& row) {
  std::string what = "index " + entity + " '" + row.id + "'";
  for (const auto& [field, value] : row.unique_keys) {
    KONG_RETURN_IF_ERROR(
        Run("INSERT INTO unique_keys (entity, field, value, id) VALUES ($1, $2, $3, $4)",
            {entity, field, value, row.id}, what)
            .status());
  }
  for (const auto& ref : row.refs) {
    KONG_RETURN_IF_ERROR(Run("INSERT INTO refs (entity, id, field, parent_entity, parent_id) "
                             "VALUES ($1, $2, $3, $4, $5)",
                             {entity, row.id, ref.field, ref.parent_entity, ref.parent_id}, what)
                             .status());
  }
  std::vector<std::string> tags = Deduplicated(row.tags);
  for (size_t i = 0; i < tags.size(); ++i) {
    KONG_RETURN_IF_ERROR(
        Run("INSERT INTO tags (entity, id, tag, pos) VALUES ($1, $2, $3, $4)",
            {entity, row.id, tags[i], static_cast<int64_t>(i)}, what)
            .status());
  }
  return Status::Ok();
}

Status Txn::Insert(const std::string& entity, const Row& row) {
  KONG_RETURN_IF_ERROR(CheckWritable(entity, "insert"));
  KONG_RETURN_IF_ERROR(ValidateRow(entity, row));
  KONG_ASSIGN_OR_RETURN(std::optional<Conflict> conflict, FindConflict(entity, row, true));
  if (conflict) return ConflictStatus(*conflict);
  KONG_RETURN_IF_ERROR(Run("INSERT INTO entities (entity, id, body, created_at, updated_at) "
                           "VALUES ($1, $2, $3, $4, $5)",
                           {entity, row.id, json::Serialize(row.body), row.created_at,
                            row.updated_at},
                           "insert " + entity + " '" + row.id + "'")
                           .status());
  KONG_RETURN_IF_ERROR(WriteSideTables(entity, row));
  RecordChange(entity, row.id, "create");
  return Status::Ok();
}

Status Txn::Update(const std::string& entity, const Row& row) {
  KONG_RETURN_IF_ERROR(CheckWritable(entity, "update"));
  KONG_RETURN_IF_ERROR(ValidateRow(entity, row));
  SqlParams key{entity, row.id};
  std::string what = "update " + entity + " '" + row.id + "'";
  KONG_ASSIGN_OR_RETURN(SqlResult found,
                        Run("SELECT 1 FROM entities WHERE entity = $1 AND id = $2", key, what));
  if (found.rows.empty()) return NotFoundStatus(row.id);
  KONG_ASSIGN_OR_RETURN(std::optional<Conflict> conflict, FindConflict(entity, row, false));
  if (conflict) return ConflictStatus(*conflict);
  KONG_RETURN_IF_ERROR(Run("UPDATE entities SET body = $3, created_at = $4, updated_at = $5 "
                           "WHERE entity = $1 AND id = $2",
                           {entity, row.id, json::Serialize(row.body), row.created_at,
                            row.updated_at},
                           what)
                           .status());
  for (const char* table : {"unique_keys", "refs", "tags"}) {
    // Table names are constants of this file.
    KONG_RETURN_IF_ERROR(
        Run(std::string("DELETE FROM ") + table + " WHERE entity = $1 AND id = $2", key, what)
            .status());
  }
  KONG_RETURN_IF_ERROR(WriteSideTables(entity, row));
  RecordChange(entity, row.id, "update");
  return Status::Ok();
}

Status Txn::Delete(const std::string& entity, const std::string& id) {
  KONG_RETURN_IF_ERROR(CheckWritable(entity, "delete"));
  // unique_keys, refs and tags go with the row (ON DELETE CASCADE).
  KONG_ASSIGN_OR_RETURN(SqlResult r, Run("DELETE FROM entities WHERE entity = $1 AND id = $2",
                                         {entity, id}, "delete " + entity + " '" + id + "'"));
  if (r.affected == 0) return NotFoundStatus(id);
  RecordChange(entity, id, "delete");
  return Status::Ok();
}

void Txn::RecordChange(const std::string& entity, const std::string& id, const std::string& op) {
  changed_ = true;
  auto key = std::make_pair(entity, id);
  auto it = std::find_if(changes_.begin(), changes_.end(),
                         [&](const auto& c) { return c.first == key; });
  if (it == changes_.end()) {
    changes_.emplace_back(key, op);
    return;
  }
  // Net effect of several operations on one row within one write.
  const std::string prev = it->second;
  if (prev == "create" && op == "delete") {
    changes_.erase(it);
  } else if (prev == "create") {
    // created then updated: still a creation
  } else if (prev == "delete" && op == "create") {
    it->second = "update";
  } else {
    it->second = op;
  }
}

}  // namespace kong::store
