// Request framing for upstream connections: the head in one buffer, chunk headers.
#ifndef KONG_UPSTREAM_REQUEST_FRAMING_H_
#define KONG_UPSTREAM_REQUEST_FRAMING_H_

#include <cstddef>
#include <string>

#include "upstream/connection_pool.h"

namespace kong::upstream {

// "<METHOD> <target> HTTP/1.1\r\n" + headers + "\r\n", sized up front so it costs one
// allocation. For Body::kChunked, Transfer-Encoding and Content-Length fields of `head` are
// replaced by "Transfer-Encoding: chunked"; otherwise the fields go out as given.
// `extra_capacity` reserves room for body bytes appended afterwards (one write).
std::string SerializeRequestHead(const UpstreamRequestHead& head, size_t extra_capacity = 0);

// Appends the chunk-size line of a `size`-byte chunk ("1a2f\r\n"); `after_chunk` first closes
// the previous chunk's data with "\r\n".
void AppendChunkHeader(std::string* out, size_t size, bool after_chunk);

}  // namespace kong::upstream

#endif  // KONG_UPSTREAM_REQUEST_FRAMING_H_
