// kong::CertGen over mbedTLS 2.28: the P-384 self-signed pair that `kong hybrid gen_cert` writes.
#include "kong/cert_gen.h"

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/x509_crt.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string_view>

#include "base/files.h"
#include "base/macros.h"

namespace kong {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
// RFC 5280 ub-common-name.
constexpr size_t kMaxCommonNameLength = 64;
// P-384 scalars and coordinates are 48 bytes.
constexpr size_t kP384Bytes = 48;

Status MbedtlsStatus(int rc, std::string_view what) {
  char text[128];
  mbedtls_strerror(rc, text, sizeof text);
  char code[16];
  std::snprintf(code, sizeof code, "-0x%04x", static_cast<unsigned>(-rc));
  return Status::Tls(std::string(what) + ": " + text + " (" + code + ")");
}

// One DRBG per call: generation is rare, and a private DRBG needs no locking.
class Drbg {
 public:
  Drbg() {
    mbedtls_entropy_init(&entropy_);
    mbedtls_ctr_drbg_init(&drbg_);
  }
  ~Drbg() {
    mbedtls_ctr_drbg_free(&drbg_);
    mbedtls_entropy_free(&entropy_);
  }
  Drbg(const Drbg&) = delete;
  Drbg& operator=(const Drbg&) = delete;

  Status Seed() {
    static constexpr char kPersonalization[] = "libkonghybrid cert_gen";
    int rc = mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_,
                                   reinterpret_cast<const unsigned char*>(kPersonalization),
                                   sizeof kPersonalization - 1);
    if (rc != 0) return MbedtlsStatus(rc, "seeding the random generator");
    return Status();
  }
  mbedtls_ctr_drbg_context* ctx() { return &drbg_; }

 private:
  mbedtls_entropy_context entropy_;
  mbedtls_ctr_drbg_context drbg_;
};

class PkKey {
 public:
  PkKey() { mbedtls_pk_init(&pk_); }
  ~PkKey() { mbedtls_pk_free(&pk_); }
  PkKey(const PkKey&) = delete;
  PkKey& operator=(const PkKey&) = delete;
  mbedtls_pk_context* get() { return &pk_; }

 private:
  mbedtls_pk_context pk_;
};

class CertWriter {
 public:
  CertWriter() {
    mbedtls_x509write_crt_init(&crt_);
    mbedtls_mpi_init(&serial_);
  }
  ~CertWriter() {
    mbedtls_mpi_free(&serial_);
    mbedtls_x509write_crt_free(&crt_);
  }
  CertWriter(const CertWriter&) = delete;
  CertWriter& operator=(const CertWriter&) = delete;
  mbedtls_x509write_cert* get() { return &crt_; }
  mbedtls_mpi* serial() { return &serial_; }

 private:
  mbedtls_x509write_cert crt_;
  mbedtls_mpi serial_;
};

// Wipes a stack buffer that held private key bytes when it goes out of scope.
template <size_t N>
struct SecretBuffer {
  unsigned char bytes[N];
  ~SecretBuffer() { mbedtls_platform_zeroize(bytes, N); }
};

// `t` as X.509 validity text, YYYYMMDDhhmmss in UTC; "" if the year does not fit four digits.
std::string ValidityText(int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm;
  if (gmtime_r(&tt, &tm) == nullptr || tm.tm_year + 1900 > 9999) return "";
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return std::string(buf, n);
}

// mbedTLS reads ',' as the separator between name components; "\," is a literal comma.
std::string EscapeNameValue(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == ',') out += '\\';
    out += c;
  }
  return out;
}

// PKCS#8 PrivateKeyInfo for an EC key, laid out as OpenSSL writes it (what Kong's key file
// holds): version 0, AlgorithmIdentifier {id-ecPublicKey, namedCurve}, and an OCTET STRING of
// the RFC 5915 ECPrivateKey {1, d, [1] publicKey} whose curve parameters are left to the
// AlgorithmIdentifier. mbedTLS 2.28 itself only writes SEC1 ("BEGIN EC PRIVATE KEY").
// Writes backwards from the end of `buf`; returns the length (the DER ends at buf + size) or
// a negative mbedTLS error.
int WritePkcs8Der(mbedtls_ecp_keypair* ec, unsigned char* buf, size_t size) {
  int ret = 0;
  unsigned char* p = buf + size;
  size_t len = 0;

  unsigned char point[1 + 2 * kP384Bytes];
  size_t point_len = 0;
  ret = mbedtls_ecp_point_write_binary(&ec->grp, &ec->Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &point_len,
                                       point, sizeof point);
  if (ret != 0) return ret;
  size_t pub_len = 0;
  MBEDTLS_ASN1_CHK_ADD(pub_len, mbedtls_asn1_write_bitstring(&p, buf, point, point_len * 8));
  MBEDTLS_ASN1_CHK_ADD(pub_len, mbedtls_asn1_write_len(&p, buf, pub_len));
  MBEDTLS_ASN1_CHK_ADD(pub_len,
                       mbedtls_asn1_write_tag(
                           &p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 1));
  len += pub_len;

  SecretBuffer<kP384Bytes> d;
  ret = mbedtls_ecp_write_key(ec, d.bytes, kP384Bytes);
  if (ret != 0) return ret;
  MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_octet_string(&p, buf, d.bytes, kP384Bytes));
  MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_int(&p, buf, 1));
  MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&p, buf, len));
  MBEDTLS_ASN1_CHK_ADD(
      len, mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
  // The ECPrivateKey becomes the privateKey OCTET STRING.
  MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&p, buf, len));
  MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_OCTET_STRING));

  const char* curve_oid = nullptr;
  size_t curve_oid_len = 0;
  ret = mbedtls_oid_get_oid_by_ec_grp(ec->grp.id, &curve_oid, &curve_oid_len);
  if (ret != 0) return ret;
  const char* alg_oid = nullptr;
  size_t alg_oid_len = 0;
  ret = mbedtls_oid_get_oid_by_pk_alg(MBEDTLS_PK_ECKEY, &alg_oid, &alg_oid_len);
  if (ret != 0) return ret;
  size_t par_len = 0;
  MBEDTLS_ASN1_CHK_ADD(par_len, mbedtls_asn1_write_oid(&p, buf, curve_oid, curve_oid_len));
  // The returned length already counts the parameters written above.
  MBEDTLS_ASN1_CHK_ADD(
      len, mbedtls_asn1_write_algorithm_identifier(&p, buf, alg_oid, alg_oid_len, par_len));
  MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_int(&p, buf, 0));
  MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&p, buf, len));
  MBEDTLS_ASN1_CHK_ADD(
      len, mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
  return static_cast<int>(len);
}

Result<std::string> Pkcs8Pem(mbedtls_pk_context* key) {
  SecretBuffer<512> der;
  int len = WritePkcs8Der(mbedtls_pk_ec(*key), der.bytes, sizeof der.bytes);
  if (len < 0) return MbedtlsStatus(len, "encoding the private key as pkcs#8");
  SecretBuffer<1024> pem;
  size_t pem_len = 0;
  int rc = mbedtls_pem_write_buffer("-----BEGIN PRIVATE KEY-----\n", "-----END PRIVATE KEY-----\n",
                                    der.bytes + sizeof der.bytes - len, static_cast<size_t>(len),
                                    pem.bytes, sizeof pem.bytes, &pem_len);
  if (rc != 0) return MbedtlsStatus(rc, "writing the private key as pem");
  // pem_len counts the terminating NUL.
  return std::string(reinterpret_cast<const char*>(pem.bytes), pem_len - 1);
}

// The parent folder of `path`, checked up front so a missing or read-only folder gets a
// message naming it instead of the temporary file AtomicWriteFile would have created.
Status CheckFolderWritable(const std::string& path, const char* what) {
  auto slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    int err = errno;
    return base::ErrnoStatus(err,
                             std::string("cannot write ") + what + " " + path + ": folder " + dir);
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(std::string("cannot write ") + what + " " + path + ": " + dir +
                                   " is not a folder");
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    int err = errno;
    return base::ErrnoStatus(err,
                             std::string("cannot write ") + what + " " + path + ": folder " + dir);
  }
  return Status();
}

}  // namespace

Result<CertPair> CertGen::Generate(const CertGenOptions& options) {
  if (options.days < 1) {
    return Status::InvalidArgument("invalid days: " + std::to_string(options.days) +
                                   " (must be 1 or more)");
  }
  if (options.common_name.empty()) {
    return Status::InvalidArgument("invalid common name: it must not be empty");
  }
  if (options.common_name.size() > kMaxCommonNameLength) {
    return Status::InvalidArgument("invalid common name: '" + options.common_name +
                                   "' is longer than 64 characters");
  }
  int64_t not_before = static_cast<int64_t>(::time(nullptr));
  int64_t not_after = not_before + static_cast<int64_t>(options.days) * kSecondsPerDay;
  std::string not_before_text = ValidityText(not_before);
  std::string not_after_text = ValidityText(not_after);
  if (not_before_text.empty() || not_after_text.empty()) {
    return Status::InvalidArgument("invalid days: " + std::to_string(options.days) +
                                   " (the certificate would expire after the year 9999)");
  }

  Drbg drbg;
  KONG_RETURN_IF_ERROR(drbg.Seed());
  PkKey key;
  int rc = mbedtls_pk_setup(key.get(), mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
  if (rc != 0) return MbedtlsStatus(rc, "setting up an ec key");
  rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP384R1, mbedtls_pk_ec(*key.get()),
                           mbedtls_ctr_drbg_random, drbg.ctx());
  if (rc != 0) return MbedtlsStatus(rc, "generating a secp384r1 key");

  // Kong sets nothing but key, names and validity through OpenSSL, which leaves an X.509 v1
  // certificate with serial 0 and no extensions; mbedTLS 2.28 can write exactly that.
  CertWriter crt;
  std::string name = "CN=" + EscapeNameValue(options.common_name);
  mbedtls_x509write_crt_set_version(crt.get(), MBEDTLS_X509_CRT_VERSION_1);
  mbedtls_x509write_crt_set_md_alg(crt.get(), MBEDTLS_MD_SHA256);
  mbedtls_x509write_crt_set_subject_key(crt.get(), key.get());
  mbedtls_x509write_crt_set_issuer_key(crt.get(), key.get());
  rc = mbedtls_x509write_crt_set_subject_name(crt.get(), name.c_str());
  if (rc != 0) return MbedtlsStatus(rc, "setting subject name " + name);
  rc = mbedtls_x509write_crt_set_issuer_name(crt.get(), name.c_str());
  if (rc != 0) return MbedtlsStatus(rc, "setting issuer name " + name);
  rc = mbedtls_mpi_lset(crt.serial(), 0);
  if (rc == 0) rc = mbedtls_x509write_crt_set_serial(crt.get(), crt.serial());
  if (rc != 0) return MbedtlsStatus(rc, "setting serial number 0");
  rc = mbedtls_x509write_crt_set_validity(crt.get(), not_before_text.c_str(),
                                          not_after_text.c_str());
  if (rc != 0) {
    return MbedtlsStatus(rc, "setting validity " + not_before_text + " to " + not_after_text);
  }
  unsigned char cert_pem[4096];
  rc = mbedtls_x509write_crt_pem(crt.get(), cert_pem, sizeof cert_pem, mbedtls_ctr_drbg_random,
                                 drbg.ctx());
  if (rc != 0) return MbedtlsStatus(rc, "signing the certificate");

  CertPair pair;
  pair.cert_pem = reinterpret_cast<const char*>(cert_pem);
  KONG_ASSIGN_OR_RETURN(pair.key_pem, Pkcs8Pem(key.get()));
  return pair;
}

Status CertGen::WriteFiles(const CertPair& pair, const std::string& cert_path,
                           const std::string& key_path) {
  if (cert_path.empty() || key_path.empty()) {
    return Status::InvalidArgument("both cert and key path needs to be provided");
  }
  if (base::AbsolutePath(cert_path) == base::AbsolutePath(key_path)) {
    return Status::InvalidArgument("cert and key path are the same: " + cert_path);
  }
  // Kong's order and words: the certificate is checked first, then the key.
  for (const std::string* path : {&cert_path, &key_path}) {
    if (base::PathExists(*path)) {
      return Status::Conflict(*path + " already exists.\nWill not overwrite it.");
    }
  }
  KONG_RETURN_IF_ERROR(CheckFolderWritable(cert_path, "certificate"));
  KONG_RETURN_IF_ERROR(CheckFolderWritable(key_path, "key"));

  KONG_RETURN_IF_ERROR(base::AtomicWriteFile(cert_path, pair.cert_pem, 0644, /*exclusive=*/true));
  Status key_status = base::AtomicWriteFile(key_path, pair.key_pem, 0600, /*exclusive=*/true);
  if (!key_status.ok()) {
    // Half a pair is useless and would make the next run refuse to overwrite it.
    ::unlink(cert_path.c_str());
    return key_status;
  }
  return Status();
}

}  // namespace kong
