// CertificateInfo from mbedTLS's X.509 parser: fingerprint, subject CN and validity.
#include "tls/certificate_info.h"

#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>
#include <time.h>

#include <cstdio>
#include <cstring>

#include "tls/mbedtls_compat.h"
#include "tls/mbedtls_error.h"
#include "tls/pem_text.h"

namespace kong::tls {
namespace {

int64_t UnixSeconds(const mbedtls_x509_time& t) {
  struct tm tm = {};
  tm.tm_year = t.year - 1900;
  tm.tm_mon = t.mon - 1;
  tm.tm_mday = t.day;
  tm.tm_hour = t.hour;
  tm.tm_min = t.min;
  tm.tm_sec = t.sec;
  return static_cast<int64_t>(timegm(&tm));
}

std::string SubjectCn(const mbedtls_x509_name* name) {
  for (; name != nullptr; name = name->next) {
    if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &name->oid) == 0) {
      return std::string(reinterpret_cast<const char*>(name->val.p), name->val.len);
    }
  }
  return "";
}

CertificateInfo Describe(const mbedtls_x509_crt& crt) {
  CertificateInfo info;
  info.der.assign(reinterpret_cast<const char*>(crt.raw.p), crt.raw.len);
  unsigned char digest[32];
  compat::Sha256(crt.raw.p, crt.raw.len, digest);
  static constexpr char kHex[] = "0123456789abcdef";
  info.sha256_hex.reserve(64);
  for (unsigned char b : digest) {
    info.sha256_hex += kHex[b >> 4];
    info.sha256_hex += kHex[b & 15];
  }
  info.subject_cn = SubjectCn(&crt.subject);
  info.not_before = UnixSeconds(crt.valid_from);
  info.not_after = UnixSeconds(crt.valid_to);
  return info;
}

class ParsedCrt {
 public:
  ParsedCrt() { mbedtls_x509_crt_init(&crt_); }
  ~ParsedCrt() { mbedtls_x509_crt_free(&crt_); }
  ParsedCrt(const ParsedCrt&) = delete;
  ParsedCrt& operator=(const ParsedCrt&) = delete;
  mbedtls_x509_crt* get() { return &crt_; }

 private:
  mbedtls_x509_crt crt_;
};

}  // namespace

Result<CertificateInfo> DescribeDer(std::string_view der) {
  ParsedCrt crt;
  int rc = mbedtls_x509_crt_parse_der(crt.get(), reinterpret_cast<const unsigned char*>(der.data()),
                                      der.size());
  if (rc != 0) return MbedtlsError(rc, "parse peer certificate");
  return Describe(*crt.get());
}

Result<CertificateInfo> DescribeCertificate(std::string_view pem_or_der, std::string_view what) {
  ParsedCrt crt;
  int rc = ParseCertificates(crt.get(), pem_or_der);
  if (rc != 0) {
    return Status::InvalidArgument("cannot parse " + std::string(what) + ": " +
                                   MbedtlsErrorText(rc));
  }
  return Describe(*crt.get());
}

std::string FormatUtc(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  if (gmtime_r(&t, &tm) == nullptr) return std::to_string(unix_seconds);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace kong::tls
