// Kong's deterministic declarative ids: which name an entity's id is derived from.
#ifndef KONG_DECLARATIVE_ENTITY_ID_H_
#define KONG_DECLARATIVE_ENTITY_ID_H_

#include <optional>
#include <string>

#include "json/value.h"
#include "schema/field.h"

namespace kong::declarative {

// Whether the endpoint key is unique across the whole table. Our schemas treat the endpoint
// key as unique (Kong's select_by_<key>) unless it is part of the cache key, which makes it
// unique only with its parent (targets within an upstream).
bool EndpointKeyUnique(const schema::EntitySchema& s);

// declarative_config.lua get_key_for_uuid_gen / build_cache_key: the name an entity's id is
// derived from (DeterministicId(entity, name)), or nullopt when there is none (the id is then
// random). `child_key` is the field holding the parent's id for a nested entity, "" at the
// top level; `parent_id` the parent's id.
std::optional<std::string> DeterministicIdKey(const schema::EntitySchema& s,
                                              const json::Value& item,
                                              const std::string& parent_id,
                                              const std::string& child_key);

}  // namespace kong::declarative

#endif  // KONG_DECLARATIVE_ENTITY_ID_H_
