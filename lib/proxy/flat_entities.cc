// Flat declarative config access shared by the proxy's certificate and upstream TLS builders.
#include "proxy/flat_entities.h"

#include "base/macros.h"

namespace kong::proxy {

Result<const json::Array*> EntityList(const json::Value& flat, std::string_view key) {
  static const json::Array kEmpty;
  const json::Value* list = flat.Find(key);
  if (list == nullptr || list->is_null()) return &kEmpty;
  if (!list->is_array()) return Status::InvalidArgument(std::string(key) + ": expected an array");
  for (size_t i = 0; i < list->as_array().size(); ++i) {
    if (!list->as_array()[i].is_object()) {
      return Status::InvalidArgument(std::string(key) + "[" + std::to_string(i) +
                                     "]: expected an object");
    }
  }
  return &list->as_array();
}

std::string EntityId(const json::Value& entity) {
  const json::Value* id = entity.Find("id");
  return id != nullptr && id->is_string() ? id->as_string() : std::string();
}

std::string EntityName(std::string_view singular, const json::Value& entity, size_t index) {
  std::string id = EntityId(entity);
  if (!id.empty()) return std::string(singular) + " " + id;
  return std::string(singular) + "s[" + std::to_string(index) + "]";
}

std::string ReferenceId(const json::Value* ref) {
  if (ref == nullptr) return "";
  if (ref->is_string()) return ref->as_string();
  if (ref->is_object()) {
    const json::Value* id = ref->Find("id");
    if (id != nullptr && id->is_string()) return id->as_string();
  }
  return "";
}

Result<std::string> StringField(const json::Value& entity, std::string_view field,
                                const std::string& entity_name) {
  const json::Value* v = entity.Find(field);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) {
    return Status::InvalidArgument(entity_name + ": " + std::string(field) +
                                   ": expected a string");
  }
  return v->as_string();
}

Result<std::shared_ptr<const tls::TlsCertificate>> ParseCertificateEntity(
    const json::Value& entity, const std::string& entity_name) {
  KONG_ASSIGN_OR_RETURN(std::string cert, StringField(entity, "cert", entity_name));
  KONG_ASSIGN_OR_RETURN(std::string key, StringField(entity, "key", entity_name));
  KONG_ASSIGN_OR_RETURN(std::string cert_alt, StringField(entity, "cert_alt", entity_name));
  KONG_ASSIGN_OR_RETURN(std::string key_alt, StringField(entity, "key_alt", entity_name));
  if (cert.empty() || key.empty()) {
    return Status::InvalidArgument(entity_name + ": cert and key are required");
  }
  if (cert_alt.empty() != key_alt.empty()) {
    return Status::InvalidArgument(entity_name + ": cert_alt and key_alt go together");
  }
  auto parsed = cert_alt.empty() ? tls::TlsCertificate::Parse(cert, key)
                                 : tls::TlsCertificate::Parse(cert, key, cert_alt, key_alt);
  if (!parsed.ok()) {
    // lib/tls's messages name the part ("private key: cannot parse: ..."), never its bytes.
    return Status::InvalidArgument(entity_name + ": " + parsed.status().message());
  }
  return std::move(parsed).value();
}

std::unordered_map<std::string, const json::Value*> IndexById(const json::Array& list) {
  std::unordered_map<std::string, const json::Value*> out;
  for (const json::Value& entity : list) {
    std::string id = EntityId(entity);
    if (!id.empty()) out.emplace(std::move(id), &entity);
  }
  return out;
}

}  // namespace kong::proxy
