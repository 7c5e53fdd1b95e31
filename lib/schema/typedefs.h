// Kong's typedefs (kong/db/schema/typedefs.lua): reusable field definitions with Kong's
// validation messages. Combine with Overlay() to add attributes, as Kong's `typedefs.x { ... }`.
#ifndef KONG_SCHEMA_TYPEDEFS_H_
#define KONG_SCHEMA_TYPEDEFS_H_

#include <string>
#include <vector>

#include "schema/field.h"

namespace kong::schema::typedefs {

// constants.PROTOCOLS, sorted: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp.
const std::vector<std::string>& AllProtocols();
// The http-subsystem protocols, sorted: grpc, grpcs, http, https.
const std::vector<std::string>& HttpProtocols();

Field Uuid();              // string, uuid, auto
Field AutoTimestampS();    // integer seconds, auto
Field AutoTimestampMs();   // number seconds with millisecond precision, auto
Field Name();              // "invalid value 'x': it must only contain alphanumeric and '., -, _, ~' characters"
Field Utf8Name();          // "... the only accepted ascii characters are alphanumerics or ., -, _, and ~"
Field Host();              // "invalid value: x" / "must not have a port"
Field HostWithOptionalPort();
Field WildcardHost();      // snis: "*.x" / "x.*"; "must not be an IP", "must not have a port"
Field Sni();               // plain SNI name
Field Ip();                // "not an ip address: x"
Field IpOrCidr();          // "invalid ip or cidr range: 'x'"
Field CidrV4();            // "invalid ipv4 cidr range: 'x'"
Field Port();              // integer 0..65535
Field Path();              // "should start with: /", "must not have empty segments", RFC 3986
Field Url();               // "missing host in url", "missing scheme in url"
Field HeaderName();        // "bad header name 'x', allowed characters are ..."
Field CookieName();        // "bad cookie name 'x', allowed characters are ..."
Field Timeout();           // integer 0..2^31-2
Field Protocol();          // one of AllProtocols()
Field Protocols();         // set, required, default HttpProtocols(), elements Protocol()
Field ProtocolsHttp();     // as Protocols() with elements limited to HttpProtocols()
Field Tag();               // "invalid tag 'x': expected printable ascii (except `,` and `/`) or ..."
Field Tags();              // set of Tag()
Field Certificate();       // PEM certificate: "invalid certificate: <reason>"
Field Key();               // PEM private key: "invalid key: <reason>"
Field HttpMethod();        // "^%u+$"
Field Methods();
Field Hosts();             // route hosts with wildcards and optional ports
Field RouterPath();        // "/prefix" or "~/regex"
Field RouterPaths();
Field Headers();           // map of header name -> array of strings
Field Sources();           // set of {ip, port}, at least one of them
Field Destinations();
Field NoConsumer();        // foreign consumers, eq = null
Field NoRoute();
Field NoService();
Field SemanticVersion();   // "invalid version number: must be in format of X.Y.Z"

// The custom validators, exposed for reuse (nullopt when valid, else Kong's message).
std::optional<std::string> ValidateHost(const std::string& host);
std::optional<std::string> ValidateWildcardHost(const std::string& host);
std::optional<std::string> ValidatePath(const std::string& path, bool* percent_error);
std::optional<std::string> ValidateUtf8(const std::string& s);

}  // namespace kong::schema::typedefs

#endif  // KONG_SCHEMA_TYPEDEFS_H_
