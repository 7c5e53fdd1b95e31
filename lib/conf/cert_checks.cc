// Certificate properties: loaded and parsed with mbedTLS, errors in Kong 3.x's words.
#include "base/files.h"
#include "conf/address_syntax.h"
#include "conf/validation.h"
#include "pki/pem.h"

namespace kong::conf {
namespace {

using pki::PemKind;

struct Loaded {
  std::string value;  // what GetString shows: the absolute path, or the PEM text
  std::string pem;
};

Result<Loaded> Load(const std::string& raw, PemKind kind) {
  auto pem = pki::LoadPemSource(raw, kind);
  if (!pem.ok()) return pem.status();
  Loaded out;
  out.pem = std::move(pem).value();
  out.value = pki::IsExistingPath(raw) ? CleanAbsolutePath(raw) : out.pem;
  return out;
}

// Loads every item of an array property (ssl_cert and friends).
void LoadList(Value& v, std::string_view name, PemKind kind, std::vector<std::string>& errors) {
  for (std::string& item : v.list) {
    auto loaded = Load(item, kind);
    if (!loaded.ok()) {
      errors.push_back(std::string(name) + ": " + loaded.status().message());
      continue;
    }
    item = std::move(loaded->value);
  }
}

void AbsolutizeExisting(Value& v) {
  for (std::string& item : v.list) {
    if (pki::IsExistingPath(item)) item = CleanAbsolutePath(item);
  }
}

}  // namespace

void CheckTrustedCertificates(ValueMap& values, std::vector<std::string>& errors) {
  Value& v = values["lua_ssl_trusted_certificate"];
  for (std::string& item : v.list) {
    // "system" stays a keyword: the TLS layer maps it to the OS bundle (Kong resolves it here).
    if (item == "system") continue;
    auto loaded = Load(item, PemKind::kCertificate);
    if (!loaded.ok()) {
      errors.push_back("lua_ssl_trusted_certificate: " + loaded.status().message());
      continue;
    }
    item = std::move(loaded->value);
  }
}

void CheckListenerCertificates(ValueMap& values, std::vector<std::string>& errors) {
  for (std::string prefix : {"", "admin_", "admin_gui_", "status_"}) {
    const std::string listen = (prefix.empty() ? "proxy_" : prefix) + "listen";
    Value& certs = values[prefix + "ssl_cert"];
    Value& keys = values[prefix + "ssl_cert_key"];
    if (!ListenHasSsl(ValueOf(values, listen).list)) {
      AbsolutizeExisting(certs);
      AbsolutizeExisting(keys);
      continue;
    }
    const size_t nc = certs.list.size(), nk = keys.list.size();
    if (nc > 0 && nk == 0) {
      errors.push_back(prefix + "ssl_cert_key must be specified");
    } else if (nk > 0 && nc == 0) {
      errors.push_back(prefix + "ssl_cert must be specified");
    } else if (nc != nk) {
      errors.push_back(prefix + "ssl_cert was specified " + std::to_string(nc) + " times while " +
                       prefix + "ssl_cert_key was specified " + std::to_string(nk) + " times");
    }
    LoadList(certs, prefix + "ssl_cert", PemKind::kCertificate, errors);
    LoadList(keys, prefix + "ssl_cert_key", PemKind::kPrivateKey, errors);
  }
}

void CheckClusterCertificates(ValueMap& values, PemMap& pems, bool hybrid,
                              std::vector<std::string>& errors) {
  Value& cert = values["cluster_cert"];
  Value& key = values["cluster_cert_key"];
  Value& ca = values["cluster_ca_cert"];
  if (hybrid && (!cert.set || !key.set)) {
    errors.push_back("cluster certificate and key must be provided to use Hybrid mode");
  }
  struct Item {
    Value& v;
    const char* name;
    PemKind kind;
    bool report;
  };
  const bool pair_given = cert.set && key.set;
  for (Item item : {Item{cert, "cluster_cert", PemKind::kCertificate, hybrid && pair_given},
                    Item{key, "cluster_cert_key", PemKind::kPrivateKey, hybrid && pair_given},
                    Item{ca, "cluster_ca_cert", PemKind::kCertificate, hybrid}}) {
    if (!item.v.set) continue;
    auto loaded = Load(item.v.text, item.kind);
    if (!loaded.ok()) {
      if (item.report) errors.push_back(std::string(item.name) + ": " + loaded.status().message());
      continue;
    }
    item.v.text = std::move(loaded->value);
    pems[item.name] = std::move(loaded->pem);
  }
}

std::string CleanAbsolutePath(std::string_view path) {
  std::string abs = base::AbsolutePath(std::string(path));
  std::string out;
  out.reserve(abs.size());
  for (size_t i = 0; i < abs.size(); ++i) {
    if (abs[i] == '/' && !out.empty() && out.back() == '/') continue;
    if (abs[i] == '.' && !out.empty() && out.back() == '/' &&
        (i + 1 == abs.size() || abs[i + 1] == '/')) {
      ++i;  // skip "./"
      continue;
    }
    out += abs[i];
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace kong::conf
