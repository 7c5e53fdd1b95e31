// Certificate and key sources (path, inline PEM, base64 of PEM) checked with mbedTLS.
#include "pki/pem.h"

#include <mbedtls/base64.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "base/files.h"

namespace kong::pki {
namespace {

constexpr std::string_view kPemArmour = "-----BEGIN";

bool LooksLikePem(std::string_view content) {
  return content.find(kPemArmour) != std::string_view::npos;
}

// mbedTLS parses PEM only from a NUL-terminated buffer whose length counts the NUL; DER is
// given with its exact length.
size_t ParseLength(const std::string& content) {
  return LooksLikePem(content) ? content.size() + 1 : content.size();
}

#if MBEDTLS_VERSION_MAJOR >= 3
// 3.x wants an RNG for RSA blinding while checking a key.
int RandomBytes(void*, unsigned char* out, size_t len) noexcept {
  while (len > 0) {
    ssize_t n = ::getrandom(out, len, 0);
    if (n < 0) return -1;
    out += n;
    len -= static_cast<size_t>(n);
  }
  return 0;
}
#endif

int ParseKey(mbedtls_pk_context* pk, const std::string& content) {
  const auto* buf = reinterpret_cast<const unsigned char*>(content.c_str());
#if MBEDTLS_VERSION_MAJOR >= 3
  return mbedtls_pk_parse_key(pk, buf, ParseLength(content), nullptr, 0, &RandomBytes, nullptr);
#else
  return mbedtls_pk_parse_key(pk, buf, ParseLength(content), nullptr, 0);
#endif
}

// Parses a certificate chain; true when at least one certificate parsed (a bundle may hold
// entries mbedTLS does not support, as OpenSSL-based Kong tolerates too).
bool ParseCerts(mbedtls_x509_crt* crt, const std::string& content) {
  int rc = mbedtls_x509_crt_parse(crt, reinterpret_cast<const unsigned char*>(content.c_str()),
                                  ParseLength(content));
  return rc >= 0 && crt->raw.p != nullptr;
}

std::optional<std::string> CertsToPem(const std::string& content) {
  mbedtls_x509_crt crt;
  mbedtls_x509_crt_init(&crt);
  std::optional<std::string> out;
  if (ParseCerts(&crt, content)) {
    if (LooksLikePem(content)) {
      out = content;
    } else {
      std::string pem;
      bool ok = true;
      for (const mbedtls_x509_crt* c = &crt; c != nullptr && c->raw.p != nullptr; c = c->next) {
        std::vector<unsigned char> buf(c->raw.len * 2 + 128);
        size_t olen = 0;
        if (mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n",
                                     c->raw.p, c->raw.len, buf.data(), buf.size(), &olen) != 0) {
          ok = false;
          break;
        }
        pem.append(reinterpret_cast<const char*>(buf.data()));
      }
      if (ok) out = std::move(pem);
    }
  }
  mbedtls_x509_crt_free(&crt);
  return out;
}

std::optional<std::string> KeyToPem(const std::string& content) {
  mbedtls_pk_context pk;
  mbedtls_pk_init(&pk);
  std::optional<std::string> out;
  if (ParseKey(&pk, content) == 0) {
    if (LooksLikePem(content)) {
      out = content;
    } else {
      std::vector<unsigned char> buf(16384);
      if (mbedtls_pk_write_key_pem(&pk, buf.data(), buf.size()) == 0) {
        out = std::string(reinterpret_cast<const char*>(buf.data()));
      }
      mbedtls_platform_zeroize(buf.data(), buf.size());
    }
  }
  mbedtls_pk_free(&pk);
  return out;
}

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '=';
}

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view text) {
  if (text.empty()) return std::nullopt;
  size_t needed = 0;
  const auto* src = reinterpret_cast<const unsigned char*>(text.data());
  int rc = mbedtls_base64_decode(nullptr, 0, &needed, src, text.size());
  if (rc != 0 && rc != MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL) return std::nullopt;
  if (needed == 0) return std::nullopt;
  std::string out(needed, '\0');
  size_t written = 0;
  if (mbedtls_base64_decode(reinterpret_cast<unsigned char*>(out.data()), out.size(), &written, src,
                            text.size()) != 0 ||
      written == 0) {
    return std::nullopt;
  }
  out.resize(written);
  return out;
}

bool IsExistingPath(std::string_view value) {
  if (value.empty() || value.find('\0') != std::string_view::npos) return false;
  struct stat st;
  return ::stat(std::string(value).c_str(), &st) == 0;
}

std::string SourceName(std::string_view value) {
  if (value.find('\n') != std::string_view::npos || value.find("-----") != std::string_view::npos) {
    return "<inline PEM>";
  }
  // Base64 content is never echoed, even when it fails to decode (a truncated key). Short
  // base64-looking words ("garbage", "certs/clusterkey") read as the paths they probably are.
  const bool all_base64 =
      std::all_of(value.begin(), value.end(), [](char c) { return IsBase64Char(c); });
  if (all_base64) {
    auto decoded = DecodeBase64(value);
    if (value.size() > 32 || (decoded && LooksLikePem(*decoded))) return "<base64 PEM>";
  }
  return std::string(value);
}

bool ParsesAs(std::string_view content, PemKind kind) {
  std::string copy(content);
  bool ok =
      kind == PemKind::kCertificate ? CertsToPem(copy).has_value() : KeyToPem(copy).has_value();
  mbedtls_platform_zeroize(copy.data(), copy.size());
  return ok;
}

Result<std::string> LoadPemSource(std::string_view value, PemKind kind) {
  const char* what = kind == PemKind::kCertificate ? "certificate" : "key";
  const bool is_path = IsExistingPath(value);
  auto fail = [&] {
    // A path is safe to print whatever its spelling; content goes through SourceName.
    return Status::InvalidArgument(std::string("failed loading ") + what + " from " +
                                   (is_path ? std::string(value) : SourceName(value)));
  };
  std::string content;
  if (is_path) {
    auto file = base::ReadFile(std::string(value));
    if (!file.ok()) return fail();
    content = std::move(file).value();
  } else if (auto decoded = DecodeBase64(value)) {
    content = std::move(*decoded);
  } else {
    content = std::string(value);
  }
  std::optional<std::string> pem =
      kind == PemKind::kCertificate ? CertsToPem(content) : KeyToPem(content);
  mbedtls_platform_zeroize(content.data(), content.size());
  if (!pem) return fail();
  // Values read from kong.conf or the environment lost their final line break when trimmed.
  if (!pem->empty() && pem->back() != '\n') pem->push_back('\n');
  return std::move(*pem);
}

}  // namespace kong::pki
