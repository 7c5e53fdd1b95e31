// Reading Kong entities out of the flat declarative config ({"services":[...], ...}) for the
// proxy's TLS material: lists, references and string fields, with errors naming the entity.
#ifndef KONG_PROXY_FLAT_ENTITIES_H_
#define KONG_PROXY_FLAT_ENTITIES_H_

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "json/value.h"
#include "kong/status.h"
#include "tls/tls_context.h"

namespace kong::proxy {

// The entities under `key` (empty when absent or null); kInvalidArgument when not an array of
// objects.
Result<const json::Array*> EntityList(const json::Value& flat, std::string_view key);

// "certificate 7c9f..." (or "certificates[2]" when the entity has no id), for messages.
std::string EntityName(std::string_view singular, const json::Value& entity, size_t index);

// The entity's `id`; "" when it has none.
std::string EntityId(const json::Value& entity);

// A foreign key as written in the flat form, {"id": "..."} or a plain id string; "" when
// absent, null, or without an id.
std::string ReferenceId(const json::Value* ref);

// A string field, "" when absent or null; kInvalidArgument naming `entity_name.field` when it
// holds something else.
Result<std::string> StringField(const json::Value& entity, std::string_view field,
                                const std::string& entity_name);

// A `certificates` entity's cert/key (with cert_alt/key_alt when given), parsed. Errors name
// `entity_name` and the field, never the key material.
Result<std::shared_ptr<const tls::TlsCertificate>> ParseCertificateEntity(
    const json::Value& entity, const std::string& entity_name);

// The entities of `list` by id.
std::unordered_map<std::string, const json::Value*> IndexById(const json::Array& list);

}  // namespace kong::proxy

#endif  // KONG_PROXY_FLAT_ENTITIES_H_
