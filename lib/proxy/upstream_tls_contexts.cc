// UpstreamTlsContexts: the client TLS contexts towards https/grpcs/tls services.
#include <map>
#include <string>
#include <utility>

#include "base/macros.h"
#include "proxy/flat_entities.h"
#include "proxy/proxy_certificates.h"

namespace kong::proxy {
namespace {

bool IsTlsProtocol(std::string_view protocol) {
  return protocol == "https" || protocol == "grpcs" || protocol == "tls";
}

// What makes two services' contexts differ.
struct UpstreamTls {
  bool verify = false;
  int verify_depth = -1;
  std::string ca_ids;  // ca_certificates ids in order, ',' separated
  std::string client_certificate_id;

  std::string Key() const {
    return (verify ? "1|" : "0|") + std::to_string(verify_depth) + "|" + ca_ids + "|" +
           client_certificate_id;
  }
};

class Builder {
 public:
  Builder(const UpstreamTlsDefaults& defaults, const json::Array& certificates,
          const json::Array& ca_certificates)
      : defaults_(defaults),
        certificates_(IndexById(certificates)),
        ca_certificates_(IndexById(ca_certificates)) {}

  Result<std::shared_ptr<const tls::TlsContext>> ForService(const json::Value& service,
                                                            const std::string& name) {
    KONG_ASSIGN_OR_RETURN(UpstreamTls wanted, Read(service, name));
    std::string key = wanted.Key();
    if (auto it = contexts_.find(key); it != contexts_.end()) return it->second;
    tls::TlsContextOptions o;
    o.role = tls::TlsRole::kClient;
    o.verify = wanted.verify ? tls::VerifyMode::kRequired : tls::VerifyMode::kNone;
    o.verify_depth = wanted.verify_depth;
    if (wanted.verify) {
      KONG_ASSIGN_OR_RETURN(o.ca_pem, CaPem(service, name));
      if (o.ca_pem.empty()) {
        return Status::InvalidArgument(
            name + ": tls_verify needs trusted certificates: set ca_certificates or "
                   "lua_ssl_trusted_certificate");
      }
    }
    if (!wanted.client_certificate_id.empty()) {
      const json::Value& cert = *certificates_.at(wanted.client_certificate_id);
      const std::string cert_name = "certificate " + wanted.client_certificate_id;
      KONG_ASSIGN_OR_RETURN(o.cert_chain_pem, StringField(cert, "cert", cert_name));
      KONG_ASSIGN_OR_RETURN(o.key_pem, StringField(cert, "key", cert_name));
    }
    auto context = tls::TlsContext::Create(std::move(o));
    if (!context.ok()) return Status::InvalidArgument(name + ": " + context.status().message());
    contexts_.emplace(std::move(key), *context);
    return std::move(context).value();
  }

 private:
  Result<UpstreamTls> Read(const json::Value& service, const std::string& name) const {
    UpstreamTls out;
    out.verify = defaults_.verify_by_default;
    if (const json::Value* v = service.Find("tls_verify"); v != nullptr && !v->is_null()) {
      if (!v->is_bool()) return Status::InvalidArgument(name + ": tls_verify: expected a boolean");
      out.verify = v->as_bool();
    }
    if (const json::Value* v = service.Find("tls_verify_depth"); v != nullptr && !v->is_null()) {
      if (!v->is_int() || v->as_int() < 0 || v->as_int() > 64) {
        return Status::InvalidArgument(name + ": tls_verify_depth: expected an integer 0..64");
      }
      if (out.verify) out.verify_depth = static_cast<int>(v->as_int());
    }
    if (out.verify) {
      if (const json::Value* v = service.Find("ca_certificates"); v != nullptr && !v->is_null()) {
        if (!v->is_array()) return Status::InvalidArgument(name + ": ca_certificates: expected an array");
        for (const json::Value& id : v->as_array()) {
          if (!id.is_string()) {
            return Status::InvalidArgument(name + ": ca_certificates: expected ids");
          }
          if (ca_certificates_.find(id.as_string()) == ca_certificates_.end()) {
            return Status::InvalidArgument(name + ": ca_certificate " + id.as_string() +
                                           " does not exist");
          }
          if (!out.ca_ids.empty()) out.ca_ids += ',';
          out.ca_ids += id.as_string();
        }
      }
    }
    const json::Value* client = service.Find("client_certificate");
    if (client != nullptr && !client->is_null()) {
      out.client_certificate_id = ReferenceId(client);
      if (out.client_certificate_id.empty()) {
        return Status::InvalidArgument(name + ": client_certificate: expected {\"id\": \"...\"}");
      }
      if (certificates_.find(out.client_certificate_id) == certificates_.end()) {
        return Status::InvalidArgument(name + ": client_certificate " +
                                       out.client_certificate_id + " does not exist");
      }
    }
    return out;
  }

  // The service's ca_certificates as one PEM bundle, else the kong.conf trust store.
  Result<std::string> CaPem(const json::Value& service, const std::string& name) const {
    const json::Value* ids = service.Find("ca_certificates");
    if (ids == nullptr || !ids->is_array() || ids->as_array().empty()) {
      return defaults_.trusted_ca_pem;
    }
    std::string pem;
    for (const json::Value& id : ids->as_array()) {
      const std::string ca_name = "ca_certificate " + id.as_string();
      KONG_ASSIGN_OR_RETURN(std::string cert,
                            StringField(*ca_certificates_.at(id.as_string()), "cert", ca_name));
      if (cert.empty()) return Status::InvalidArgument(name + ": " + ca_name + ": cert is empty");
      pem += cert;
      if (pem.back() != '\n') pem += '\n';
    }
    return pem;
  }

  const UpstreamTlsDefaults& defaults_;
  std::unordered_map<std::string, const json::Value*> certificates_;
  std::unordered_map<std::string, const json::Value*> ca_certificates_;
  std::map<std::string, std::shared_ptr<const tls::TlsContext>> contexts_;
};

}  // namespace

Result<std::shared_ptr<const UpstreamTlsContexts>> UpstreamTlsContexts::Build(
    const json::Value& flat_config, const UpstreamTlsDefaults& defaults) {
  KONG_ASSIGN_OR_RETURN(const json::Array* services, EntityList(flat_config, "services"));
  KONG_ASSIGN_OR_RETURN(const json::Array* certificates, EntityList(flat_config, "certificates"));
  KONG_ASSIGN_OR_RETURN(const json::Array* cas, EntityList(flat_config, "ca_certificates"));
  Builder builder(defaults, *certificates, *cas);
  std::shared_ptr<UpstreamTlsContexts> out(new UpstreamTlsContexts());
  for (size_t i = 0; i < services->size(); ++i) {
    const json::Value& service = (*services)[i];
    const std::string name = EntityName("service", service, i);
    KONG_ASSIGN_OR_RETURN(std::string protocol, StringField(service, "protocol", name));
    if (!IsTlsProtocol(protocol)) continue;
    std::string id = EntityId(service);
    if (id.empty()) return Status::InvalidArgument(name + ": missing id");
    KONG_ASSIGN_OR_RETURN(auto context, builder.ForService(service, name));
    out->by_service_.emplace(std::move(id), std::move(context));
  }
  return std::shared_ptr<const UpstreamTlsContexts>(std::move(out));
}

std::shared_ptr<const tls::TlsContext> UpstreamTlsContexts::ForService(
    std::string_view service_id) const {
  auto it = by_service_.find(std::string(service_id));
  return it == by_service_.end() ? nullptr : it->second;
}

}  // namespace kong::proxy
