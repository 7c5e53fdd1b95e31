// Kong's deterministic declarative ids: RFC 4122 version 5 (SHA-1) UUIDs in a Kong namespace.
#include <array>
#include <cstdio>
#include <optional>
#include <string>

#include "base/macros.h"
#include "base/text.h"
#include "declarative/declarative.h"
#include "declarative/entity_id.h"
#include "pki/digest.h"

namespace kong::declarative {
namespace {

// declarative_config.lua's uuid_generators._entities namespace.
constexpr char kEntitiesNamespace[] = "fd02801f-0957-4a15-a55a-c8d9606f30b5";

// REQUIRES: `ns` is a UUID in 8-4-4-4-12 form (only our own constants and outputs are passed).
std::string UuidV5(std::string_view ns, std::string_view name) {
  std::string input;
  for (size_t i = 0; i + 1 < ns.size(); ++i) {
    if (ns[i] == '-') continue;
    input += static_cast<char>(base::HexDigitValue(ns[i]) * 16 + base::HexDigitValue(ns[i + 1]));
    ++i;
  }
  KONG_DCHECK(input.size() == 16);
  input.append(name);
  std::array<unsigned char, 20> digest = pki::Sha1(input);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6],
                digest[7], digest[8], digest[9], digest[10], digest[11], digest[12], digest[13],
                digest[14], digest[15]);
  return out;
}

}  // namespace

std::string DeterministicId(std::string_view entity, std::string_view key) {
  return UuidV5(UuidV5(kEntitiesNamespace, entity), key);
}

bool EndpointKeyUnique(const schema::EntitySchema& s) {
  if (s.endpoint_key.empty()) return false;
  for (const std::string& k : s.cache_key) {
    if (k == s.endpoint_key) return false;
  }
  return true;
}

std::optional<std::string> DeterministicIdKey(const schema::EntitySchema& s,
                                              const json::Value& item,
                                              const std::string& parent_id,
                                              const std::string& child_key) {
  auto text = [](const json::Value& v) { return v.is_string() ? v.as_string() : json::Serialize(v); };
  if (s.primary_key.size() != 1) return std::nullopt;
  const schema::Field* pk = s.Find(s.primary_key[0]);
  if (!pk || !pk->uuid) return std::nullopt;
  const json::Value* ek = s.endpoint_key.empty() ? nullptr : item.Find(s.endpoint_key);
  if (ek && !ek->is_null()) {
    std::string key = text(*ek);
    if (!EndpointKeyUnique(s)) {
      // Unique only within its parent (targets in an upstream): add the parent's key.
      for (const auto& nf : s.fields) {
        if (nf.field.type != schema::FieldType::kForeign || nf.field.on_delete != "cascade") {
          continue;
        }
        if (!child_key.empty()) {
          key += ":" + parent_id;
        } else if (const json::Value* fk = item.Find(nf.name); fk && fk->is_string()) {
          key += ":" + fk->as_string();
        }
      }
    }
    return key;
  }
  if (s.cache_key.empty()) return std::nullopt;
  std::string ck = s.name;
  for (const std::string& k : s.cache_key) {
    const schema::Field* f = s.Find(k);
    if (!f || f->auto_generated) return std::nullopt;
    const json::Value* v = item.Find(k);
    // As in Lua: a string joins the key, an absent value joins as the parent's id (the
    // nested parent field) or "" (optional), and any other value (a table) adds nothing.
    if (v && v->is_string()) {
      ck += ":" + v->as_string();
    } else if (!v) {
      if (k == child_key) {
        ck += ":" + parent_id;
      } else if (f->required.value_or(false)) {
        return std::nullopt;
      } else {
        ck += ":";
      }
    }
  }
  return ck;
}

}  // namespace kong::declarative
