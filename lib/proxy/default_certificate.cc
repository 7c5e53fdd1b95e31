// Kong's fallback proxy certificate, <prefix>/ssl/kong-default.crt and .key.
#include <sys/stat.h>

#include <cerrno>
#include <ctime>

#include "base/files.h"
#include "base/macros.h"
#include "kong/cert_gen.h"
#include "proxy/proxy_certificates.h"
#include "tls/tls_context.h"

namespace kong::proxy {
namespace {

// Kong's gen_default_ssl_cert: CN=localhost, valid for 20 years.
constexpr int kDefaultCertificateDays = 20 * 365;

// The pair on disk if both files read, belong together and are within their validity.
bool UsablePair(const PemPair& pair) {
  auto parsed = tls::TlsCertificate::Parse(pair.cert_pem, pair.key_pem);
  if (!parsed.ok()) return false;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  const tls::CertificateInfo& leaf = (*parsed)->leaf();
  return leaf.not_before <= now && now < leaf.not_after;
}

Status EnsureFolder(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    const int err = errno;
    return base::ErrnoStatus(err, "could not create directory " + path);
  }
  return Status();
}

}  // namespace

Result<PemPair> EnsureDefaultCertificate(const std::string& prefix) {
  if (prefix.empty()) return Status::InvalidArgument("default certificate: prefix is empty");
  const std::string folder = prefix + "/ssl";
  const std::string cert_path = folder + "/kong-default.crt";
  const std::string key_path = folder + "/kong-default.key";

  auto cert = base::ReadFile(cert_path);
  auto key = base::ReadFile(key_path);
  if (cert.ok() && key.ok()) {
    PemPair existing{std::move(cert).value(), std::move(key).value()};
    if (UsablePair(existing)) return existing;
  }
  // Missing, unreadable as a pair, or expired: write a new one over it.
  KONG_RETURN_IF_ERROR(EnsureFolder(prefix));
  KONG_RETURN_IF_ERROR(EnsureFolder(folder));
  CertGenOptions options;
  options.common_name = "localhost";
  options.days = kDefaultCertificateDays;
  KONG_ASSIGN_OR_RETURN(CertPair generated, CertGen::Generate(options));
  // The key first: a crash between the two renames leaves a pair that does not match, which
  // the next start regenerates.
  KONG_RETURN_IF_ERROR(base::AtomicWriteFile(key_path, generated.key_pem, 0600));
  KONG_RETURN_IF_ERROR(base::AtomicWriteFile(cert_path, generated.cert_pem, 0644));
  return PemPair{std::move(generated.cert_pem), std::move(generated.key_pem)};
}

}  // namespace kong::proxy
