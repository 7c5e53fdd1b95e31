// JSON string escaping: copies clean runs in bulk, escapes controls, repairs invalid UTF-8.
#include <array>
#include <cstdint>
#include <cstring>

#include "json/path.h"

namespace kong::json {
namespace {

enum ByteClass : uint8_t { kPlain = 0, kEscape = 1, kNonAscii = 2 };

constexpr std::array<uint8_t, 256> MakeByteClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = kEscape;
  t['"'] = kEscape;
  t['\\'] = kEscape;
  for (int c = 0x80; c < 0x100; ++c) t[c] = kNonAscii;
  return t;
}
constexpr std::array<uint8_t, 256> kByteClass = MakeByteClasses();

// True when none of the 8 bytes needs attention (control, quote, backslash or non-ASCII), so
// ordinary ASCII text is scanned a word at a time. The classic "has zero byte" bit tricks are
// exact as a yes/no test.
inline bool WordIsPlain(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  auto has_zero = [&](uint64_t x) { return ((x - kOnes) & ~x & kHighs) != 0; };
  bool has_control = ((w - kOnes * 0x20) & ~w & kHighs) != 0;
  return !(has_control || (w & kHighs) || has_zero(w ^ (kOnes * '"')) ||
           has_zero(w ^ (kOnes * '\\')));
}

inline bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence at `p` (lead byte >= 0x80), or 0 if it is not one
// (overlong forms, surrogates and code points above U+10FFFF are rejected, as simdjson does).
size_t Utf8SequenceLength(const unsigned char* p, const unsigned char* end) {
  unsigned char c = p[0];
  size_t avail = static_cast<size_t>(end - p);
  if (c >= 0xC2 && c <= 0xDF) return avail >= 2 && IsContinuation(p[1]) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (avail < 3 || !IsContinuation(p[1]) || !IsContinuation(p[2])) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;  // overlong
    if (c == 0xED && p[1] > 0x9F) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (avail < 4 || !IsContinuation(p[1]) || !IsContinuation(p[2]) || !IsContinuation(p[3])) {
      return 0;
    }
    if (c == 0xF0 && p[1] < 0x90) return 0;  // overlong
    if (c == 0xF4 && p[1] > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

void AppendEscape(std::string* out, unsigned char c) {
  switch (c) {
    case '"':
      out->append("\\\"", 2);
      return;
    case '\\':
      out->append("\\\\", 2);
      return;
    case '\b':
      out->append("\\b", 2);
      return;
    case '\f':
      out->append("\\f", 2);
      return;
    case '\n':
      out->append("\\n", 2);
      return;
    case '\r':
      out->append("\\r", 2);
      return;
    case '\t':
      out->append("\\t", 2);
      return;
    default:
      break;
  }
  static constexpr char kHex[] = "0123456789abcdef";  // lowercase, as lua-cjson writes them
  char buf[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
  out->append(buf, sizeof buf);
}

}  // namespace

void AppendQuotedJsonString(std::string* out, std::string_view s) {
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* end = p + s.size();
  const unsigned char* run = p;  // start of bytes not yet copied
  while (p < end) {
    if (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, sizeof w);
      if (WordIsPlain(w)) {
        p += 8;
        continue;
      }
    }
    uint8_t cls = kByteClass[*p];
    if (cls == kPlain) {
      ++p;
      continue;
    }
    if (cls == kNonAscii) {
      size_t n = Utf8SequenceLength(p, end);
      if (n != 0) {
        p += n;
        continue;
      }
    }
    out->append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
    if (cls == kEscape) {
      AppendEscape(out, *p);
    } else {
      out->append("\xEF\xBF\xBD", 3);  // U+FFFD for one byte of a broken sequence
    }
    ++p;
    run = p;
  }
  out->append(reinterpret_cast<const char*>(run), static_cast<size_t>(end - run));
  out->push_back('"');
}

std::string QuoteJsonString(std::string_view s) {
  std::string out;
  AppendQuotedJsonString(&out, s);
  return out;
}

}  // namespace kong::json
