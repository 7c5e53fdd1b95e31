// Test-only TLS material for the certificate schemas: fresh keys and self-signed certificates
// made with mbedTLS, so tests never depend on fixtures that expire.
#ifndef KONG_TESTS_UNIT_SCHEMA_TEST_PKI_H_
#define KONG_TESTS_UNIT_SCHEMA_TEST_PKI_H_

#include <string>

namespace kong::schema::test {

std::string EcKeyPem();
std::string RsaKeyPem();
// A self-signed certificate for `key_pem`; validity strings are "YYYYMMDDhhmmss" (UTC).
std::string SelfSignedPem(const std::string& key_pem, bool is_ca,
                          const char* not_before = "20200101000000",
                          const char* not_after = "20991231235959");

}  // namespace kong::schema::test

#endif  // KONG_TESTS_UNIT_SCHEMA_TEST_PKI_H_
