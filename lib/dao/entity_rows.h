// The mapping between a validated Kong entity (JSON) and the store's generic Row: which
// fields become unique keys, refs and tags, and Kong's unique-key objects for 409 bodies.
#ifndef KONG_DAO_ENTITY_ROWS_H_
#define KONG_DAO_ENTITY_ROWS_H_

#include <string>
#include <string_view>
#include <vector>

#include "json/value.h"
#include "schema/field.h"
#include "store/row.h"

namespace kong::dao {

// The store key name under which a schema's composite cache_key is kept unique.
inline constexpr std::string_view kCacheKeyField = "cache_key";

// The unique fields the store indexes for `schema`: unique fields and the endpoint key,
// except those that are part of the cache_key (a target is unique per upstream, not
// globally), then "cache_key" when the schema has one.
std::vector<std::string> StoredUniqueFields(const schema::EntitySchema& schema);

// The foreign fields of `schema` (name, referenced entity).
std::vector<std::pair<std::string, std::string>> ForeignFields(const schema::EntitySchema& schema);

// A complete, validated entity as a Row: id, timestamps, unique keys (null values skipped),
// refs for non-null foreign keys, tags.
store::Row RowFromEntity(const schema::EntitySchema& schema, const json::Value& entity);

// The store's text for a unique value: strings as they are, other values as compact JSON.
std::string UniqueKeyText(const json::Value& value);

// Kong's unique key table for a conflict on `field` ("name" -> {"name":"x"}; "cache_key" ->
// every cache_key field with foreign keys as {"id":...} and nulls kept).
json::Value UniqueKeyObject(const schema::EntitySchema& schema, const json::Value& entity,
                            const std::string& field);

}  // namespace kong::dao

#endif  // KONG_DAO_ENTITY_ROWS_H_
