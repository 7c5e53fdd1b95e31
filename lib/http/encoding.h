// HTTP/1.1 wire encoding: reason phrases, IMF dates, heads, chunks and Kong's error bodies.
#ifndef KONG_HTTP_ENCODING_H_
#define KONG_HTTP_ENCODING_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>

#include "http/header_map.h"
#include "http/message.h"

namespace kong::http {

// "OK", "Not Found", ...; "Unknown" for codes without one.
std::string_view ReasonPhrase(int status);

// RFC 9110 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT".
std::string HttpDate(std::time_t t);
// The current date, formatted at most once per second per thread.
const std::string& CurrentHttpDate();

// True when a response with this status to this method has no body (1xx, 204, 304, HEAD).
bool ResponseHasNoBody(std::string_view method, int status);

// Writes a head into a std::string through a cursor: the string is grown ahead (zero-filled
// once per growth rather than once per field) and cut to the written size by Finish() or the
// destructor. The per-request head encoders write ~10 fields each; a resize() per field
// costs a memset call and the size bookkeeping every time. Nothing else may touch the
// string until then.
class WireWriter {
 public:
  // memcpy, inline for the short texts heads are made of (a libc call per field name and
  // value costs more than the copy). Overlapping word loads cover every length up to 16.
  static void Copy(char* to, const char* from, size_t n) {
    if (n >= 8 && n <= 16) {
      uint64_t head, tail;
      std::memcpy(&head, from, 8);
      std::memcpy(&tail, from + n - 8, 8);
      std::memcpy(to, &head, 8);
      std::memcpy(to + n - 8, &tail, 8);
    } else if (n >= 4 && n < 8) {
      uint32_t head, tail;
      std::memcpy(&head, from, 4);
      std::memcpy(&tail, from + n - 4, 4);
      std::memcpy(to, &head, 4);
      std::memcpy(to + n - 4, &tail, 4);
    } else if (n > 16) {
      std::memcpy(to, from, n);
    } else {
      for (size_t i = 0; i < n; ++i) to[i] = from[i];
    }
  }

  WireWriter(std::string* out, size_t expected) : out_(out), at_(out->size()) {
    out_->resize(at_ + expected);
  }
  WireWriter(const WireWriter&) = delete;
  WireWriter& operator=(const WireWriter&) = delete;
  ~WireWriter() { Finish(); }

  void Append(std::string_view s) {
    char* p = Room(s.size());
    Copy(p, s.data(), s.size());
  }
  // "<name>: <value>\r\n"
  void Field(std::string_view name, std::string_view value) {
    char* p = Room(name.size() + value.size() + 4);
    Copy(p, name.data(), name.size());
    p += name.size();
    *p++ = ':';
    *p++ = ' ';
    Copy(p, value.data(), value.size());
    p += value.size();
    *p++ = '\r';
    *p = '\n';
  }
  // Where the next byte goes (an offset into the string).
  size_t position() const { return at_; }
  // Cuts the string to what was written. Once: the string is the caller's again afterwards
  // (the destructor leaves it alone).
  void Finish() {
    if (out_ == nullptr) return;
    out_->resize(at_);
    out_ = nullptr;
  }

 private:
  char* Room(size_t n) {
    if (at_ + n > out_->size()) out_->resize(std::max(out_->size() * 2, at_ + n));
    char* p = out_->data() + at_;
    at_ += n;
    return p;
  }

  std::string* out_;
  size_t at_;  // written so far
};

// Appends "<name>: <value>\r\n" with one size change (the per-request head encoders).
inline void AppendField(std::string* out, std::string_view name, std::string_view value) {
  const size_t at = out->size();
  out->resize(at + name.size() + value.size() + 4);
  char* p = out->data() + at;
  std::memcpy(p, name.data(), name.size());
  p += name.size();
  *p++ = ':';
  *p++ = ' ';
  std::memcpy(p, value.data(), value.size());
  p += value.size();
  *p++ = '\r';
  *p = '\n';
}

// "HTTP/1.1 <status> <reason>\r\n" + headers + "\r\n".
std::string EncodeResponseHead(int status, const HeaderMap& headers);
// "<METHOD> <target> HTTP/1.1\r\n" + headers + "\r\n".
std::string EncodeRequestHead(std::string_view method, std::string_view target,
                              const HeaderMap& headers);
// One chunk of a chunked body ("" encodes nothing: use kLastChunk to end the body).
std::string EncodeChunk(std::string_view data);
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

// The response Kong's error handler gives for a status the server itself produces
// ({"message":"Payload too large"}, ...). nginx's internal 494 "Request Header Or Cookie Too
// Large" is sent as 400 with Kong's 494 message, as kong/error_handlers.lua does.
Response KongErrorResponse(int status);

// JSON string escaping for the small bodies built here.
std::string JsonEscape(std::string_view s);

}  // namespace kong::http

#endif  // KONG_HTTP_ENCODING_H_
