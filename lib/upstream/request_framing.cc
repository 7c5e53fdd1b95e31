// Request framing: one exactly-sized buffer per head, hex chunk-size lines.
#include "upstream/request_framing.h"

#include <string_view>

#include "http/encoding.h"

namespace kong::upstream {
namespace {

constexpr std::string_view kChunkedField = "Transfer-Encoding: chunked\r\n";

bool IsFramingField(std::string_view name) {
  return http::EqualsIgnoreCase(name, "Transfer-Encoding") ||
         http::EqualsIgnoreCase(name, "Content-Length");
}

}  // namespace

std::string SerializeRequestHead(const UpstreamRequestHead& head, size_t extra_capacity) {
  const bool chunked = head.body == UpstreamRequestHead::Body::kChunked;
  size_t size = head.method.size() + 1 + head.target.size() + 11 + 2;  // " HTTP/1.1\r\n", "\r\n"
  for (const auto& [name, value] : head.headers) size += name.size() + value.size() + 4;
  if (chunked) size += kChunkedField.size();
  std::string out;
  out.reserve(size + extra_capacity);
  out.append(head.method).append(" ").append(head.target).append(" HTTP/1.1\r\n");
  for (const auto& [name, value] : head.headers) {
    if (chunked && IsFramingField(name)) continue;
    http::AppendField(&out, name, value);
  }
  if (chunked) out.append(kChunkedField);
  out.append("\r\n");
  return out;
}

void AppendChunkHeader(std::string* out, size_t size, bool after_chunk) {
  char buf[24];
  char* end = buf + sizeof buf;
  char* p = end;
  *--p = '\n';
  *--p = '\r';
  do {
    *--p = "0123456789abcdef"[size & 0xf];
    size >>= 4;
  } while (size != 0);
  if (after_chunk) out->append("\r\n");
  out->append(p, static_cast<size_t>(end - p));
}

}  // namespace kong::upstream
