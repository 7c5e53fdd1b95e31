// UUID v4 generation and the wall clock used for auto timestamps.
#include "schema/uuid.h"

#include <sys/random.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace kong::schema {

namespace {

void RandomBytes(uint8_t* b, size_t size) {
  size_t got = 0;
  while (got < size) {
    ssize_t n = getrandom(b + got, size - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;  // ENOSYS on a pre-3.17 kernel: fall back to /dev/urandom
    }
    got += static_cast<size_t>(n);
  }
  if (got < size) {
    std::FILE* f = std::fopen("/dev/urandom", "rb");
    size_t n = f != nullptr ? std::fread(b, 1, size, f) : 0;
    if (f != nullptr) std::fclose(f);
    // Without a CSPRNG there is no safe identifier; this cannot happen on a supported system.
    if (n != size) std::abort();
  }
}

}  // namespace

std::string NewUuidV4() {
  uint8_t b[16];
  RandomBytes(b, sizeof b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

std::string NewRandomKey() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  while (out.size() < 32) {
    uint8_t b[32];
    RandomBytes(b, sizeof b);
    for (uint8_t c : b) {
      // 248 = 4 * 62: rejecting the rest keeps every character equally likely.
      if (c < 248 && out.size() < 32) out.push_back(kAlphabet[c % 62]);
    }
  }
  return out;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

double NowSeconds() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration<double>(now).count();
}

}  // namespace kong::schema
