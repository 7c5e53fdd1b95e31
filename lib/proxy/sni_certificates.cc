// SniCertificates: Kong's certificates and snis entities, indexed for the SNI callback.
#include <string>
#include <utility>

#include "base/macros.h"
#include "base/text.h"
#include "proxy/flat_entities.h"
#include "proxy/proxy_certificates.h"

namespace kong::proxy {
namespace {

using CertificatePtr = std::shared_ptr<const tls::TlsCertificate>;
using CertificateMap = std::unordered_map<std::string, CertificatePtr>;

// Lower case without the trailing dot: the form names are indexed and looked up in.
std::string NormalizedName(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return base::ToLower(name);
}

// One sni name bound to a certificate; the same name twice must name the same certificate.
Status Bind(CertificateMap& map, std::string key, const std::string& display,
            const CertificatePtr& cert) {
  auto [it, inserted] = map.emplace(std::move(key), cert);
  if (!inserted && it->second != cert) {
    return Status::InvalidArgument("sni " + display + ": bound to two certificates");
  }
  return Status();
}

}  // namespace

Result<std::shared_ptr<const SniCertificates>> SniCertificates::Build(
    const json::Value& flat_config) {
  KONG_ASSIGN_OR_RETURN(const json::Array* certificates,
                        EntityList(flat_config, "certificates"));
  KONG_ASSIGN_OR_RETURN(const json::Array* snis, EntityList(flat_config, "snis"));

  std::shared_ptr<SniCertificates> out(new SniCertificates());
  // Parsed lazily: only certificates some sni points at are needed on the proxy listener
  // (the others serve as client certificates, see UpstreamTlsContexts).
  std::unordered_map<std::string, const json::Value*> by_id = IndexById(*certificates);
  std::unordered_map<std::string, CertificatePtr> parsed;
  auto certificate_for = [&](const std::string& id) -> Result<CertificatePtr> {
    if (auto it = parsed.find(id); it != parsed.end()) return it->second;
    KONG_ASSIGN_OR_RETURN(CertificatePtr cert,
                          ParseCertificateEntity(*by_id.at(id), "certificate " + id));
    parsed.emplace(id, cert);
    return cert;
  };
  auto add = [&](std::string_view name, const CertificatePtr& cert) -> Status {
    std::string display(name);
    std::string key = NormalizedName(name);
    if (key.empty()) return Status::InvalidArgument("sni: empty name");
    if (base::StartsWith(key, "*.")) {
      return Bind(out->prefix_wildcards_, key.substr(2), display, cert);
    }
    if (base::EndsWith(key, ".*")) {
      return Bind(out->suffix_wildcards_, key.substr(0, key.size() - 2), display, cert);
    }
    return Bind(out->exact_, std::move(key), display, cert);
  };

  for (size_t i = 0; i < snis->size(); ++i) {
    const json::Value& sni = (*snis)[i];
    const std::string entity = EntityName("sni", sni, i);
    KONG_ASSIGN_OR_RETURN(std::string name, StringField(sni, "name", entity));
    if (name.empty()) return Status::InvalidArgument(entity + ": name is required");
    std::string cert_id = ReferenceId(sni.Find("certificate"));
    if (cert_id.empty()) {
      return Status::InvalidArgument("sni " + name + ": certificate is required");
    }
    if (by_id.find(cert_id) == by_id.end()) {
      return Status::InvalidArgument("sni " + name + ": certificate " + cert_id +
                                     " does not exist");
    }
    KONG_ASSIGN_OR_RETURN(CertificatePtr cert, certificate_for(cert_id));
    KONG_RETURN_IF_ERROR(add(name, cert));
  }
  // A certificate may also list its names itself (the transient `snis` field of the Admin
  // API and of nested declarative files).
  for (size_t i = 0; i < certificates->size(); ++i) {
    const json::Value& c = (*certificates)[i];
    const json::Value* names = c.Find("snis");
    if (names == nullptr || !names->is_array() || names->as_array().empty()) continue;
    const std::string entity = EntityName("certificate", c, i);
    CertificatePtr cert;
    if (std::string id = EntityId(c); !id.empty()) {
      KONG_ASSIGN_OR_RETURN(cert, certificate_for(id));
    } else {
      KONG_ASSIGN_OR_RETURN(cert, ParseCertificateEntity(c, entity));
    }
    for (const json::Value& n : names->as_array()) {
      const json::Value* name = n.is_object() ? n.Find("name") : &n;
      if (name == nullptr || !name->is_string()) {
        return Status::InvalidArgument(entity + ": snis: expected names");
      }
      KONG_RETURN_IF_ERROR(add(name->as_string(), cert));
    }
  }
  return std::shared_ptr<const SniCertificates>(std::move(out));
}

std::shared_ptr<const tls::TlsCertificate> SniCertificates::Select(
    std::string_view server_name) const {
  const std::string name = NormalizedName(server_name);
  if (name.empty()) return nullptr;
  if (auto it = exact_.find(name); it != exact_.end()) return it->second;
  // Kong's produce_wild_snis: the first label replaced by "*", then the last one.
  if (size_t dot = name.find('.'); dot != std::string::npos) {
    if (auto it = prefix_wildcards_.find(name.substr(dot + 1)); it != prefix_wildcards_.end()) {
      return it->second;
    }
  }
  if (size_t dot = name.rfind('.'); dot != std::string::npos) {
    if (auto it = suffix_wildcards_.find(name.substr(0, dot)); it != suffix_wildcards_.end()) {
      return it->second;
    }
  }
  return nullptr;
}

size_t SniCertificates::size() const {
  return exact_.size() + prefix_wildcards_.size() + suffix_wildcards_.size();
}

}  // namespace kong::proxy
