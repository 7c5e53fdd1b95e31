// A fixed, throwaway EC P-384 certificate (CN=kong_clustering, self-signed) and its key, used
// only by the conf tests. Made once with `openssl req -x509 -newkey ec -pkeyopt
// ec_paramgen_curve:secp384r1 -nodes -subj /CN=kong_clustering`; never use it anywhere else.
#ifndef KONG_TESTS_UNIT_CONF_TEST_PEMS_H_
#define KONG_TESTS_UNIT_CONF_TEST_PEMS_H_

namespace kong::test {

inline constexpr const char kTestCertPem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBxzCCAU6gAwIBAgIUYytHYThXuWRV2XLT6XCjVB3ZvqgwCgYIKoZIzj0EAwIw\n"
    "GjEYMBYGA1UEAwwPa29uZ19jbHVzdGVyaW5nMCAXDTI2MTEyNzA5MDEwNVoYDzIx\n"
    "MjYxMTAzMDkwMTA1WjAaMRgwFgYDVQQDDA9rb25nX2NsdXN0ZXJpbmcwdjAQBgcq\n"
    "hkjOPQIBBgUrgQQAIgNiAAQDaZSZXZqCzzIoZ0a6XcQqLTylgZev7vIo90S7bZAQ\n"
    "Lcgzy1yY2RD3leUYdU3cPO41rIqgVwU7KPC/A0Ngq02D7odDzdRwNfgBAUU8SvyY\n"
    "F1JQXL9eddkGJUsTyOoehUqjUzBRMB0GA1UdDgQWBBTq83t9hC/2RX4emCCoKows\n"
    "+opmKDAfBgNVHSMEGDAWgBTq83t9hC/2RX4emCCoKows+opmKDAPBgNVHRMBAf8E\n"
    "BTADAQH/MAoGCCqGSM49BAMCA2cAMGQCMDCiweF3L4rEJGw/8tLDhXNtM2w2A/En\n"
    "RWUdHZpPmmFgj2EANUFoNIAA/0xX8iuK6gIwZnUjeDowJBG8j48RLjs2hw3m5ZQA\n"
    "SQ6J40rIu3c+qJOothkk9hYzS8b2AHDQ1KW8\n"
    "-----END CERTIFICATE-----\n";

inline constexpr const char kTestKeyPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAW+7W4kFf5o0RMALRd\n"
    "+bW9WKibqOhQn3noqjzDN02wwrTYvCOzGK1yvnhHorPnTBOhZANiAAQDaZSZXZqC\n"
    "zzIoZ0a6XcQqLTylgZev7vIo90S7bZAQLcgzy1yY2RD3leUYdU3cPO41rIqgVwU7\n"
    "KPC/A0Ngq02D7odDzdRwNfgBAUU8SvyYF1JQXL9eddkGJUsTyOoehUo=\n"
    "-----END PRIVATE KEY-----\n";

// The same certificate, DER, base64-encoded (one line).
inline constexpr const char kTestCertDerBase64[] =
    "MIIBxzCCAU6gAwIBAgIUYytHYThXuWRV2XLT6XCjVB3ZvqgwCgYIKoZIzj0EAwIwGjEYMBYGA1UE"
    "AwwPa29uZ19jbHVzdGVyaW5nMCAXDTI2MTEyNzA5MDEwNVoYDzIxMjYxMTAzMDkwMTA1WjAaMRgw"
    "FgYDVQQDDA9rb25nX2NsdXN0ZXJpbmcwdjAQBgcqhkjOPQIBBgUrgQQAIgNiAAQDaZSZXZqCzzIo"
    "Z0a6XcQqLTylgZev7vIo90S7bZAQLcgzy1yY2RD3leUYdU3cPO41rIqgVwU7KPC/A0Ngq02D7odD"
    "zdRwNfgBAUU8SvyYF1JQXL9eddkGJUsTyOoehUqjUzBRMB0GA1UdDgQWBBTq83t9hC/2RX4emCCo"
    "Kows+opmKDAfBgNVHSMEGDAWgBTq83t9hC/2RX4emCCoKows+opmKDAPBgNVHRMBAf8EBTADAQH/"
    "MAoGCCqGSM49BAMCA2cAMGQCMDCiweF3L4rEJGw/8tLDhXNtM2w2A/EnRWUdHZpPmmFgj2EANUFo"
    "NIAA/0xX8iuK6gIwZnUjeDowJBG8j48RLjs2hw3m5ZQASQ6J40rIu3c+qJOothkk9hYzS8b2AHDQ"
    "1KW8";

}  // namespace kong::test

#endif  // KONG_TESTS_UNIT_CONF_TEST_PEMS_H_
