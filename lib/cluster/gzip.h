// gzip (RFC 1952) framing of reconfigure payloads, with a size cap on inflation.
#ifndef KONG_CLUSTER_GZIP_H_
#define KONG_CLUSTER_GZIP_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "kong/status.h"

namespace kong::cluster {

// Deflates `data` into one gzip member, as Kong's kong.tools.gzip deflate_gzip does.
Result<std::string> GzipCompress(std::string_view data);

// Inflates one gzip member. Stops as soon as the output would exceed `max_output` bytes
// (cluster_max_payload), so a small zip bomb cannot allocate more than that: kInvalidArgument
// "payload too big". Truncated or corrupt input, or trailing bytes: kInvalidArgument.
Result<std::string> GzipDecompress(std::string_view gzip, size_t max_output);

}  // namespace kong::cluster

#endif  // KONG_CLUSTER_GZIP_H_
