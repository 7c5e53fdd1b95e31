// Identifiers and timestamps for entities: UUID v4 from the kernel CSPRNG, Kong's auto
// timestamps (integer seconds; targets use seconds with millisecond precision).
#ifndef KONG_SCHEMA_UUID_H_
#define KONG_SCHEMA_UUID_H_

#include <string>
#include <string_view>

namespace kong::schema {

// A random (version 4, RFC 4122 variant) UUID in lower-case 8-4-4-4-12 form. Uses getrandom(2),
// the kernel CSPRNG; it blocks only before the pool is initialised at early boot.
std::string NewUuidV4();

// 32 random alphanumeric characters from the same CSPRNG: Kong's random_string(), the value of
// auto-generated string fields (key-auth keys).
std::string NewRandomKey();

// 8-4-4-4-12 hex digits in any case (Kong's uuid validator).
bool IsUuid(std::string_view s);

// Seconds since the epoch from the system clock, with sub-second precision.
double NowSeconds();

}  // namespace kong::schema

#endif  // KONG_SCHEMA_UUID_H_
