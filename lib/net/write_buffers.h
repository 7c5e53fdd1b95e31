// A per-thread free list of write buffers (encoded heads). A head that the socket takes at once
// (the usual case) hands its buffer back for the next one, instead of a free() now and a
// malloc() for the next request.
#ifndef KONG_NET_WRITE_BUFFERS_H_
#define KONG_NET_WRITE_BUFFERS_H_

#include <string>

namespace kong::net {

// An empty string, with the capacity of a recycled buffer when this thread has one.
std::string TakeWriteBuffer();

// Keeps `buffer` (cleared) for a later TakeWriteBuffer() on this thread, unless it is large
// (a body, which is not worth pinning) or enough are kept already.
void RecycleWriteBuffer(std::string&& buffer);

}  // namespace kong::net

#endif  // KONG_NET_WRITE_BUFFERS_H_
