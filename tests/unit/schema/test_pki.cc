// mbedTLS key and certificate generation for the schema tests.
#include "test_pki.h"

#include <mbedtls/bignum.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/x509_crt.h>

#include <cstring>
#include <stdexcept>
#include <vector>

namespace kong::schema::test {
namespace {

struct Rng {
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  Rng() {
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, nullptr, 0) != 0) {
      throw std::runtime_error("drbg seed");
    }
  }
  ~Rng() {
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
  }
};

std::string WriteKey(mbedtls_pk_context* pk) {
  std::vector<unsigned char> buf(16000);
  if (mbedtls_pk_write_key_pem(pk, buf.data(), buf.size()) != 0) throw std::runtime_error("key pem");
  return std::string(reinterpret_cast<char*>(buf.data()));
}

}  // namespace

std::string EcKeyPem() {
  Rng rng;
  mbedtls_pk_context pk;
  mbedtls_pk_init(&pk);
  mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
  mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk), mbedtls_ctr_drbg_random, &rng.drbg);
  std::string pem = WriteKey(&pk);
  mbedtls_pk_free(&pk);
  return pem;
}

std::string RsaKeyPem() {
  Rng rng;
  mbedtls_pk_context pk;
  mbedtls_pk_init(&pk);
  mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
  mbedtls_rsa_gen_key(mbedtls_pk_rsa(pk), mbedtls_ctr_drbg_random, &rng.drbg, 1024, 65537);
  std::string pem = WriteKey(&pk);
  mbedtls_pk_free(&pk);
  return pem;
}

std::string SelfSignedPem(const std::string& key_pem, bool is_ca, const char* not_before,
                          const char* not_after) {
  Rng rng;
  mbedtls_pk_context pk;
  mbedtls_pk_init(&pk);
  if (mbedtls_pk_parse_key(&pk, reinterpret_cast<const unsigned char*>(key_pem.c_str()),
                           key_pem.size() + 1, nullptr, 0) != 0) {
    throw std::runtime_error("parse key");
  }
  mbedtls_x509write_cert crt;
  mbedtls_x509write_crt_init(&crt);
  mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
  mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
  mbedtls_x509write_crt_set_subject_key(&crt, &pk);
  mbedtls_x509write_crt_set_issuer_key(&crt, &pk);
  mbedtls_x509write_crt_set_subject_name(&crt, "CN=schema-test");
  mbedtls_x509write_crt_set_issuer_name(&crt, "CN=schema-test");
  mbedtls_mpi serial;
  mbedtls_mpi_init(&serial);
  mbedtls_mpi_lset(&serial, 42);
  mbedtls_x509write_crt_set_serial(&crt, &serial);
  mbedtls_x509write_crt_set_validity(&crt, not_before, not_after);
  if (is_ca) mbedtls_x509write_crt_set_basic_constraints(&crt, 1, -1);
  std::vector<unsigned char> buf(16000);
  int rc = mbedtls_x509write_crt_pem(&crt, buf.data(), buf.size(), mbedtls_ctr_drbg_random, &rng.drbg);
  mbedtls_mpi_free(&serial);
  mbedtls_x509write_crt_free(&crt);
  mbedtls_pk_free(&pk);
  if (rc != 0) throw std::runtime_error("cert pem");
  return std::string(reinterpret_cast<char*>(buf.data()));
}

}  // namespace kong::schema::test
